export * from './aggregate.js';
export * from './anova.js';
export * from './family.js';
export * from './fit.js';
export * from './negbin.js';
export * from './partial.js';
export * from './robust.js';
export * from './summary.js';
