export * from './agent.js';
export * from './backoff.js';
export * from './config.js';
export * from './credentials-store.js';
export { DatasetStore, type LoadReport } from './datasets/duckdb-store.js';
export { inferDictionary } from './datasets/infer-dictionary.js';
export { compileFilter, quoteIdent } from './datasets/sql-filter.js';
export * from './disclosure.js';
export * from './executor.js';
