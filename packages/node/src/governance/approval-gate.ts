/**
 * Whether this node runs a run now, refuses it, or holds it for its administrator; and the checks a
 * decision relayed by the hub must pass before the node applies it to its own store.
 *
 * Node config:
 * ```yaml
 * approvals:
 *   defaultMode: manual          # manual | automatic | deny (default automatic: see docs/architecture.md)
 *   studies: { <studyId>: automatic }
 *   automatic: { algorithms: [summary, crosstab, glm@1.0.0], maxVariables: 20 }
 *   acceptHubDecisions: true     # false: only `fedhub node approve|deny|stop-study` at the node decide
 * ```
 */
import { getAlgorithm } from '@fedhub/algorithms';
import { verifyMessage } from '@fedhub/crypto';
import {
  APPROVAL_MODES,
  type ApprovalDecision,
  type ApprovalMode,
  approvalSigningString,
  FedhubError,
  type NodeApprovalPolicy,
} from '@fedhub/protocol';
import { z } from 'zod';
import { adminSignatureProblem, type EnrolledAdmin } from './approval-admin-keys.js';
import { permissionDigest, permissionWidenings } from './approval-permission.js';
import type { AlgorithmKey, ApprovalStore } from './approval-store.js';

export const ApprovalsConfigSchema = z.strictObject({
  defaultMode: z
    .enum(APPROVAL_MODES)
    .default('automatic')
    .describe('Mode of a study the node has no decision for; production nodes should use manual'),
  studies: z.record(z.string(), z.enum(APPROVAL_MODES)).default({}).describe('Mode per study id'),
  automatic: z
    .strictObject({
      algorithms: z
        .array(z.string().regex(/^[a-z][a-z0-9_-]*(@[^@\s]+)?$/, 'name or name@version'))
        .optional()
        .describe('Algorithms run without asking (name or name@version); all built-in ones when omitted'),
      maxVariables: z.int().min(1).optional().describe('Most columns a run may read without asking'),
    })
    .default({}),
  acceptHubDecisions: z
    .boolean()
    .default(true)
    .describe("Apply decisions a node-admin of this node's organisation records in the dashboard"),
});
export type ApprovalsConfig = z.infer<typeof ApprovalsConfigSchema>;

export type ApprovalVerdict =
  | { kind: 'run'; how: 'approved' | 'automatic' }
  | { kind: 'refuse'; error: FedhubError }
  | { kind: 'wait'; reason: string };

/** What the node tells the hub of its approval policy (shown to its admins in the inbox). */
export function approvalPolicy(config: ApprovalsConfig, enrolledAdminKeys: number): NodeApprovalPolicy {
  return {
    defaultMode: config.defaultMode,
    acceptHubDecisions: config.acceptHubDecisions,
    automaticAlgorithms: config.automatic.algorithms ?? null,
    maxVariables: config.automatic.maxVariables ?? null,
    enrolledAdminKeys,
  };
}

/** The mode in force for a study: the node admin's decision, else the config's. */
export function modeOf(store: ApprovalStore, config: ApprovalsConfig, studyId: string): ApprovalMode {
  return store.study(studyId).mode ?? config.studies[studyId] ?? config.defaultMode;
}

function automaticPolicyCovers(config: ApprovalsConfig, k: AlgorithmKey, variables: string[]): boolean {
  const p = config.automatic;
  if (p.algorithms && !p.algorithms.some((a) => a === k.algorithm || a === `${k.algorithm}@${k.version}`))
    return false;
  if (p.maxVariables !== undefined && variables.length > p.maxVariables) return false;
  return true;
}

/**
 * How the run's study permits more than the permission set its approval was given under (empty: it does
 * not). An approval given before any run of the study was seen binds to the first permission set seen
 * after it (recorded here), so a later widening still reopens it.
 */
function widenedSinceApproval(store: ApprovalStore, k: AlgorithmKey): string[] {
  if (!k.permission) return [];
  const approved = store.approvedPermission(k.studyId);
  if (!approved) {
    store.approvePermission(k.studyId, k.permission, 'first run after approval');
    return [];
  }
  return permissionWidenings(approved.permission, k.permission);
}

/** Decides a run of `k` reading `variables`, from the node's store and config alone. */
export function approvalVerdict(
  store: ApprovalStore,
  config: ApprovalsConfig,
  k: AlgorithmKey & { studyTitle?: string },
  variables: string[],
): ApprovalVerdict {
  const study = `study "${k.studyTitle ?? k.studyId}"`;
  const state = store.study(k.studyId);
  if (state.stoppedAt)
    return {
      kind: 'refuse',
      error: new FedhubError(
        'FH_ERR_STUDY_STOPPED',
        `the node's administrator stopped ${study} at ${state.stoppedAt}${state.reason ? `: ${state.reason}` : ''}`,
        { studyId: k.studyId },
      ),
    };
  const mode = modeOf(store, config, k.studyId);
  if (mode === 'deny')
    return {
      kind: 'refuse',
      error: new FedhubError(
        'FH_ERR_NOT_APPROVED',
        `${study} is denied at this node${state.reason ? `: ${state.reason}` : ''}`,
        { studyId: k.studyId },
      ),
    };
  const decided = store.algorithmDecision(k);
  const what = `${k.algorithm}@${k.version} (digest ${k.digest.slice(0, 12)})`;
  if (decided?.decision === 'denied')
    return {
      kind: 'refuse',
      error: new FedhubError(
        'FH_ERR_NOT_APPROVED',
        `the node's administrator denied ${what} for ${study}${decided.reason ? `: ${decided.reason}` : ''}`,
        { studyId: k.studyId, algorithm: k.algorithm, version: k.version, digest: k.digest },
      ),
    };
  if (decided?.decision === 'approved') {
    const widened = widenedSinceApproval(store, k);
    if (widened.length === 0) return { kind: 'run', how: 'approved' };
    return {
      kind: 'wait',
      reason: `${study} permits more than when it was approved at this node (${widened.join('; ')})`,
    };
  }
  if (mode === 'automatic' && automaticPolicyCovers(config, k, variables))
    return { kind: 'run', how: 'automatic' };
  return {
    kind: 'wait',
    reason:
      mode === 'manual'
        ? `${what} is not approved for ${study} at this node`
        : `${what} for ${study} is outside this node's automatic approval policy`,
  };
}

