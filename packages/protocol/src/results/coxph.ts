import { z } from 'zod';
import { CoefficientSchema, ResultNodes, ResultNumber } from './common.js';

/**
 * A `coxph` result: coefficients with hazard ratios, the likelihood-ratio test and Harrell's C, as R's
 * `summary(coxph(...))` on the coarsened times.
 *
 * @example
 * CoxphResultSchema.shape.algorithm.parse('coxph');
 */
/** One chi-square test of a term (or GLOBAL). */
const ChiSquareRowSchema = z.looseObject({
  term: z.string(),
  chisq: ResultNumber,
  df: ResultNumber,
  pValue: ResultNumber,
});

export const CoxphResultSchema = z.looseObject({
  algorithm: z.literal('coxph'),
  formula: z.string(),
  ties: z.string(),
  coefficients: z.array(CoefficientSchema),
  concordance: z.looseObject({ value: ResultNumber }),
  n: ResultNumber,
  events: ResultNumber,
  nodes: ResultNodes,
  /**
   * Factor → its levels held by some record, the first being the reference (treatment contrasts), as glm
   * releases them: the forest plot shows each factor's reference level. Absent from results of before 1.5.0.
   */
  levels: z.record(z.string(), z.array(z.string())).optional(),
  /** Per-term Wald tests (multi-df for a factor): b_T' V_TT^-1 b_T. */
  termTests: z.array(ChiSquareRowSchema).optional(),
  /** With `phTest`: cox.zph's proportional-hazards test, per term and GLOBAL. */
  proportionalHazards: z
    .looseObject({ transform: z.enum(['km', 'identity']), table: z.array(ChiSquareRowSchema) })
    .optional(),
  /** With `robust` or `cluster`: coxph's robust standard errors (z, p and intervals from them). */
  robust: z
    .looseObject({
      cluster: z.string(),
      clusters: ResultNumber,
      coefficients: z.array(
        z.looseObject({ term: z.string(), robustSe: ResultNumber, z: ResultNumber, pValue: ResultNumber }),
      ),
      wald: z.looseObject({
        statistic: ResultNumber.nullable(),
        df: ResultNumber,
        pValue: ResultNumber.nullable(),
      }),
    })
    .optional(),
  /**
   * With `survivalCurves`: survfit(fit, newdata) per curve and stratum, released at the ends of intervals
   * (start, time] of at least `minCellCount` deaths; `coarsened` marks the merged ones.
   */
  survivalCurves: z
    .looseObject({
      minCellCount: ResultNumber,
      mergedTimes: ResultNumber,
      curves: z.array(
        z.looseObject({
          label: z.string(),
          stratum: z.string().nullable(),
          start: z.array(ResultNumber),
          time: z.array(ResultNumber),
          coarsened: z.array(z.boolean()),
          surv: z.array(ResultNumber),
          lower: z.array(ResultNumber),
          upper: z.array(ResultNumber),
        }),
      ),
    })
    .optional(),
});
export type CoxphResult = z.infer<typeof CoxphResultSchema>;
