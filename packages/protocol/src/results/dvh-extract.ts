import { z } from 'zod';
import { ResultNumber } from './common.js';

/**
 * A `dvh-extract` result: what each node derived (the DVH tables stay there as derived datasets) and the
 * pooled counts of patients.
 *
 * @example
 * DvhExtractResultSchema.shape.algorithm.parse('dvh-extract');
 */
export const DvhExtractResultSchema = z.looseObject({
  algorithm: z.literal('dvh-extract'),
  nodes: z.array(z.looseObject({ node: z.string(), output: z.unknown() })),
  processed: ResultNumber,
  patients: ResultNumber,
});
export type DvhExtractResult = z.infer<typeof DvhExtractResultSchema>;
