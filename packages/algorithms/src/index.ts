export * from './additive.js';
export * from './columns-read.js';
export * from './common-params.js';
export { type CoxParams, CoxParamsSchema, coxph, splitStrata } from './coxph/coxph.js';
export { type CrosstabParams, CrosstabParamsSchema, crosstab, MISSING_LEVEL } from './crosstab/crosstab.js';
export * from './define-algorithm.js';
export { ChisqParamsSchema, chisq } from './descriptive-tests/chisq.js';
export { QuantilesParamsSchema, quantiles } from './descriptive-tests/quantiles.js';
export { TtestParamsSchema, ttest } from './descriptive-tests/ttest.js';
export { type DrlSurveyParams, DrlSurveyParamsSchema, drlSurvey } from './drl-survey/drl-survey.js';
export { type DvhBandsParams, DvhBandsParamsSchema, dvhBands, levelsOf } from './dvh-bands/dvh-bands.js';
export { type DvhExtractParams, DvhExtractParamsSchema, dvhExtract } from './dvh-extract/dvh-extract.js';
export { type GlmParams, GlmParamsSchema, glm } from './glm/glm.js';
export { type KmParams, KmParamsSchema, km } from './km/km.js';
export { type LkbParams, LkbParamsSchema, lkb } from './lkb/lkb.js';
export * from './masked-range.js';
export { formulaColumnsBeforeParsing } from './model-data/model-data.js';
export { PingParamsSchema, ping } from './ping/ping.js';
export * from './precision.js';
export * from './registry.js';
export { mergeMoments, type SummaryParams, SummaryParamsSchema, summary } from './summary/summary.js';
export * from './types.js';
export { type ConcordanceSummary, concordanceSummary } from './validate/concordance-summary.js';
export { checkOnnxMapping, OnnxModelParam, type OnnxModelParams } from './validate/onnx-scores.js';
export { groupMembers, type MergedScores, mergeScoreBins } from './validate/score-merge.js';
export { type ValidateParams, ValidateParamsSchema, validate } from './validate/validate.js';
export {
  type ValidateSurvivalParams,
  ValidateSurvivalParamsSchema,
  validateSurvival,
} from './validate/validate-survival.js';
export {
  METRIC_GRIDS,
  type NodeMetricSummary,
  poolMetric,
  summariseAtNode,
} from './validate-imaging/metric-summary.js';
export { type ValidateImagingParams, ValidateImagingParamsSchema } from './validate-imaging/params.js';
export { predictedMask, prepareCase } from './validate-imaging/prepare-case.js';
export { type SegMetrics, segMetrics } from './validate-imaging/seg-metrics.js';
