export * from './aggregate.js';
export * from './family.js';
export * from './fit.js';
export * from './partial.js';
export * from './summary.js';
