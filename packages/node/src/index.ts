export * from './config.js';
export * from './agent.js';
export * from './executor.js';
export * from './disclosure.js';
export * from './credentials-store.js';
export * from './backoff.js';
export { DatasetStore, type LoadReport } from './datasets/duckdb-store.js';
export { compileFilter, quoteIdent } from './datasets/sql-filter.js';
export { inferDictionary } from './datasets/infer-dictionary.js';
