export * from './cohort.js';
export * from './dose-records.js';
export * from './federation-files.js';
export * from './random.js';
