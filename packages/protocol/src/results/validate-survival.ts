import { z } from 'zod';
import { ResultNodes, ResultNumber } from './common.js';

const metrics = {
  n: ResultNumber,
  events: ResultNumber,
  concordance: ResultNumber,
  stdError: ResultNumber,
  ciLower: ResultNumber,
  ciUpper: ResultNumber,
};

/**
 * A `validate-survival` result: Harrell's C of a frozen Cox model, pooled, and per centre where the
 * study allows it.
 *
 * @example
 * ValidateSurvivalResultSchema.shape.algorithm.parse('validate-survival');
 */
export const ValidateSurvivalResultSchema = z.looseObject({
  algorithm: z.literal('validate-survival'),
  time: z.string(),
  event: z.string(),
  strata: z.string().nullable(),
  /** Pairs compared only within each centre (a model fitted with adjustForCentre: no common baseline). */
  adjustForCentre: z.boolean().optional(),
  timeResolution: z.number(),
  scoreResolution: z.number(),
  pooled: z.looseObject({
    ...metrics,
    /**
     * Uno's C (survival::concordance(timewt = "n/G2"), censoring weights per stratum or centre) with its
     * jackknife s.e. and Wald CI; null in results of versions before 1.4.0 with strata.
     */
    uno: z
      .looseObject({
        concordance: ResultNumber,
        stdError: ResultNumber,
        ciLower: ResultNumber,
        ciUpper: ResultNumber,
      })
      .nullable()
      .optional(),
    /**
     * With `aucTimes`: cumulative/dynamic AUC(t) with IPCW (Blanche 2013), per time; null where undefined.
     * From validate-survival 1.6.0 with timeROC's iid standard error `se` and a Wald 95% interval on the
     * AUC scale (`lower`, `upper`, clipped to [0, 1]); absent in results of earlier versions.
     */
    timeDependentAuc: z
      .array(
        z.looseObject({
          time: z.number(),
          timeUsed: ResultNumber,
          auc: ResultNumber,
          cases: ResultNumber,
          controls: ResultNumber,
          se: ResultNumber.optional(),
          lower: ResultNumber.optional(),
          upper: ResultNumber.optional(),
        }),
      )
      .optional(),
  }),
  perCentre: z.array(z.looseObject({ centre: z.string(), ...metrics })).optional(),
  nodes: ResultNodes,
});
export type ValidateSurvivalResult = z.infer<typeof ValidateSurvivalResultSchema>;
