export * from './types.js';
export * from './define-algorithm.js';
export * from './common-params.js';
export * from './registry.js';
export { summary, SummaryParamsSchema, mergeMoments, type SummaryParams } from './summary/summary.js';
export { crosstab, CrosstabParamsSchema, MISSING_LEVEL, type CrosstabParams } from './crosstab/crosstab.js';
export { ping, PingParamsSchema } from './ping/ping.js';
