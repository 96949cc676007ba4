/**
 * The node agent: enrols once, then dials out to the hub for work (long-poll claims), keeps each claimed
 * run's lease alive with heartbeats, runs it locally, and posts a signed result. Never listens for the hub.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ImagingSource } from '@fedhub/algorithms';
import { sha256Hex, signMessage } from '@fedhub/crypto';
import { canonicalJson, FedhubError, type RunAssignment, resultSigningString } from '@fedhub/protocol';
import { HubRequestError, NodeApiClient } from '@fedhub/sdk';
import { createRowPool, defaultRowPoolWorkerUrl, type RowPool } from '@fedhub/stats';
import type { Logger } from 'pino';
import { backoffDelayMs, sleep } from './backoff.js';
import type { NodeConfig, ResolvedDataset } from './config.js';
import { CredentialsStore } from './credentials-store.js';
import { DatasetStore } from './datasets/duckdb-store.js';
import { executeRun, type RunOutcome } from './executor.js';
import { AdminKeyStore } from './governance/approval-admin-keys.js';
import { applyDecision, approvalVerdict, relayedDecisionProblem } from './governance/approval-gate.js';
import { studyPermission } from './governance/approval-permission.js';
import { ApprovalStore } from './governance/approval-store.js';
import { BudgetLedger } from './governance/budget-ledger.js';
import { CheckpointStore } from './governance/checkpoint-store.js';
import type { PrivacyControls } from './governance/dp-gate.js';
import { approvalDigest } from './governance/model-approval.js';
import { NodeAuditLog } from './governance/node-audit-log.js';
import { PrivacyLedger } from './governance/privacy-ledger.js';
import { QuotaLedger } from './governance/quota-ledger.js';

export const NODE_VERSION = '0.1.0';

export interface CreateNodeDeps {
  config: NodeConfig & { resolvedDatasets: ResolvedDataset[] };
  log: Logger;
  fetch?: typeof fetch;
  /** The node's DICOM store, for algorithms that read images (radiomics-extract). */
  imaging?: ImagingSource;
  /**
   * The node's datasets, already loading (`fedhub simulate` loads them while its hub starts); opened from
   * the config at start() when absent. The node closes them when it stops.
   */
  datasets?: Promise<DatasetStore>;
  /**
   * Worker threads for model partials shared by several nodes of one process (`fedhub simulate`), which
   * the caller closes; when absent the node starts its own (config `compute.threads`) on first use.
   */
  rowPool?: RowPool;
}

export interface FedhubNode {
  /** Loads datasets, enrols if needed, and starts the work loop; resolves once the node is connected. */
  start(): Promise<void>;
  /** Stops claiming, lets a run in progress finish (its result is posted), and closes the datasets. */
  stop(): Promise<void>;
  readonly nodeId: string | undefined;
  /** Resolves when the work loop ends (after stop(), or on a fatal error such as clock skew). */
  readonly done: Promise<void>;
}

function isRetryable(err: unknown): boolean {
  return err instanceof HubRequestError && (err.status === 0 || err.status >= 500 || err.status === 429);
}

