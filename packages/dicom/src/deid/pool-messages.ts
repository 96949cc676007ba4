/** Message the pool sends a worker to have it close its port and let its thread end by itself. */
export const POOL_CLOSE_MESSAGE = 'fedhub-deid-pool-close';
