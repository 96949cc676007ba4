/** The objects the hub stores, as the API returns them. */
import { z } from 'zod';
import { APPROVAL_MODES } from './api/approvals.js';
import { IdSchema, JsonSchema, NameSchema, RoleSchema, SlugSchema, TimestampSchema } from './common.js';
import { DataDictionarySchema } from './dataset.js';
import { ErrorBodySchema } from './errors.js';

export const OrganisationSchema = z
  .object({
    id: IdSchema,
    name: NameSchema,
    country: z.string().length(2).optional(),
    createdAt: TimestampSchema,
  })
  .meta({ id: 'Organisation' });
export type Organisation = z.infer<typeof OrganisationSchema>;

export const UserSchema = z
  .object({
    id: IdSchema,
    username: z.string(),
    displayName: z.string().optional(),
    organisationId: IdSchema,
    roles: z.array(RoleSchema),
    createdAt: TimestampSchema,
    disabledAt: TimestampSchema.nullable()
      .optional()
      .describe('When the account was disabled (or deleted); null while it is usable'),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof UserSchema>;

export const CollaborationSchema = z
  .object({
    id: IdSchema,
    name: NameSchema,
    description: z.string().optional(),
    organisationIds: z.array(IdSchema),
    createdAt: TimestampSchema,
  })
  .meta({ id: 'Collaboration' });
export type Collaboration = z.infer<typeof CollaborationSchema>;

/**
 * How a node decides on runs, as the node reports it in its heartbeat (issue 20: the inbox shows the
 * node's approval mode). The node stays the authority; this is what it says of itself.
 */
export const NodeApprovalPolicySchema = z
  .object({
    defaultMode: z.enum(APPROVAL_MODES).describe('Mode of a study the node has no decision for'),
    acceptHubDecisions: z
      .boolean()
      .describe('Whether decisions relayed by the hub are applied (when signed)'),
    automaticAlgorithms: z
      .array(z.string().max(100))
      .max(500)
      .nullable()
      .describe('Algorithms run without asking in automatic mode; null: every built-in one'),
    maxVariables: z
      .int()
      .min(1)
      .nullable()
      .describe('Most columns an automatic run may read; null: no limit'),
    enrolledAdminKeys: z
      .int()
      .min(0)
      .describe('Administrator keys enrolled at the node (that may sign decisions)'),
  })
  .meta({ id: 'NodeApprovalPolicy' });
export type NodeApprovalPolicy = z.infer<typeof NodeApprovalPolicySchema>;

export const NODE_STATUSES = ['awaiting-enrolment', 'online', 'offline'] as const;
export const NodeSchema = z
  .object({
    id: IdSchema,
    name: NameSchema,
    organisationId: IdSchema,
    collaborationId: IdSchema,
    status: z.enum(NODE_STATUSES),
    lastSeenAt: TimestampSchema.nullable(),
    version: z.string().nullable(),
    publicKeys: z.object({ x25519: z.string(), ed25519: z.string() }).nullable(),
    datasets: z.array(DataDictionarySchema),
    createdAt: TimestampSchema,
    approvals: NodeApprovalPolicySchema.nullable()
      .optional()
      .describe('How the node approves runs, as it last reported; null before its first report'),
  })
  .meta({ id: 'Node' });
export type HubNode = z.infer<typeof NodeSchema>;

// The study (the unit of permission) lives in study.ts.

export const TASK_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/**
 * `pending-approval`: the node holds the run until its administrator approves the study and algorithm
 * version (no lease runs meanwhile, so it is never re-queued as if the node had died).
 */
export const RUN_STATUSES = [
  'queued',
  'claimed',
  'pending-approval',
  'completed',
  'refused',
  'failed',
  'cancelled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One node's part of one round of a task. */
/**
 * Cases done of a run's total, as its node reports them with the run's heartbeats (validate-imaging). A node
 * reports only totals of at least its minimum subset size (a smaller count would tell more than the
 * released aggregates).
 */
export const RunProgressSchema = z
  .object({ done: z.int().min(0).max(10_000_000), total: z.int().min(0).max(10_000_000) })
  .meta({ id: 'RunProgress' });
export type RunProgress = z.infer<typeof RunProgressSchema>;

export const RunSchema = z
  .object({
    id: IdSchema,
    taskId: IdSchema,
    nodeId: IdSchema,
    nodeName: z.string(),
    round: z.int().min(1),
    attempt: z.int().min(0).describe('Number of times the run has been claimed'),
    status: z.enum(RUN_STATUSES),
    leaseExpiresAt: TimestampSchema.nullable(),
    error: ErrorBodySchema.nullable(),
    startedAt: TimestampSchema.nullable(),
    finishedAt: TimestampSchema.nullable(),
    progress: RunProgressSchema.nullable()
      .optional()
      .describe('Cases done / total, as the node last reported them (algorithms that report progress)'),
  })
  .meta({ id: 'Run' });
export type Run = z.infer<typeof RunSchema>;

export const TaskSchema = z
  .object({
    id: IdSchema,
    studyId: IdSchema,
    collaborationId: IdSchema,
    algorithm: SlugSchema,
    version: z.string(),
    params: JsonSchema,
    nodeIds: z.array(IdSchema),
    status: z.enum(TASK_STATUSES),
    round: z.int().min(1),
    result: JsonSchema.nullable(),
    error: ErrorBodySchema.nullable(),
    createdBy: IdSchema,
    createdAt: TimestampSchema,
    finishedAt: TimestampSchema.nullable(),
    title: z.string().nullable().optional().describe('The title given at submission, if any'),
    createdByName: z.string().nullable().optional().describe("The submitter's username"),
  })
  .meta({ id: 'Task' });
export type Task = z.infer<typeof TaskSchema>;

/**
 * A task as lists carry it: everything but its `result` (a study with 1,000 KM-sized results would be
 * ~24 MB of JSON), plus whether it has one. `GET /api/tasks/:id` (or the list's `withResults=true`) gives it.
 */
export const TaskSummarySchema = TaskSchema.omit({ result: true })
  .extend({
    hasResult: z.boolean().describe('Whether the task has a result (fetch it with GET /api/tasks/:id)'),
  })
  .meta({ id: 'TaskSummary' });
export type TaskSummary = z.infer<typeof TaskSummarySchema>;

/** A list entry of `GET /api/tasks`: the summary, with its `result` only when the caller asked for results. */
export const TaskListEntrySchema = TaskSummarySchema.extend({
  result: JsonSchema.nullable().optional().describe('Only with withResults=true'),
}).meta({ id: 'TaskListEntry' });
export type TaskListEntry = z.infer<typeof TaskListEntrySchema>;

export const TaskDetailSchema = TaskSchema.extend({ runs: z.array(RunSchema) }).meta({ id: 'TaskDetail' });
export type TaskDetail = z.infer<typeof TaskDetailSchema>;

/** A built-in algorithm as the hub advertises it. */
/**
 * What an algorithm releases, in words, for the Art. 30 record: what leaves each node to be pooled, and
 * what is released per node where a study allows per-node breakdowns (null when nothing is).
 *
 * @example
 * AlgorithmReleasesSchema.parse({ pooled: 'counts per level', perNode: null });
 */
export const AlgorithmReleasesSchema = z.object({
  pooled: z.string().min(1),
  perNode: z.string().min(1).nullable(),
});
export type AlgorithmReleases = z.infer<typeof AlgorithmReleasesSchema>;

export const AlgorithmInfoSchema = z
  .object({
    name: SlugSchema,
    version: z.string(),
    title: z.string(),
    description: z.string(),
    digest: z.string().describe('sha256 of the algorithm definition, bound into approvals'),
    paramsJsonSchema: z.record(z.string(), z.unknown()),
    releases: AlgorithmReleasesSchema.optional().describe('What the algorithm releases (Art. 30 record)'),
  })
  .meta({ id: 'AlgorithmInfo' });
export type AlgorithmInfo = z.infer<typeof AlgorithmInfoSchema>;
