/** Events the hub pushes to clients (WebSocket `/api/events`) and that long-poll endpoints return. */
import { z } from 'zod';
import { IdSchema } from './common.js';
import { RUN_STATUSES, TASK_STATUSES } from './entities.js';
import { ErrorBodySchema } from './errors.js';

export const TaskEventSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('task.created'),
      taskId: IdSchema,
      studyId: IdSchema,
      at: z.string(),
    }),
    z.object({
      type: z.literal('run.updated'),
      taskId: IdSchema,
      runId: IdSchema,
      nodeId: IdSchema,
      nodeName: z.string(),
      round: z.int(),
      attempt: z.int(),
      status: z.enum(RUN_STATUSES),
      error: ErrorBodySchema.nullable(),
      at: z.string(),
    }),
    z.object({ type: z.literal('round.started'), taskId: IdSchema, round: z.int(), at: z.string() }),
    z.object({
      type: z.literal('task.finished'),
      taskId: IdSchema,
      status: z.enum(TASK_STATUSES),
      error: ErrorBodySchema.nullable(),
      at: z.string(),
    }),
  ])
  .meta({ id: 'TaskEvent' });
export type TaskEvent = z.infer<typeof TaskEventSchema>;

/** Client -> hub message on the events socket. */
export const EventSubscribeSchema = z.object({
  subscribe: z.object({ taskIds: z.array(IdSchema).max(1000).optional(), studyId: IdSchema.optional() }),
});
