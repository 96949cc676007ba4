/**
 * Runs one claimed run: checks the algorithm and its digest against the node's own copy, validates the
 * parameters, runs the local half, enforces disclosure, and returns the outcome to sign and post.
 */

import {
  ADDITIVE_FIELD,
  getAlgorithm,
  type ImagingSource,
  type LocalContext,
  type LocalRelease,
  MASKED_FIELD,
  type ModelSource,
} from '@fedhub/algorithms';
import { maskVector } from '@fedhub/crypto';
import { onnxParameterCount } from '@fedhub/inference';
import {
  type DisclosurePolicy,
  type ErrorBody,
  FedhubError,
  type Json,
  type RunAssignment,
} from '@fedhub/protocol';
import type { RowPool } from '@fedhub/stats';
import type { DuckDbDataset } from './datasets/duckdb-dataset.js';
import type { DatasetStore } from './datasets/duckdb-store.js';
import { admitPrivacy, type PrivacyControls, privatizeAdmitted } from './governance/dp-gate.js';
import { ImagingCaseSet } from './governance/imaging-case-set.js';
import { withLevelLimits } from './governance/level-limits.js';
import type { AuditedDataset, PrivacyLedger } from './governance/privacy-ledger.js';
import { RecordSet } from './governance/record-set.js';
import { DEFAULT_ROUND_FLOORS, type RoundFloors, roundFloorRefusal } from './governance/round-floors.js';
import { studyGateRefusal } from './governance/study-gate.js';
import { refusalBody } from './refusal.js';
import { enforceDisclosure } from './release-gate.js';
import { estimateRun, type RunLimits, runBudgetRefusal } from './run-budget.js';

export type RunOutcome =
  | { outcome: 'completed'; payload: Json; error: null }
  | { outcome: 'refused' | 'failed'; payload: null; error: ErrorBody }
  /** Held until the node's administrator decides (nothing was read). */
  | { outcome: 'pending-approval'; payload: null; error: null; reason: string; variables: string[] };

export interface ExecutorDeps {
  /** This node; `organisationId` from its enrolment, counted for the organisation floor. */
  node: { id: string; name: string; organisationId?: string | undefined };
  policy: DisclosurePolicy;
  /**
   * The node's floors on each round's peer set (default: 3 nodes of 3 organisations); a study may raise
   * the node count, never lower it.
   */
  floors?: RoundFloors;
  datasets: DatasetStore;
  /** Memory kept between the rounds of one task (design matrices); a fresh map when omitted. */
  cacheFor?: (taskId: string) => Map<string, unknown>;
  /**
   * The node's X25519 private key: additive partials are then masked for secure aggregation whenever a
   * round has two or more participants, so the hub learns only their sum.
   */
  secureAggregation?: { x25519PrivateKey: string };
  /** When given, every release is checked against and recorded in the node's privacy ledger. */
  ledger?: PrivacyLedger;
  /** Per-study quota and differential privacy (budget charged before release), where configured. */
  privacy?: PrivacyControls;
  /** The node's DICOM store, for algorithms that read images (radiomics-extract). */
  imaging?: ImagingSource;
  /** Worker threads for the row loops of model partials. */
  rowPool?: RowPool;
  /** Registered model files (ONNX) by digest, fetched from the hub. */
  models?: ModelSource;
  /** Where the run's progress goes (the agent sends it with the run's heartbeats). */
  progress?: (done: number, total: number) => void;
  /** The node's limits on one run's estimated memory and time (refused beyond them, before any data). */
  limits?: RunLimits;
  /** The node's approvals: run now, refuse, or hold the run for the node's administrator. */
  approvals?: (
    run: RunAssignment,
    variables: string[],
  ) => { kind: 'run' } | { kind: 'refuse'; error: FedhubError } | { kind: 'wait'; reason: string };
  /**
   * The peers of the round whose secure-aggregation key differs from the one pinned under the node's
   * approval of the study (pinning first-seen ones); a round with any is refused before data is read.
   */
  peerKeys?: (run: RunAssignment) => string[];
  /** Called with errors that are not refusals, so the node can log their detail locally. */
  onInternalError?: (err: unknown, run: RunAssignment) => void;
  /**
   * Called with every refusal in full (messages and details may name levels, counts and values), for the
   * node's own log and its data officer; the hub gets only {@link refusalBody}'s data-free form.
   */
  onRefusal?: (err: FedhubError, run: RunAssignment) => void;
}

