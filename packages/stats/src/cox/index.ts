export * from './aggregate.js';
export * from './concordance.js';
export * from './fit.js';
export * from './grid.js';
export * from './partial.js';
export * from './summary.js';
export * from './zph.js';
