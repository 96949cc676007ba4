export * from './coarsened-km.js';
export * from './counts.js';
export * from './kaplan-meier.js';
export * from './log-rank.js';
export * from './merge-bins.js';
