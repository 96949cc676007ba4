/**
 * @fedhub/stats: pure federated numerics. Each method is split into a local partial (a flat
 * Float64Array computed per node), the element-wise sum of partials (secure-aggregatable), and a
 * pure aggregate function of that sum whose result equals R on the pooled rows.
 */

export * from './cox/index.js';
export * from './descriptive/index.js';
export * from './digamma.js';
export * from './distributions.js';
export { StatsError, StatsErrorCode } from './errors.js';
export * from './formula/index.js';
export * from './glm/index.js';
export * from './km/index.js';
export * from './linalg.js';
export * from './parallel/index.js';
export * from './partial.js';
export * from './validation/index.js';
