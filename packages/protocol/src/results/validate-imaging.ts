import { z } from 'zod';
import { ResultNodes, ResultNumber } from './common.js';

/** A metric's pooled aggregates: never one case's value (see validate-imaging's metric-summary). */
export const PooledCaseMetricSchema = z.looseObject({
  n: ResultNumber,
  mean: ResultNumber,
  sd: ResultNumber,
  q1: ResultNumber,
  median: ResultNumber,
  q3: ResultNumber,
  below: z.array(z.looseObject({ threshold: z.number(), atLeast: z.number(), atMost: z.number() })),
  intervals: z.array(z.looseObject({ lo: z.number(), hi: z.number(), n: z.number() })),
});
export type PooledCaseMetric = z.infer<typeof PooledCaseMetricSchema>;

/** Cases scored and cases excluded per reason (a count under the minimum cell count is null). */
export const ImagingCasesSchema = z.looseObject({
  processed: ResultNumber,
  excluded: z.array(z.looseObject({ reason: z.string(), count: ResultNumber })),
});

/** The segmentation metrics, pooled: Dice, HD95 (mm), surface Dice per tolerance (mm). */
export const SegmentationMetricsSchema = z.looseObject({
  dice: PooledCaseMetricSchema,
  hd95: PooledCaseMetricSchema,
  surfaceDice: z.array(z.looseObject({ tolerance: z.number(), metric: PooledCaseMetricSchema })),
  /** Cases with an empty prediction: Dice 0, no HD95 (left out of its aggregates). */
  emptyPredictions: ResultNumber,
});

/**
 * A `validate-imaging` result: an ONNX image model run at each node over its DICOM store. A classifier
 * gets `validate`'s discrimination and calibration metrics (`classification`), a segmentation model the
 * pooled aggregates of Dice, HD95 and surface Dice (`segmentation`); never a per-case value.
 *
 * @example
 * ValidateImagingResultSchema.shape.algorithm.parse('validate-imaging');
 */
export const ValidateImagingResultSchema = z.looseObject({
  algorithm: z.literal('validate-imaging'),
  task: z.enum(['classification', 'segmentation']),
  model: z.unknown(),
  cases: ImagingCasesSchema,
  classification: z
    .looseObject({
      pooled: z.looseObject({
        n: ResultNumber,
        events: ResultNumber,
        auc: ResultNumber,
        brier: ResultNumber,
        calibrationSlope: ResultNumber,
        calibrationInLarge: ResultNumber,
      }),
      perCentre: z.array(z.looseObject({ centre: z.string() })).optional(),
    })
    .optional(),
  segmentation: SegmentationMetricsSchema.optional(),
  perCentre: z.array(z.looseObject({ centre: z.string(), cases: ImagingCasesSchema.optional() })).optional(),
  nodes: ResultNodes,
});
export type ValidateImagingResult = z.infer<typeof ValidateImagingResultSchema>;
