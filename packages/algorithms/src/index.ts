export * from './additive.js';
export * from './common-params.js';
export { type CrosstabParams, CrosstabParamsSchema, crosstab, MISSING_LEVEL } from './crosstab/crosstab.js';
export * from './define-algorithm.js';
export { type GlmParams, GlmParamsSchema, glm } from './glm/glm.js';
export { PingParamsSchema, ping } from './ping/ping.js';
export * from './registry.js';
export { mergeMoments, type SummaryParams, SummaryParamsSchema, summary } from './summary/summary.js';
export * from './types.js';
