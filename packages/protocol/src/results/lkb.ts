import { z } from 'zod';
import { ResultNodes, ResultNumber } from './common.js';

const Triple = z.looseObject({ TD50: ResultNumber, m: ResultNumber, n: ResultNumber });
const Bounds = z.tuple([ResultNumber, ResultNumber]);

/**
 * An `lkb` result: the Lyman–Kutcher–Burman NTCP fit (TD50 in Gy, m, n), profile-likelihood intervals
 * (a null bound: the profile does not fall far enough on that side), the log-likelihood, the pooled
 * patients and events, and the NTCP curve against gEUD with pointwise intervals.
 *
 * @example
 * LkbResultSchema.shape.algorithm.parse('lkb');
 */
export const LkbResultSchema = z.looseObject({
  algorithm: z.literal('lkb'),
  estimates: Triple,
  confLevel: z.number(),
  profileIntervals: z.looseObject({ TD50: Bounds, m: Bounds, n: Bounds }).nullable(),
  logScaleStdErrors: Triple.nullable(),
  logScaleCovariance: z.array(z.array(ResultNumber)).nullable(),
  ntcpCurve: z
    .array(
      z.looseObject({ geudGy: z.number(), ntcp: ResultNumber, lower: ResultNumber, upper: ResultNumber }),
    )
    .nullable(),
  logLik: ResultNumber,
  /** The TG-263 structure name given in the params (absent on results from before it existed). */
  organ: z.string().nullable().optional(),
  patients: z.number(),
  events: z.number(),
  converged: z.boolean(),
  nodes: ResultNodes,
});
export type LkbResult = z.infer<typeof LkbResultSchema>;
