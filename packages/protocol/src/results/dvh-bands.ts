import { z } from 'zod';
import { ResultNodes } from './common.js';

const Level = z.array(z.number().nullable());

/** One percentile across patients at every dose level: the value (% volume), its rounding and the range that holds the exact one. */
export const DvhBandSchema = z.looseObject({
  prob: z.number(),
  value: Level,
  /** Width (points) of the rounding interval each value was released at; 0: exact (k or more patients there). */
  resolution: Level,
  lower: Level,
  upper: Level,
  /** Set (FH_ERR_SMALL_CELL) when the percentile lies too near either end for the number of patients. */
  withheld: z.string().optional(),
});

/**
 * A `dvh-bands` result: percentiles across patients of the cumulative DVH (% of the structure receiving at
 * least each dose level), pooled and, where the study allows, per centre. Each value's bracket
 * [lower, upper] holds the exact type-7 percentile of the patients' values; each rests on at least
 * `minCellCount` patients.
 *
 * @example
 * DvhBandsResultSchema.shape.algorithm.parse('dvh-bands');
 */
export const DvhBandsResultSchema = z.looseObject({
  algorithm: z.literal('dvh-bands'),
  structure: z.string().nullable(),
  probs: z.array(z.number()),
  doseGy: z.array(z.number()),
  gridPct: z.number(),
  minCellCount: z.number(),
  pooled: z.looseObject({ patients: z.number(), bands: z.array(DvhBandSchema) }),
  centres: z
    .array(
      z.looseObject({
        node: z.string(),
        patients: z.number().nullable(),
        bands: z.array(DvhBandSchema).nullable(),
      }),
    )
    .nullable(),
  nodes: ResultNodes,
});
export type DvhBandsResult = z.infer<typeof DvhBandsResultSchema>;
