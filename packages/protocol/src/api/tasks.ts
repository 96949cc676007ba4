import { z } from 'zod';
import { IdSchema, JsonSchema, SlugSchema } from '../common.js';

/**
 * Submit a task: run `algorithm` (latest version unless `version` given) with `params` on the study's nodes.
 *
 * @example
 * { studyId, algorithm: 'summary', params: { dataset: 'cohort', columns: ['age'] } }
 */
export const CreateTaskRequestSchema = z
  .object({
    studyId: IdSchema,
    algorithm: SlugSchema,
    version: z.string().max(40).optional(),
    params: JsonSchema,
    nodeIds: z.array(IdSchema).min(1).optional().describe("A subset of the study's nodes (all if omitted)"),
    title: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('A title that tells this task apart in lists (default: a summary of its parameters)'),
  })
  .meta({ id: 'CreateTaskRequest' });
export type CreateTaskRequest = z.infer<typeof CreateTaskRequestSchema>;

export const WaitQuerySchema = z.object({
  since: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('Return at once if the task changed after this revision'),
  timeoutMs: z.coerce.number().int().min(0).max(60000).default(25000),
});
