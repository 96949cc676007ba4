import { z } from 'zod';
import { ResultNodes, ResultNumber } from './common.js';

const metrics = {
  n: ResultNumber,
  events: ResultNumber,
  auc: ResultNumber,
  brier: ResultNumber,
};

/**
 * A `validate` result: discrimination (AUC), calibration and Brier score of a frozen binary model,
 * pooled, per centre where the study allows it, and per subgroup level where the study allows subgroup analyses.
 *
 * @example
 * ValidateResultSchema.shape.algorithm.parse('validate');
 */
export const ValidateResultSchema = z.looseObject({
  algorithm: z.literal('validate'),
  outcome: z.string(),
  scoreResolution: z.number(),
  pooled: z.looseObject({
    ...metrics,
    calibrationSlope: ResultNumber,
    calibrationInLarge: ResultNumber,
    /** Wald 95% intervals (R confint.default of the two calibration GLMs). */
    calibrationSlopeCiLower: ResultNumber.optional(),
    calibrationSlopeCiUpper: ResultNumber.optional(),
    calibrationInLargeCiLower: ResultNumber.optional(),
    calibrationInLargeCiUpper: ResultNumber.optional(),
    hosmerLemeshow: z.unknown().optional(),
  }),
  perCentre: z.array(z.looseObject({ centre: z.string(), ...metrics })).optional(),
  subgroups: z
    .looseObject({
      column: z.string(),
      levels: z
        .array(
          z.looseObject({
            level: z.string(),
            n: z.number(),
            events: z.number(),
            auc: ResultNumber.nullable(),
            aucCiLower: ResultNumber.nullable(),
            aucCiUpper: ResultNumber.nullable(),
            brier: ResultNumber.nullable(),
            observedExpected: ResultNumber.nullable(),
            // 1.6.0: the level's calibration slope and in the large, Wald 95% CIs (R confint.default)
            calibrationSlope: ResultNumber.nullable().optional(),
            calibrationSlopeCiLower: ResultNumber.nullable().optional(),
            calibrationSlopeCiUpper: ResultNumber.nullable().optional(),
            calibrationInLarge: ResultNumber.nullable().optional(),
            calibrationInLargeCiLower: ResultNumber.nullable().optional(),
            calibrationInLargeCiUpper: ResultNumber.nullable().optional(),
          }),
        )
        .nullable()
        .describe('Null where a centre could not release every level under its policy'),
      centresWithheld: z.number(),
      withheldReason: z.string().optional(),
    })
    .optional()
    .describe('Measures within each declared level of `subgroup`, where the study allows subgroup analyses'),
  nodes: ResultNodes,
});
export type ValidateResult = z.infer<typeof ValidateResultSchema>;