/** Records in the dataset the parameters name (0 when they name none this node has). */
function datasetRows(datasets: DatasetStore, params: unknown): number {
  const name = (params as { dataset?: unknown } | null)?.dataset;
  if (typeof name !== 'string') return 0;
  try {
    return datasets.get(name).rowCount;
  } catch {
    return 0;
  }
}

/**
 * Runs one claimed run. Every refusal and failure leaves through one choke point, which sends the hub the
 * rule code, the algorithm and at most a path into the parameters, never what the algorithm or a check
 * wrote (see refusal.ts); the full error goes to `onRefusal` / `onInternalError`.
 */
/**
 * The weights of the registered ONNX model a run applies (`model.onnx`, a digest), for the run-size
 * estimate; undefined where there is none or it cannot be fetched or read (the run then fails on it with its
 * own coded error).
 */
async function modelSize(
  params: unknown,
  models: ModelSource | undefined,
): Promise<{ parameters: number } | undefined> {
  const onnx = (params as { model?: { onnx?: unknown } } | null)?.model?.onnx;
  if (!models || typeof onnx !== 'string' || !onnx.startsWith('sha256:')) return undefined;
  try {
    return { parameters: onnxParameterCount(await models.onnx(onnx.slice('sha256:'.length))) };
  } catch {
    return undefined;
  }
}

/** The datasets a run read, and the image cases it used where it booked them (one ledger entry each). */
function withImagingCases(
  used: Map<string, DuckDbDataset>,
  cases: ImagingCaseSet | null,
): Map<string, AuditedDataset> {
  const all = new Map<string, AuditedDataset>(used);
  if (cases && cases.size > 0) all.set('image cases', cases);
  return all;
}

export async function executeRun(run: RunAssignment, deps: ExecutorDeps): Promise<RunOutcome> {
  const progress = { dataRead: false };
  try {
    return await runChecked(run, deps, progress);
  } catch (err) {
    if (err instanceof FedhubError) {
      deps.onRefusal?.(err, run);
      // before the local half starts nothing has been read: the checks of the run itself (algorithm,
      // parameters, study, approvals) may say what they found; from then on only the rule's code does
      const body = refusalBody(err, run, deps.node.name, { beforeData: !progress.dataRead });
      return { outcome: 'refused', payload: null, error: body };
    }
    deps.onInternalError?.(err, run);
    // The detail stays in the node's log: an exception message may quote data values.
    return {
      outcome: 'failed',
      payload: null,
      error: refusalBody(new FedhubError('FH_ERR_ALGORITHM_FAILED'), run, deps.node.name),
    };
  }
}

