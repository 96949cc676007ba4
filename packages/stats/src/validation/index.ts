export * from './auc.js';
export * from './brier-hl.js';
export * from './calibration.js';
export * from './harrell-c.js';
export * from './roc.js';
