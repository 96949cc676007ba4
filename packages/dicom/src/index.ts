export * from './deid/index.js';
export * from './dose/index.js';
