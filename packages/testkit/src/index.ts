export * from './cohort.js';
export * from './dose-records.js';
export * from './faults/mann-whitney.js';
export * from './faults/replay-proxy.js';
export * from './faults/tcp-proxy.js';
export * from './federation-files.js';
export * from './random.js';
