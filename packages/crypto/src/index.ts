export * from './access-token.js';
export * from './admin-keys.js';
export * from './hash-chain.js';
export * from './node-keys.js';
export * from './secrets.js';
export * from './secure-aggregation.js';