/** The checks and the local half; throws on every refusal (caught by {@link executeRun} alone). */
async function runChecked(
  run: RunAssignment,
  deps: ExecutorDeps,
  progress: { dataRead: boolean },
): Promise<RunOutcome> {
  const algorithm = getAlgorithm(run.algorithm, run.version);
  if (!algorithm)
    throw new FedhubError(
      'FH_ERR_UNKNOWN_ALGORITHM',
      `this node has no algorithm ${run.algorithm}@${run.version}`,
    );
  if (algorithm.digest !== run.digest)
    throw new FedhubError(
      'FH_ERR_UNKNOWN_ALGORITHM',
      `algorithm ${run.algorithm}@${run.version} differs from this node's copy (digest mismatch)`,
    );
  const parsed = algorithm.paramsSchema.safeParse(run.params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      `invalid parameters at ${issue?.path.join('.') || '(top)'}: ${issue?.message}`,
      { parameter: issue?.path.map(String).join('.') ?? '' },
    );
  }
  const outsideStudy = studyGateRefusal(run, algorithm, parsed.data, deps.node.id, new Date().toISOString());
  if (outsideStudy) throw outsideStudy;
  const belowFloor = roundFloorRefusal(run, deps.node, deps.floors ?? DEFAULT_ROUND_FLOORS);
  if (belowFloor) throw belowFloor;
  if (deps.limits) {
    const tooLarge = runBudgetRefusal(
      estimateRun(
        algorithm.name,
        parsed.data,
        datasetRows(deps.datasets, parsed.data),
        algorithm.variables(parsed.data).columns.length,
        await modelSize(parsed.data, deps.models),
      ),
      deps.limits,
    );
    if (tooLarge) throw tooLarge;
  }
  if (deps.approvals) {
    const variables = algorithm.variables(parsed.data).columns;
    const verdict = deps.approvals(run, variables);
    if (verdict.kind === 'refuse') throw verdict.error;
    if (verdict.kind === 'wait')
      return { outcome: 'pending-approval', payload: null, error: null, reason: verdict.reason, variables };
  }
  if (deps.peerKeys && deps.secureAggregation) {
    // a hub that hands this node another key for a peer could unmask this node's partial with it
    const changed = deps.peerKeys(run);
    if (changed.length > 0)
      throw new FedhubError(
        'FH_ERR_PEER_KEY_CHANGED',
        `${changed.length === 1 ? 'a node' : `${changed.length} nodes`} of this round (${changed.join(', ')}) came with another key than the one pinned under this node's approval of study ${run.studyId}; check the key with that node's operator, then approve the study again to pin the new key`,
        { studyId: run.studyId, rule: 'peer-keys' },
      );
  }
  const used = new Map<string, DuckDbDataset>();
  // image cases a release used (validate-imaging), booked in the ledger beside the datasets read
  let imagingCases: ImagingCaseSet | null = null;
  const ctx: LocalContext = {
    node: { id: deps.node.id, name: deps.node.name },
    policy: deps.policy,
    // a task restarted after a dropout is a new computation: its cached inputs start afresh
    cache:
      deps.cacheFor?.(
        run.firstRound && run.firstRound > 1 ? `${run.taskId}#${run.firstRound}` : run.taskId,
      ) ?? new Map(),
    ...(deps.imaging ? { imaging: deps.imaging } : {}),
    ...(deps.rowPool ? { rowPool: deps.rowPool } : {}),
    ...(deps.models ? { models: deps.models } : {}),
    // a total under the minimum subset size is not reported: the run will be refused, and the count alone
    // would tell the hub more than any release
    ...(deps.progress
      ? {
          progress: (done: number, total: number) => {
            if (total >= deps.policy.minSubsetSize) deps.progress?.(done, total);
          },
        }
      : {}),
    registerDataset: (d) => deps.datasets.registerDerived(d),
    bookImagingCases: (cases) => {
      imagingCases = new ImagingCaseSet(cases);
    },
    releasePerNodeBreakdown: run.study.releasePerNodeBreakdown === true,
    releaseSubgroupAnalyses: run.study.releaseSubgroupAnalyses === true,
    dataset: async (name) => {
      let d = used.get(name);
      if (!d) {
        d = deps.datasets.get(name).tracked();
        used.set(name, d);
      }
      // factor levels within the node's limits (levels.max, levels.density), whatever the algorithm
      return withLevelLimits(d, deps.policy);
    },
  };
  {
    // from here, refusals carry the rule only: the budget and quota left tell of other researchers' runs
    progress.dataRead = true;
    // quota and DP budget are taken before any data is read: a run refused later has paid like a release
    const reads = algorithm.variables(parsed.data).dataset;
    const ticket =
      deps.privacy && reads !== null
        ? admitPrivacy(deps.privacy, run, [{ name: reads, root: deps.datasets.get(reads).lineage.root }])
        : null;
    const release = await algorithm.local(ctx, parsed.data, run.input, run.round - (run.firstRound ?? 1) + 1);
    enforceDisclosure(release, deps.policy);
    let payload = release.payload;
    if (release.disclosure.subsetSize !== null) {
      // the rows each read actually used, against every earlier release (docs/adr/0008)
      if (deps.ledger) {
        // the cells' records first: a dataset read in an earlier round of the task joins `used` there
        const sets = cellRecords(release, used, deps.datasets);
        await deps.ledger.admit(
          withImagingCases(used, imagingCases),
          deps.policy.minSubsetSize,
          {
            studyId: run.studyId,
            taskId: run.taskId,
            runId: run.runId,
            algorithm: `${run.algorithm}@${run.version}`,
          },
          { sets, minCellCount: deps.policy.minCellCount },
        );
      }
      if (deps.privacy)
        payload = privatizeAdmitted(
          deps.privacy,
          ticket ?? { roots: new Set(), target: null },
          run,
          parsed.data,
          payload,
          used,
        );
    }
    // every number the aggregate needs into the additive vector, which maskAdditive masks
    if (algorithm.toAdditive)
      payload = algorithm.toAdditive(payload, parsed.data, {
        column: (dataset, column) => deps.datasets.get(dataset).column(column),
        releasePerNodeBreakdown: run.study.releasePerNodeBreakdown === true,
      });
    return { outcome: 'completed', payload: maskAdditive(payload, run, deps), error: null };
  }
}

