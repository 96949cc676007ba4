/**
 * Pieces shared by the result schemas of the built-in algorithms. Results are checked as they leave the
 * aggregator (in-process numbers may be NaN or infinite, e.g. an inestimable coefficient), so a number
 * here is any JavaScript number or null (JSON's form of NaN). Objects are loose: a newer version may add
 * fields without breaking an older reader.
 */
import { z } from 'zod';

/** Any number, NaN and infinities included, or null. */
export const ResultNumber = z.custom<number | null>(
  (v) => v === null || typeof v === 'number',
  'expected a number or null',
);

/** The names of the nodes whose parts were pooled. */
export const ResultNodes = z.array(z.string());

/** A model term's estimate (glm, coxph). */
export const CoefficientSchema = z.looseObject({
  term: z.string(),
  estimate: ResultNumber,
  stdError: ResultNumber,
  pValue: ResultNumber,
});

/** The differential-privacy noise of nodes that released under it, where any did. */
export const NoiseListSchema = z.array(z.looseObject({ node: z.string() })).optional();
