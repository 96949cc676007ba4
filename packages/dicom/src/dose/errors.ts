/** Stable error codes of the dose module. */
export const DOSE_ERROR_CODES = {
  unreadable: 'FH_ERR_DOSE_UNREADABLE',
  notDoseObject: 'FH_ERR_DOSE_NOT_DOSE_OBJECT',
  badRules: 'FH_ERR_DOSE_BAD_RULES',
  badInput: 'FH_ERR_DOSE_BAD_INPUT',
} as const;

/** One of {@link DOSE_ERROR_CODES}. */
export type DoseErrorCode = (typeof DOSE_ERROR_CODES)[keyof typeof DOSE_ERROR_CODES];

/** Error thrown by the dose module; `code` is stable, `where` names the file or field at fault. */
export class DoseError extends Error {
  readonly code: DoseErrorCode;
  readonly where: string | undefined;
  constructor(code: DoseErrorCode, message: string, where?: string, options?: { cause?: unknown }) {
    super(where ? `${message} (at ${where})` : message, options);
    this.name = 'DoseError';
    this.code = code;
    this.where = where;
  }
}
