/**
 * Approvals at the nodes and checkpoints of the hub's audit chain.
 *
 * The node is the authority on approvals: it keeps its own store and decides. The hub only relays what a
 * node reports (runs waiting for approval) and what a node-admin of the node's organisation decides in the
 * dashboard; each relayed decision is signed by the hub's Ed25519 key so the node can check who decided.
 *
 * @example
 * // a node-admin approves summary@1.0.0 for a study at their node
 * await hub.decideApproval(nodeId, { studyId, decision: 'approve', algorithm: 'summary', version: '1.0.0' });
 */
import { z } from 'zod';
import { IdSchema, JsonSchema, SlugSchema, TimestampSchema } from '../common.js';

export const APPROVAL_MODES = ['manual', 'automatic', 'deny'] as const;
/** manual: each algorithm version waits for the node admin; automatic: runs when the node's policy matches; deny: refused. */
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

export const APPROVAL_DECISIONS = ['approve', 'deny', 'stop'] as const;
export type ApprovalDecisionKind = (typeof APPROVAL_DECISIONS)[number];

/** Who asked for a task (shown to the node admin deciding). */
export const RequesterSchema = z.object({ userId: IdSchema, username: z.string() }).meta({ id: 'Requester' });
export type Requester = z.infer<typeof RequesterSchema>;

/** What a node tells the hub when it holds a run until its admin decides. */
export const PendingApprovalRequestSchema = z
  .object({
    attempt: z.int().min(1),
    algorithm: SlugSchema,
    version: z.string().max(40),
    digest: z.string().max(128),
    variables: z.array(z.string().max(128)).max(1000),
    reason: z.string().max(500),
  })
  .meta({ id: 'PendingApprovalRequest' });
export type PendingApprovalRequest = z.infer<typeof PendingApprovalRequestSchema>;

export const RunReleaseRequestSchema = z
  .object({ attempt: z.int().min(1) })
  .meta({ id: 'RunReleaseRequest' });
export const OkResponseSchema = z.object({ ok: z.boolean() }).meta({ id: 'Ok' });

/**
 * A node administrator's own signature over a decision, with a key enrolled at the node
 * (`fedhub node admins add`): the node honours a decision relayed by the hub only with it, so the hub
 * operator cannot decide for a hospital (see {@link adminStatementSigningString}).
 *
 * @example
 * const adminSignature = signApprovalStatement(privateKey, 'dora', nodeId, { studyId, decision: 'approve' });
 */
export const AdminStatementSchema = z
  .object({
    keyName: z.string().min(1).max(100).describe('Name the key was enrolled under at the node'),
    issuedAt: TimestampSchema,
    nonce: z.string().min(16).max(100).describe('Random; the node accepts each statement once'),
    permissionDigest: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional()
      .describe("Digest of the study's permission set the administrator approved (as the node computes it)"),
    signature: z.string().min(1).max(200).describe('base64url Ed25519 over adminStatementSigningString'),
  })
  .meta({ id: 'AdminStatement' });
export type AdminStatement = z.infer<typeof AdminStatementSchema>;

/** A decision a node-admin records at the hub for one node. */
export const ApprovalDecisionRequestSchema = z
  .object({
    studyId: IdSchema,
    decision: z.enum(APPROVAL_DECISIONS),
    algorithm: SlugSchema.optional().describe(
      'Omit to decide for the study (approve: every pending request)',
    ),
    version: z.string().max(40).optional().describe("Default: the hub's latest version of the algorithm"),
    reason: z.string().max(500).optional(),
    adminSignature: AdminStatementSchema.optional().describe(
      'Required by nodes for every relayed decision: the node administrator signs it with a key enrolled at the node',
    ),
  })
  .meta({ id: 'ApprovalDecisionRequest' });
export type ApprovalDecisionRequest = z.infer<typeof ApprovalDecisionRequestSchema>;