export function createNode(deps: CreateNodeDeps): FedhubNode {
  const { config, log } = deps;
  const store = new CredentialsStore(config.dataDir);
  const client = new NodeApiClient({ baseUrl: config.hub.url, fetch: deps.fetch });
  // registered ONNX files by digest, kept in memory while the node runs (the algorithm checks the bytes)
  const onnxCache = new Map<string, Uint8Array>();
  const onnxModels = {
    async onnx(sha256: string): Promise<Uint8Array> {
      const hit = onnxCache.get(sha256);
      if (hit) return hit;
      const bytes = new Uint8Array(Buffer.from((await client.onnxModel(sha256)).onnx, 'base64'));
      if (sha256Hex(bytes) !== sha256) return bytes; // not kept: the algorithm refuses it (FH_ERR_MODEL_DIGEST)
      if (onnxCache.size >= 8) onnxCache.delete(onnxCache.keys().next().value as string);
      onnxCache.set(sha256, bytes);
      return bytes;
    },
  };
  const abort = new AbortController();
  let datasets: DatasetStore | undefined;
  let ledger: PrivacyLedger | undefined;
  const threads = config.compute.threads ?? Math.min(8, availableParallelism());
  const workerUrl = defaultRowPoolWorkerUrl();
  const ownPool =
    deps.rowPool || threads === 0 || !workerUrl
      ? undefined
      : createRowPool({ size: threads, workerUrl, lazy: true });
  const rowPool = deps.rowPool ?? ownPool;
  let privacy: PrivacyControls | undefined;
  const closePrivacy = () => {
    privacy?.budget.close();
    privacy?.quota.close();
    privacy = undefined;
  };
  let audit: NodeAuditLog | undefined;
  let approvals: ApprovalStore | undefined;
  let checkpoints: CheckpointStore | undefined;
  const closeGovernance = () => {
    approvals?.close();
    approvals = undefined;
    checkpoints?.close();
    checkpoints = undefined;
  };
  let organisationId: string | undefined;
  let syncing = false;
  const reportedCheckpointProblems = new Set<string>();
  let nodeId: string | undefined;
  let nodeName = '';
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  let fatal: Error | undefined;
  let looping = false;

  /** Calls `fn` until it succeeds, retrying with jittered backoff while the hub is unreachable. */
  async function withRetry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isRetryable(err) || abort.signal.aborted) throw err;
        const delay = backoffDelayMs(attempt);
        const why =
          (err as HubRequestError).status === 429 ? 'the hub asks to slow down (429)' : 'hub unreachable';
        log.warn({ err: (err as Error).message, retryInMs: delay }, `${what}: ${why}, retrying`);
        await sleep(delay, abort.signal);
      }
    }
  }

  async function heartbeat(): Promise<void> {
    try {
      await client.heartbeat({
        version: NODE_VERSION,
        clock: new Date().toISOString(),
        datasets: datasets?.dictionaries() ?? [],
      });
      await syncGovernance();
    } catch (err) {
      if (err instanceof HubRequestError && err.code === 'FH_ERR_CLOCK_SKEW') {
        fatal = new FedhubError(
          'FH_ERR_CLOCK_SKEW',
          `${err.message}: fix this machine's clock (NTP); the node stops rather than work with a wrong clock`,
        );
        log.error(fatal.message);
        abort.abort();
        return;
      }
      log.warn({ err: (err as Error).message }, 'heartbeat failed');
    }
  }

  /**
   * Applies decisions relayed by the hub (once checked), hands back held runs whose decision is now made
   * (the hub re-queues them and this node claims them again), and keeps the hub's signed audit checkpoint.
   */
  async function syncGovernance(): Promise<void> {
    if (syncing || !approvals || !checkpoints) return;
    syncing = true;
    try {
      for (const d of await client.approvalDecisions()) {
        const problem = config.approvals.acceptHubDecisions
          ? relayedDecisionProblem(d, {
              nodeId: nodeId!,
              organisationId,
              hubPublicKey: checkpoints.trustedKey(),
              // read at each sync: `fedhub node admins add` takes effect without a restart
              admins: new AdminKeyStore(config.dataDir).list(),
              store: approvals,
            })
          : 'this node does not accept decisions relayed by the hub (approvals.acceptHubDecisions: false)';
        if (problem) {
          log.warn(
            { decisionId: d.id, by: d.decidedBy.username, problem },
            'relayed approval decision rejected',
          );
          audit?.append({
            action: 'approval.relay-rejected',
            studyId: d.studyId,
            detail: { decisionId: d.id, decision: d.decision, by: d.decidedBy.username, problem },
          });
          await client.ackApprovalDecision(d.id, { applied: false, reason: problem });
          continue;
        }
        try {
          const what = applyDecision(approvals, d, `hub:${d.decidedBy.username}`);
          audit?.append({
            action: 'approval.decided',
            studyId: d.studyId,
            ...(d.algorithm ? { algorithm: `${d.algorithm}@${d.version}` } : {}),
            detail: { decisionId: d.id, decision: d.decision, by: `hub:${d.decidedBy.username}`, what },
          });
          log.info({ decisionId: d.id, by: d.decidedBy.username }, what);
          await client.ackApprovalDecision(d.id, { applied: true });
        } catch (err) {
          await client.ackApprovalDecision(d.id, { applied: false, reason: (err as Error).message });
        }
      }
      for (const p of approvals.pending()) {
        if (approvalVerdict(approvals, config.approvals, p, p.variables).kind === 'wait') continue;
        try {
          await client.releasePending(p.runId, p.attempt);
        } catch (err) {
          if (!(err instanceof HubRequestError && err.status === 404)) throw err;
        }
        approvals.markReleased(p.runId);
        log.info(
          { runId: p.runId, taskId: p.taskId },
          'approval decided: run handed back to be claimed again',
        );
      }
      const seen = checkpoints.record(await client.checkpoint());
      for (const problem of seen.problems) {
        // once per fault and process: the hub keeps answering the same way until someone repairs it
        if (reportedCheckpointProblems.has(problem.key)) continue;
        reportedCheckpointProblems.add(problem.key);
        log.error({ problem: problem.message }, 'hub audit checkpoint');
        audit?.append({ action: 'hub.checkpoint-problem', detail: { problem: problem.message } });
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'approvals and checkpoints: sync with the hub failed');
    } finally {
      syncing = false;
    }
  }

  async function enrol(): Promise<void> {
    const existing = store.credentials();
    const keys = store.keys();
    if (existing && existing.hubUrl === client.baseUrl) {
      client.setToken(existing.nodeToken);
      nodeId = existing.nodeId;
      nodeName = existing.nodeName;
      organisationId = existing.organisationId;
      return;
    }
    const token = config.hub.enrolmentToken;
    if (!token)
      throw new FedhubError(
        'FH_ERR_ENROLMENT',
        `node is not enrolled with ${client.baseUrl}: set hub.enrolmentToken (or enrolmentTokenFile) in the config`,
      );
    const res = await withRetry('enrolment', () =>
      client.enrol({
        enrolmentToken: token,
        publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
        version: NODE_VERSION,
      }),
    );
    store.saveCredentials({
      hubUrl: client.baseUrl,
      nodeId: res.nodeId,
      nodeName: res.nodeName,
      collaborationId: res.collaborationId,
      nodeToken: res.nodeToken,
      ...(res.organisationId ? { organisationId: res.organisationId } : {}),
    });
    organisationId = res.organisationId;
    // trust on first use: the key the hub gives at enrolment signs its checkpoints and relayed decisions
    if (res.hubPublicKey) checkpoints?.trustOnFirstUse(res.hubPublicKey);
    client.setToken(res.nodeToken);
    nodeId = res.nodeId;
    nodeName = res.nodeName;
    log.info({ nodeId, nodeName }, 'enrolled with the hub');
  }

  // Per-task memory between rounds (design matrices); the most recent few tasks only.
  const caches = new Map<string, Map<string, unknown>>();
  function cacheFor(taskId: string): Map<string, unknown> {
    let c = caches.get(taskId);
    if (!c) {
      c = new Map();
      caches.set(taskId, c);
      while (caches.size > 4) caches.delete(caches.keys().next().value!);
    }
    return c;
  }

  async function runOne(run: RunAssignment): Promise<void> {
    const rlog = log.child({ taskId: run.taskId, runId: run.runId, round: run.round, attempt: run.attempt });
    rlog.info({ algorithm: `${run.algorithm}@${run.version}` }, 'run claimed');
    let lost = false;
    let progress: { done: number; total: number } | undefined;
    const beat = setInterval(
      () => {
        client.runHeartbeat(run.runId, run.attempt, progress).then(
          (r) => {
            if (r.cancelled) rlog.info('task cancelled at the hub');
          },
          (err) => {
            if (err instanceof HubRequestError && err.status === 409) {
              lost = true;
              rlog.warn('lease lost: another attempt holds this run');
            }
          },
        );
      },
      Math.max(200, Math.floor(run.leaseMs / 3)),
    );
    audit?.append({
      action: 'run.started',
      taskId: run.taskId,
      runId: run.runId,
      studyId: run.studyId,
      algorithm: `${run.algorithm}@${run.version}`,
      detail: { attempt: run.attempt, round: run.round },
    });
    let outcome: RunOutcome;
    try {
      outcome = await executeRun(run, {
        node: { id: nodeId!, name: nodeName, organisationId },
        policy: config.policy,
        floors: { minNodes: config.policy.minNodes, minOrganisations: config.policy.minOrganisations },
        limits: config.limits,
        datasets: datasets!,
        ledger,
        ...(privacy ? { privacy } : {}),
        cacheFor,
        secureAggregation: { x25519PrivateKey: store.keys().x25519.privateKey },
        ...(deps.imaging ? { imaging: deps.imaging } : {}),
        ...(rowPool ? { rowPool } : {}),
        models: onnxModels,
        progress: (done, total) => {
          progress = { done, total };
        },
        approvals: (r, variables) => {
          const verdict = approvalVerdict(
            approvals!,
            config.approvals,
            {
              studyId: r.studyId,
              studyTitle: r.study?.title,
              algorithm: r.algorithm,
              version: r.version,
              digest: approvalDigest(r),
              permission: studyPermission(r.study),
            },
            variables,
          );
          if (verdict.kind === 'run' && verdict.how === 'automatic')
            audit?.append({
              action: 'approval.granted',
              taskId: r.taskId,
              runId: r.runId,
              studyId: r.studyId,
              algorithm: `${r.algorithm}@${r.version}`,
              detail: { how: 'automatic', digest: approvalDigest(r) },
            });
          if (verdict.kind === 'refuse')
            audit?.append({
              action: 'approval.refused',
              taskId: r.taskId,
              runId: r.runId,
              studyId: r.studyId,
              algorithm: `${r.algorithm}@${r.version}`,
              detail: { code: verdict.error.code, reason: verdict.error.message },
            });
          return verdict;
        },
        onInternalError: (err) => rlog.error({ err }, 'algorithm failed'),
        // the full refusal (counts, levels, values) for this node's data officer; the hub gets the code only
        onRefusal: (err) =>
          rlog.warn(
            { code: err.code, reason: err.message, details: err.details },
            'run refused at this node',
          ),
      });
    } finally {
      clearInterval(beat);
    }
    if (lost) return;
    if (outcome.outcome === 'pending-approval') {
      try {
        await withRetry('holding a run for approval', () =>
          client.reportPendingApproval(run.runId, {
            attempt: run.attempt,
            algorithm: run.algorithm,
            version: run.version,
            digest: approvalDigest(run),
            variables: outcome.variables,
            reason: outcome.reason,
          }),
        );
      } catch (err) {
        rlog.warn({ err: (err as Error).message }, 'could not hold the run for approval at the hub');
        return;
      }
      approvals?.addPending({
        runId: run.runId,
        attempt: run.attempt,
        taskId: run.taskId,
        studyId: run.studyId,
        studyTitle: run.study?.title ?? run.studyId,
        algorithm: run.algorithm,
        version: run.version,
        digest: approvalDigest(run),
        params: run.params,
        variables: outcome.variables,
        requester: run.requester ?? null,
        since: new Date().toISOString(),
        permission: studyPermission(run.study),
      });
      audit?.append({
        action: 'approval.pending',
        taskId: run.taskId,
        runId: run.runId,
        studyId: run.studyId,
        algorithm: `${run.algorithm}@${run.version}`,
        detail: {
          digest: approvalDigest(run),
          reason: outcome.reason,
          requester: run.requester?.username ?? null,
        },
      });
      rlog.info({ reason: outcome.reason }, 'run held until the node administrator decides');
      return;
    }
    const digest = sha256Hex(
      canonicalJson(outcome.outcome === 'completed' ? outcome.payload : outcome.error),
    );
    const signature = signMessage(
      store.keys().ed25519.privateKey,
      resultSigningString({
        taskId: run.taskId,
        runId: run.runId,
        round: run.round,
        attempt: run.attempt,
        outcome: outcome.outcome,
        digest,
      }),
    );
    try {
      const res = await withRetry('posting a result', () =>
        client.postResult(run.runId, {
          attempt: run.attempt,
          round: run.round,
          outcome: outcome.outcome,
          payload: outcome.payload,
          error: outcome.error,
          digest,
          signature,
        }),
      );
      rlog.info(
        { outcome: outcome.outcome, code: outcome.error?.code, duplicate: res.duplicate },
        'result posted',
      );
    } catch (err) {
      if (err instanceof HubRequestError && err.status === 409)
        rlog.warn({ code: err.code }, 'result refused by the hub: a newer attempt holds the run');
      else rlog.error({ err: (err as Error).message }, 'could not post the result');
    }
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!abort.signal.aborted) {
      try {
        const claim = await client.claim(config.claimWaitMs, abort.signal);
        failures = 0;
        if (claim.run) await runOne(claim.run);
      } catch (err) {
        if (abort.signal.aborted) break;
        const delay = backoffDelayMs(failures++);
        if (isRetryable(err))
          log.warn({ err: (err as Error).message, retryInMs: delay }, 'hub unreachable, retrying');
        else
          log.error(
            { err: (err as Error).message, code: (err as HubRequestError).code, retryInMs: delay },
            'claim failed',
          );
        await sleep(delay, abort.signal);
      }
    }
  }

  return {
    get nodeId() {
      return nodeId;
    },
    done,
    async start() {
      datasets = await (deps.datasets ??
        DatasetStore.open(config.resolvedDatasets, {
          derivedDir: join(config.dataDir, 'derived'),
        }));
      ledger = new PrivacyLedger(config.dataDir);
      if (config.privacy)
        privacy = {
          config: config.privacy,
          budget: new BudgetLedger(config.dataDir),
          quota: new QuotaLedger(config.dataDir),
        };
      audit = new NodeAuditLog(config.dataDir);
      approvals = new ApprovalStore(config.dataDir);
      checkpoints = new CheckpointStore(config.dataDir);
      for (const r of datasets.reports)
        log.info(
          {
            dataset: r.dataset,
            rows: r.rows,
            excluded: r.excluded,
            problems: r.problems.length ? r.problems : undefined,
          },
          'dataset loaded',
        );
      await enrol();
      await heartbeat();
      if (fatal) throw fatal;
      heartbeatTimer = setInterval(() => void heartbeat(), config.heartbeatIntervalMs);
      looping = true;
      loop()
        .catch((err) => log.error({ err }, 'work loop ended with an error'))
        .finally(() => {
          clearInterval(heartbeatTimer);
          datasets?.close();
          datasets = undefined;
          void ownPool?.close();
          ledger?.close();
          ledger = undefined;
          closePrivacy();
          audit?.close();
          audit = undefined;
          closeGovernance();
          resolveDone();
        });
      log.info({ hub: client.baseUrl, nodeId, nodeName }, 'node connected; waiting for work');
    },
    async stop() {
      abort.abort();
      clearInterval(heartbeatTimer);
      if (!looping) {
        datasets?.close();
        datasets = undefined;
        void ownPool?.close();
        ledger?.close();
        ledger = undefined;
        closePrivacy();
        audit?.close();
        audit = undefined;
        closeGovernance();
        resolveDone();
      }
      await done;
    },
  };
}
