/**
 * One claimed run from claim to hub: lease heartbeats while it runs, the executor (study gate, approvals,
 * the algorithm, the release gate), then either holding it for the node administrator's decision or
 * signing and posting its result.
 */
import type { ImagingSource } from '@fedhub/algorithms';
import { sha256Hex, signMessage } from '@fedhub/crypto';
import { canonicalJson, type RunAssignment, resultSigningString } from '@fedhub/protocol';
import { HubRequestError, type NodeApiClient } from '@fedhub/sdk';
import type { RowPool } from '@fedhub/stats';
import type { Logger } from 'pino';
import type { NodeConfig } from '../config.js';
import type { CredentialsStore } from '../credentials-store.js';
import { type ExecutorDeps, executeRun, type RunOutcome } from '../executor.js';
import { approvalVerdict } from '../governance/approval-gate.js';
import { studyPermission } from '../governance/approval-permission.js';
import { approvalDigest } from '../governance/model-approval.js';
import { isoNow, type NodeClock, stamp } from './clock.js';
import type { NodeIdentity } from './identity.js';
import { hubModelSource } from './model-source.js';
import type { NodeResources } from './resources.js';
import type { WithRetry } from './work-loop.js';

export interface RunLifecycleDeps {
  config: Pick<NodeConfig, 'policy' | 'limits' | 'approvals' | 'models'>;
  client: NodeApiClient;
  credentials: CredentialsStore;
  identity: NodeIdentity;
  resources: NodeResources;
  clock: NodeClock;
  withRetry: WithRetry;
  log: Logger;
  imaging?: ImagingSource;
  rowPool?: RowPool;
  /** Per-task memory between rounds (design matrices). */
  cacheFor(taskId: string): Map<string, unknown>;
}

/** Per-task memory between rounds, for the most recent `keep` tasks only. */
export function taskCaches(keep = 4): (taskId: string) => Map<string, unknown> {
  const caches = new Map<string, Map<string, unknown>>();
  return (taskId) => {
    let c = caches.get(taskId);
    if (!c) {
      c = new Map();
      caches.set(taskId, c);
      while (caches.size > keep) caches.delete(caches.keys().next().value!);
    }
    return c;
  };
}

/** Runs `run` and tells the hub how it ended; never throws for a run that failed or was refused. */
export async function runOne(d: RunLifecycleDeps, run: RunAssignment): Promise<void> {
  const { client, resources, identity } = d;
  const { audit, approvals } = resources;
  const rlog = d.log.child({ taskId: run.taskId, runId: run.runId, round: run.round, attempt: run.attempt });
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
  audit.append(
    {
      action: 'run.started',
      taskId: run.taskId,
      runId: run.runId,
      studyId: run.studyId,
      algorithm: `${run.algorithm}@${run.version}`,
      detail: { attempt: run.attempt, round: run.round },
    },
    stamp(d.clock),
  );
  const approvalsGate: NonNullable<ExecutorDeps['approvals']> = (r, variables) => {
    const verdict = approvalVerdict(
      approvals,
      d.config.approvals,
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
    const about = {
      taskId: r.taskId,
      runId: r.runId,
      studyId: r.studyId,
      algorithm: `${r.algorithm}@${r.version}`,
    };
    if (verdict.kind === 'run' && verdict.how === 'automatic')
      audit.append(
        { action: 'approval.granted', ...about, detail: { how: 'automatic', digest: approvalDigest(r) } },
        stamp(d.clock),
      );
    if (verdict.kind === 'refuse')
      audit.append(
        {
          action: 'approval.refused',
          ...about,
          detail: { code: verdict.error.code, reason: verdict.error.message },
        },
        stamp(d.clock),
      );
    return verdict;
  };
  let outcome: RunOutcome;
  try {
    outcome = await executeRun(run, {
      node: { id: identity.nodeId!, name: identity.nodeName, organisationId: identity.organisationId },
      policy: d.config.policy,
      floors: { minNodes: d.config.policy.minNodes, minOrganisations: d.config.policy.minOrganisations },
      limits: d.config.limits,
      datasets: resources.datasets,
      ledger: resources.ledger,
      ...(resources.privacy ? { privacy: resources.privacy } : {}),
      cacheFor: d.cacheFor,
      secureAggregation: { x25519PrivateKey: d.credentials.keys().x25519.privateKey },
      ...(d.imaging ? { imaging: d.imaging } : {}),
      ...(d.rowPool ? { rowPool: d.rowPool } : {}),
      models: hubModelSource(d.client, d.config.models.onnx),
      progress: (done, total) => {
        progress = { done, total };
      },
      approvals: approvalsGate,
      // peer keys pinned under the approval of the study: a substituted key is refused (docs/privacy.md)
      peerKeys: (r) => approvals.peerKeyMismatches(r.studyId, r.peers, identity.nodeId!),
      onInternalError: (err) => rlog.error({ err }, 'algorithm failed'),
      // the full refusal (counts, levels, values) for this node's data officer; the hub gets the code only
      onRefusal: (err) =>
        rlog.warn({ code: err.code, reason: err.message, details: err.details }, 'run refused at this node'),
    });
  } finally {
    clearInterval(beat);
  }
  if (lost) return;
  if (outcome.outcome === 'pending-approval') return holdForApproval(d, run, outcome, rlog);
  await postResult(d, run, outcome, rlog);
}

async function holdForApproval(
  d: RunLifecycleDeps,
  run: RunAssignment,
  outcome: Extract<RunOutcome, { outcome: 'pending-approval' }>,
  rlog: Logger,
): Promise<void> {
  try {
    await d.withRetry('holding a run for approval', () =>
      d.client.reportPendingApproval(run.runId, {
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
  d.resources.approvals.addPending({
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
    since: isoNow(d.clock),
    permission: studyPermission(run.study),
  });
  d.resources.audit.append(
    {
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
    },
    stamp(d.clock),
  );
  rlog.info({ reason: outcome.reason }, 'run held until the node administrator decides');
}

async function postResult(
  d: RunLifecycleDeps,
  run: RunAssignment,
  outcome: Exclude<RunOutcome, { outcome: 'pending-approval' }>,
  rlog: Logger,
): Promise<void> {
  const digest = sha256Hex(canonicalJson(outcome.outcome === 'completed' ? outcome.payload : outcome.error));
  const signature = signMessage(
    d.credentials.keys().ed25519.privateKey,
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
    const res = await d.withRetry('posting a result', () =>
      d.client.postResult(run.runId, {
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