/** A decision as stored at the hub and relayed to the node, signed by the hub. */
export const ApprovalDecisionSchema = z
  .object({
    id: IdSchema,
    nodeId: IdSchema,
    studyId: IdSchema,
    decision: z.enum(APPROVAL_DECISIONS),
    algorithm: z.string().nullable(),
    version: z.string().nullable(),
    digest: z.string().nullable(),
    reason: z.string().nullable(),
    decidedBy: z.object({
      userId: IdSchema,
      username: z.string(),
      organisationId: IdSchema,
      roles: z.array(z.string()),
    }),
    createdAt: TimestampSchema,
    signature: z.string().describe('base64url Ed25519 signature by the hub key over approvalSigningString'),
    adminSignature: AdminStatementSchema.nullable()
      .optional()
      .describe("The node administrator's own signature, relayed as given"),
    ack: z
      .object({ applied: z.boolean(), reason: z.string().nullable(), at: TimestampSchema })
      .nullable()
      .describe('What the node answered: applied, or rejected with why'),
  })
  .meta({ id: 'ApprovalDecision' });
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

export const ApprovalAckRequestSchema = z
  .object({ applied: z.boolean(), reason: z.string().max(500).optional() })
  .meta({ id: 'ApprovalAckRequest' });

/** A run a node holds until its admin decides. */
export const PendingApprovalSchema = z
  .object({
    runId: IdSchema,
    taskId: IdSchema,
    nodeId: IdSchema,
    nodeName: z.string(),
    studyId: IdSchema,
    studyTitle: z.string(),
    algorithm: z.string(),
    version: z.string(),
    digest: z.string(),
    params: JsonSchema,
    variables: z.array(z.string()),
    reason: z.string(),
    requester: RequesterSchema.nullable(),
    since: TimestampSchema,
  })
  .meta({ id: 'PendingApproval' });
export type PendingApproval = z.infer<typeof PendingApprovalSchema>;

export const ApprovalStateSchema = z
  .object({ pending: z.array(PendingApprovalSchema), decisions: z.array(ApprovalDecisionSchema) })
  .meta({ id: 'ApprovalState' });
export type ApprovalState = z.infer<typeof ApprovalStateSchema>;

/**
 * The exact string a node administrator signs for a decision relayed by the hub. It holds what the
 * administrator chose (not what the hub fills in later), so the node can check that the hub relays the
 * decision unchanged: node, study, decision, algorithm and version as given, reason, time, nonce, and the
 * permission digest when the administrator approved a given permission set.
 */
export function adminStatementSigningString(
  nodeId: string,
  d: {
    studyId: string;
    decision: string;
    algorithm?: string | null | undefined;
    version?: string | null | undefined;
    reason?: string | null | undefined;
  },
  s: Pick<AdminStatement, 'keyName' | 'issuedAt' | 'nonce' | 'permissionDigest'>,
): string {
  return [
    'fedhub-admin-decision/v1',
    nodeId,
    d.studyId,
    d.decision,
    d.algorithm ?? '',
    d.version ?? '',
    d.reason ?? '',
    s.keyName,
    s.issuedAt,
    s.nonce,
    s.permissionDigest ?? '',
  ].join('\n');
}

/** The exact string the hub signs for a relayed approval decision. */
export function approvalSigningString(
  d: Omit<ApprovalDecision, 'signature' | 'ack' | 'adminSignature'>,
): string {
  return [
    'fedhub-approval/v1',
    d.id,
    d.nodeId,
    d.studyId,
    d.decision,
    d.algorithm ?? '',
    d.version ?? '',
    d.digest ?? '',
    d.reason ?? '',
    d.decidedBy.userId,
    d.decidedBy.username,
    d.decidedBy.organisationId,
    [...d.decidedBy.roles].sort().join(','),
    d.createdAt,
  ].join('\n');
}

/** A signed checkpoint of the hub's audit chain: entry `seq` has hash `headHash` at time `at`. */
export const AuditCheckpointSchema = z
  .object({
    seq: z.int().min(0),
    headHash: z.string(),
    at: TimestampSchema,
    signature: z.string(),
    hubPublicKey: z.string().describe('base64url SPKI DER of the hub Ed25519 key'),
  })
  .meta({ id: 'AuditCheckpoint' });
export type AuditCheckpoint = z.infer<typeof AuditCheckpointSchema>;

/** The exact string the hub signs for a checkpoint. */
export function checkpointSigningString(c: { seq: number; headHash: string; at: string }): string {
  return `fedhub-checkpoint/v1\n${c.seq}\n${c.headHash}\n${c.at}`;
}
