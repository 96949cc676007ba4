import { z } from 'zod';
import { ResultNumber } from './common.js';

/**
 * A `radiomics-extract` result: what each node derived (the features stay there as a derived dataset)
 * and the pooled counts of patients.
 *
 * @example
 * RadiomicsExtractResultSchema.shape.algorithm.parse('radiomics-extract');
 */
export const RadiomicsExtractResultSchema = z.looseObject({
  algorithm: z.literal('radiomics-extract'),
  nodes: z.array(z.looseObject({ node: z.string(), output: z.unknown(), features: z.unknown() })),
  processed: ResultNumber,
  patients: ResultNumber,
});
export type RadiomicsExtractResult = z.infer<typeof RadiomicsExtractResultSchema>;
