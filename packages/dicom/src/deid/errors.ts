/** Stable error codes of the de-identification engine (besides the parser's FH_ERR_DICOM_*). */
export const DEID_ERROR_CODES = {
  keyTooShort: 'FH_ERR_DEID_KEY_TOO_SHORT',
  keyFile: 'FH_ERR_DEID_KEY_FILE',
  badOptions: 'FH_ERR_DEID_BAD_OPTIONS',
  reidMapCorrupt: 'FH_ERR_DEID_REID_MAP_CORRUPT',
  workerTimeout: 'FH_ERR_DEID_WORKER_TIMEOUT',
  workerCrashed: 'FH_ERR_DEID_WORKER_CRASHED',
  poolClosed: 'FH_ERR_DEID_POOL_CLOSED',
  io: 'FH_ERR_DEID_IO',
  internal: 'FH_ERR_DEID_INTERNAL',
} as const;

/** One of the de-identification error codes. */
export type DeidErrorCode = (typeof DEID_ERROR_CODES)[keyof typeof DEID_ERROR_CODES];

/** A de-identification failure with a stable `code`. */
export class DeidError extends Error {
  override readonly name = 'DeidError';
  constructor(
    readonly code: DeidErrorCode,
    message: string,
  ) {
    super(message);
  }
}
