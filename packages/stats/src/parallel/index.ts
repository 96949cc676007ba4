export { createRowPool, defaultRowPoolWorkerUrl, type RowPool, workerExecArgv } from './row-pool.js';