/** What the node knows of itself and of the hub, to check a relayed decision. */
export interface RelayTrust {
  nodeId: string;
  organisationId: string | undefined;
  hubPublicKey: string | undefined;
  /** The administrator keys enrolled at this node (`fedhub node admins add`). */
  admins: readonly EnrolledAdmin[];
  /** The node's approval store: held runs' permission sets, and the statement nonces already spent. */
  store: ApprovalStore;
  now?: number;
}

/**
 * Why a decision relayed by the hub must not be applied, or null when it may. The hub signs what it
 * relays, with the identity and roles of who decided; the node checks that signature with the hub key it
 * trusted at enrolment, and that the decision is for this node, by a node-admin of its own organisation,
 * for its own copy of the algorithm; and, since the hub operator could create such a user, that the
 * decision carries the signature of an administrator key enrolled at the node itself, used once.
 */
export function relayedDecisionProblem(d: ApprovalDecision, trust: RelayTrust): string | null {
  if (!trust.hubPublicKey) return 'this node holds no hub key to check the decision with';
  if (!verifyMessage(trust.hubPublicKey, approvalSigningString(d), d.signature))
    return 'the decision is not signed by the hub key this node trusts';
  if (d.nodeId !== trust.nodeId) return 'the decision is for another node';
  if (!trust.organisationId)
    return 'this node does not know its organisation (enrolled before approvals were relayed): decide at the node';
  if (d.decidedBy.organisationId !== trust.organisationId)
    return `${d.decidedBy.username} does not belong to this node's organisation`;
  if (!d.decidedBy.roles.includes('node-admin')) return `${d.decidedBy.username} is not a node-admin`;
  if (d.algorithm) {
    const own = getAlgorithm(d.algorithm, d.version ?? undefined);
    if (!own) return `this node has no algorithm ${d.algorithm}@${d.version}`;
    if (d.digest !== own.digest)
      return `${d.algorithm}@${d.version} at the hub differs from this node's copy (digest mismatch)`;
  }
  const held = trust.store
    .pending(d.studyId)
    .filter((p) => p.permission)
    .at(-1)?.permission;
  const unsigned = adminSignatureProblem(
    d,
    trust.admins,
    trust.now ?? Date.now(),
    held ? permissionDigest(held) : undefined,
  );
  if (unsigned) return unsigned;
  if (!trust.store.useNonce(d.adminSignature!.nonce))
    return "the administrator's signed decision was relayed before (replay)";
  return null;
}

/**
 * An approval is given under the permission set of the study's newest held run (what the administrator
 * was shown); with no run held, the permission set approved before stays, or the first one seen binds.
 */
function bindToHeldPermission(store: ApprovalStore, studyId: string, by: string): void {
  const newest = store
    .pending(studyId)
    .filter((p) => p.permission)
    .at(-1);
  if (newest?.permission) store.approvePermission(studyId, newest.permission, by);
}

/**
 * Applies a decision (from the CLI at the node, or relayed and checked) to the store. An approval binds
 * to the node's own copy of the algorithm (name, version and digest); a study approval approves every run
 * of it now held.
 */
export function applyDecision(
  store: ApprovalStore,
  d: {
    studyId: string;
    decision: 'approve' | 'deny' | 'stop';
    algorithm?: string | null;
    version?: string | null;
    reason?: string | null;
  },
  by: string,
): string {
  const reason = d.reason ?? undefined;
  if (d.decision === 'stop') {
    store.stop(d.studyId, by, reason);
    return `study ${d.studyId} stopped at this node`;
  }
  if (d.algorithm) {
    const own = getAlgorithm(d.algorithm, d.version ?? undefined);
    if (!own)
      throw new FedhubError(
        'FH_ERR_UNKNOWN_ALGORITHM',
        `this node has no algorithm ${d.algorithm}${d.version ? `@${d.version}` : ''}`,
      );
    const key = { studyId: d.studyId, algorithm: own.name, version: own.version, digest: own.digest };
    store.decideAlgorithm(key, d.decision === 'approve' ? 'approved' : 'denied', by, reason);
    if (d.decision === 'approve') bindToHeldPermission(store, d.studyId, by);
    return `${own.name}@${own.version} (digest ${own.digest.slice(0, 12)}) ${d.decision === 'approve' ? 'approved' : 'denied'} for study ${d.studyId}`;
  }
  if (d.decision === 'deny') {
    store.deny(d.studyId, by, reason);
    return `study ${d.studyId} denied at this node: every run of it is refused until the deny is lifted`;
  }
  // approving a study lifts a deny (the mode and the versions approved before it hold again) and approves
  // exactly the algorithm versions its held runs asked for
  const lifted = store.liftDeny(d.studyId, by, reason);
  const held = store.pending(d.studyId);
  for (const p of held) store.decideAlgorithm(p, 'approved', by, reason);
  bindToHeldPermission(store, d.studyId, by);
  return `study ${d.studyId} ${lifted ? 'deny lifted' : 'approved'} at this node (${held.length} waiting run(s) approved)`;
}
