/** Stable error codes thrown by `@fedhub/stats`. */
export const StatsErrorCode = {
  NotPositiveDefinite: 'FH_ERR_STATS_NOT_PD',
  DimensionMismatch: 'FH_ERR_STATS_DIMENSION',
  InvalidArgument: 'FH_ERR_STATS_INVALID_ARGUMENT',
  FormulaSyntax: 'FH_ERR_STATS_FORMULA_SYNTAX',
  FormulaTooLarge: 'FH_ERR_STATS_FORMULA_TOO_LARGE',
  UnknownColumn: 'FH_ERR_STATS_UNKNOWN_COLUMN',
  UnknownLevel: 'FH_ERR_STATS_UNKNOWN_LEVEL',
  NotConverged: 'FH_ERR_STATS_NOT_CONVERGED',
  LayoutMismatch: 'FH_ERR_STATS_LAYOUT_MISMATCH',
} as const;

/** Union of the stable error code strings. */
export type StatsErrorCode = (typeof StatsErrorCode)[keyof typeof StatsErrorCode];

/** Error thrown for bad input or numerical failure; `code` is stable and machine-readable. */
export class StatsError extends Error {
  /** Stable code such as `FH_ERR_STATS_NOT_PD`. */
  readonly code: StatsErrorCode;
  constructor(code: StatsErrorCode, message: string) {
    super(message);
    this.name = 'StatsError';
    this.code = code;
  }
}
