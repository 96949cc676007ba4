/**
 * Governance sync, on every heartbeat: applies decisions relayed by the hub (once checked), hands back held
 * runs whose decision is now made (the hub re-queues them and this node claims them again), and keeps the
 * hub's signed audit checkpoint.
 */
import { HubRequestError, type NodeApiClient } from '@fedhub/sdk';
import type { Logger } from 'pino';
import type { NodeConfig } from '../config.js';
import { AdminKeyStore } from '../governance/approval-admin-keys.js';
import { applyDecision, approvalVerdict, relayedDecisionProblem } from '../governance/approval-gate.js';
import { type NodeClock, stamp } from './clock.js';
import type { NodeIdentity } from './identity.js';
import type { NodeResources } from './resources.js';

export interface GovernanceSyncDeps {
  config: Pick<NodeConfig, 'approvals' | 'dataDir'>;
  client: NodeApiClient;
  identity: NodeIdentity;
  /** The open stores, or undefined before start and after stop (then a sync does nothing). */
  resources(): NodeResources | undefined;
  clock: NodeClock;
  log: Logger;
}

/** Returns the sync; calls while one is in progress return at once. Failures are logged, never thrown. */
export function governanceSync(d: GovernanceSyncDeps): () => Promise<void> {
  const { config, client, log } = d;
  let syncing = false;
  const reportedCheckpointProblems = new Set<string>();
  return async () => {
    const r = d.resources();
    if (syncing || !r) return;
    const { approvals, checkpoints, audit } = r;
    syncing = true;
    try {
      for (const decision of await client.approvalDecisions()) {
        const problem = config.approvals.acceptHubDecisions
          ? relayedDecisionProblem(decision, {
              nodeId: d.identity.nodeId!,
              organisationId: d.identity.organisationId,
              hubPublicKey: checkpoints.trustedKey(),
              // read at each sync: `fedhub node admins add` takes effect without a restart
              admins: new AdminKeyStore(config.dataDir).list(),
              store: approvals,
            })
          : 'this node does not accept decisions relayed by the hub (approvals.acceptHubDecisions: false)';
        const by = decision.decidedBy.username;
        if (problem) {
          log.warn({ decisionId: decision.id, by, problem }, 'relayed approval decision rejected');
          audit.append(
            {
              action: 'approval.relay-rejected',
              studyId: decision.studyId,
              detail: { decisionId: decision.id, decision: decision.decision, by, problem },
            },
            stamp(d.clock),
          );
          await client.ackApprovalDecision(decision.id, { applied: false, reason: problem });
          continue;
        }
        try {
          const what = applyDecision(approvals, decision, `hub:${by}`);
          audit.append(
            {
              action: 'approval.decided',
              studyId: decision.studyId,
              ...(decision.algorithm ? { algorithm: `${decision.algorithm}@${decision.version}` } : {}),
              detail: { decisionId: decision.id, decision: decision.decision, by: `hub:${by}`, what },
            },
            stamp(d.clock),
          );
          log.info({ decisionId: decision.id, by }, what);
          await client.ackApprovalDecision(decision.id, { applied: true });
        } catch (err) {
          await client.ackApprovalDecision(decision.id, { applied: false, reason: (err as Error).message });
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
        audit.append(
          { action: 'hub.checkpoint-problem', detail: { problem: problem.message } },
          stamp(d.clock),
        );
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'approvals and checkpoints: sync with the hub failed');
    } finally {
      syncing = false;
    }
  };
}
