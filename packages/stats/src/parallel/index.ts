export { createRowPool, defaultRowPoolWorkerUrl, type RowPool } from './row-pool.js';
