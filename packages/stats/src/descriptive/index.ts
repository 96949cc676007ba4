export * from './fisher.js';
export * from './histogram.js';
export * from './moments.js';
export * from './quantile-ci.js';
export * from './quantiles.js';
export * from './tests.js';
