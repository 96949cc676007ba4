/** The node <-> hub protocol. Nodes dial out; the hub never connects to a node. */
import { z } from 'zod';
import { IdSchema, JsonSchema, SlugSchema } from '../common.js';
import { DataDictionarySchema } from '../dataset.js';
import { NodeApprovalPolicySchema, RunProgressSchema } from '../entities.js';
import { ErrorBodySchema } from '../errors.js';
import { StudyDescriptorSchema } from '../study.js';

export const EnrolRequestSchema = z
  .object({
    enrolmentToken: z.string().min(16).max(200),
    publicKeys: z.object({
      x25519: z.string().min(40).max(200).describe('base64url SPKI DER of the X25519 key'),
      ed25519: z.string().min(40).max(200).describe('base64url SPKI DER of the Ed25519 key'),
    }),
    version: z.string().max(40),
  })
  .meta({ id: 'EnrolRequest' });

export const EnrolResponseSchema = z
  .object({
    nodeId: IdSchema,
    nodeName: z.string(),
    collaborationId: IdSchema,
    nodeToken: z.string(),
    organisationId: IdSchema.optional().describe(
      "The node's organisation (whose node-admins may decide for it)",
    ),
    hubPublicKey: z
      .string()
      .optional()
      .describe("The hub's Ed25519 key, trusted by the node on first use (checkpoints, relayed decisions)"),
  })
  .meta({ id: 'EnrolResponse' });

export const NodeHeartbeatRequestSchema = z
  .object({
    version: z.string().max(40),
    clock: z.string().describe("The node's clock (ISO time) for skew checks"),
    datasets: z.array(DataDictionarySchema).max(200),
    approvals: NodeApprovalPolicySchema.optional().describe(
      'How the node approves runs (shown to its admins)',
    ),
  })
  .meta({ id: 'NodeHeartbeatRequest' });
export const NodeHeartbeatResponseSchema = z
  .object({ serverTime: z.string(), leaseMs: z.int() })
  .meta({ id: 'NodeHeartbeatResponse' });

export const ClaimRequestSchema = z
  .object({ waitMs: z.int().min(0).max(30000).default(20000) })
  .meta({ id: 'ClaimRequest' });

/** What a node receives when it claims a run. */
export const RunAssignmentSchema = z
  .object({
    runId: IdSchema,
    taskId: IdSchema,
    studyId: IdSchema,
    study: StudyDescriptorSchema.describe('The study, for the node to re-check the run against it'),
    algorithm: SlugSchema,
    version: z.string(),
    digest: z.string(),
    params: JsonSchema,
    round: z.int().min(1),
    firstRound: z
      .int()
      .min(1)
      .optional()
      .describe(
        "Round at which the task's current attempt began (after a dropout the task starts again without the dropped node); the algorithm's own step is round - firstRound + 1",
      ),
    attempt: z.int().min(1),
    input: JsonSchema.describe('What the aggregator sends for this round (e.g. current coefficients)'),
    leaseExpiresAt: z.string(),
    leaseMs: z.int(),
    peers: z
      .array(
        z.object({
          nodeId: IdSchema,
          x25519: z.string(),
          organisationId: IdSchema.optional().describe(
            "The peer's organisation, from the hub's records (each node checks its floor of distinct organisations)",
          ),
        }),
      )
      .describe('The participating nodes of this round (this node included), for secure aggregation'),
    requester: z
      .object({ userId: IdSchema, username: z.string() })
      .optional()
      .describe('Who submitted the task (shown to the node admin when approval is needed)'),
  })
  .meta({ id: 'RunAssignment' });
export type RunAssignment = z.infer<typeof RunAssignmentSchema>;

export const ClaimResponseSchema = z
  .object({ run: RunAssignmentSchema.nullable(), serverTime: z.string() })
  .meta({ id: 'ClaimResponse' });

export const RunHeartbeatRequestSchema = z
  .object({ attempt: z.int().min(1), progress: RunProgressSchema.optional() })
  .meta({ id: 'RunHeartbeatRequest' });
export const RunHeartbeatResponseSchema = z
  .object({ leaseExpiresAt: z.string(), cancelled: z.boolean() })
  .meta({ id: 'RunHeartbeatResponse' });

export const RESULT_OUTCOMES = ['completed', 'refused', 'failed'] as const;

/**
 * A node's signed result for one attempt of one run. The signature covers
 * {@link resultSigningString}(taskId, runId, round, attempt, outcome, digest), where digest is the sha256 of
 * the canonical JSON of `payload` (or of `error` when refused or failed).
 */
export const RunResultRequestSchema = z
  .object({
    attempt: z.int().min(1),
    round: z.int().min(1),
    outcome: z.enum(RESULT_OUTCOMES),
    payload: JsonSchema.nullable(),
    error: ErrorBodySchema.nullable(),
    digest: z.string().regex(/^[0-9a-f]{64}$/),
    signature: z.string().max(200).describe('base64url Ed25519 signature'),
  })
  .meta({ id: 'RunResultRequest' });
export type RunResultRequest = z.infer<typeof RunResultRequestSchema>;

export const RunResultResponseSchema = z
  .object({ accepted: z.boolean(), duplicate: z.boolean(), runId: IdSchema, attempt: z.int() })
  .meta({ id: 'RunResultResponse' });

/** The exact string a node signs for a result. */
export function resultSigningString(f: {
  taskId: string;
  runId: string;
  round: number;
  attempt: number;
  outcome: string;
  digest: string;
}): string {
  return `fedhub-result/v1\n${f.taskId}\n${f.runId}\n${f.round}\n${f.attempt}\n${f.outcome}\n${f.digest}`;
}