/** Replaces the payload's additive vector by its secure-aggregation masking when the round has peers. */
function maskAdditive(payload: Json, run: RunAssignment, deps: ExecutorDeps): Json {
  if (!deps.secureAggregation || payload === null || typeof payload !== 'object' || Array.isArray(payload))
    return payload;
  const vector = payload[ADDITIVE_FIELD];
  if (!Array.isArray(vector)) return payload;
  const peers = new Map(run.peers.map((p) => [p.nodeId, p.x25519]));
  const participants = [...new Set([...peers.keys(), deps.node.id])];
  if (participants.length < 2) return payload;
  const masked = maskVector(
    vector as number[],
    { id: deps.node.id, x25519PrivateKey: deps.secureAggregation.x25519PrivateKey },
    peers,
    {
      taskId: run.taskId,
      round: run.round,
      participants,
      label: ADDITIVE_FIELD,
    },
  );
  const { [ADDITIVE_FIELD]: _clear, ...rest } = payload;
  return { ...rest, [MASKED_FIELD]: masked };
}

/**
 * The records behind the release's declared cells (score groups, bins, merged time points), as record
 * sets of the datasets the run read, for the privacy ledger (the gate has checked each count).
 */
function cellRecords(
  release: LocalRelease,
  used: Map<string, DuckDbDataset>,
  datasets: DatasetStore,
): Array<{ dataset: string; rows: RecordSet }> {
  const out: Array<{ dataset: string; rows: RecordSet }> = [];
  for (const c of release.disclosure.cells) {
    if (!c.rows || c.count === 0) continue;
    // the reads name their dataset by its dictionary; the run names it as the node's configuration does
    let name = used.has(c.rows.dataset)
      ? c.rows.dataset
      : [...used].find(([, d]) => d.dictionary.name === c.rows!.dataset)?.[0];
    // records read in an earlier round of the task (kept in its cache): the dataset joins this release
    if (name === undefined && datasets.has(c.rows.dataset)) {
      name = c.rows.dataset;
      used.set(name, datasets.get(name).tracked());
    }
    if (name === undefined)
      throw new FedhubError(
        'FH_ERR_UNDECLARED_RELEASE',
        'a declared cell names records of a dataset this run did not read',
      );
    out.push({ dataset: name, rows: RecordSet.fromRowIds(c.rows.ids, used.get(name)!.rowCount) });
  }
  return out;
}
