/**
 * The catalogue of coded errors. Every error that crosses a process boundary (HTTP body, event, node
 * refusal, CLI --json output) has the shape {@link ErrorBody}: a stable `code` from this catalogue,
 * a human message, and optional structured `details`.
 *
 * @example
 * throw new FedhubError('FH_ERR_SMALL_CELL', 'histogram bin [40, 50) of "age" holds 3 records (< 5)', { column: 'age' });
 */
import { z } from 'zod';

export const ERROR_CATALOGUE = {
  FH_ERR_VALIDATION: { status: 400, message: 'The request is malformed' },
  FH_ERR_UNAUTHENTICATED: { status: 401, message: 'Authentication is required' },
  FH_ERR_BAD_CREDENTIALS: { status: 401, message: 'Unknown user or wrong password' },
  FH_ERR_TOKEN_EXPIRED: { status: 401, message: 'The token has expired' },
  FH_ERR_TOKEN_INVALID: { status: 401, message: 'The token is invalid' },
  FH_ERR_ACCOUNT_LOCKED: { status: 423, message: 'The account is locked after repeated failures' },
  FH_ERR_FORBIDDEN: { status: 403, message: 'Your role does not allow this' },
  FH_ERR_PASSWORD_CHANGE_REQUIRED: {
    status: 403,
    message: 'Signed in with a one-time password: change it (POST /api/me/password) before anything else',
  },
  FH_ERR_NOT_FOUND: { status: 404, message: 'Not found' },
  FH_ERR_CONFLICT: { status: 409, message: 'The request conflicts with the current state' },
  FH_ERR_STALE_ATTEMPT: { status: 409, message: 'This attempt no longer holds the lease' },
  FH_ERR_ALREADY_EXISTS: { status: 409, message: 'An object with this name already exists' },
  FH_ERR_ENROLMENT: { status: 401, message: 'The enrolment token is unknown, used or expired' },
  FH_ERR_SIGNATURE: { status: 422, message: 'The result signature does not verify' },
  FH_ERR_DIGEST: { status: 422, message: 'The result digest does not match its payload' },
  FH_ERR_CLOCK_SKEW: { status: 409, message: "The node's clock differs too much from the hub's" },
  FH_ERR_UNKNOWN_ALGORITHM: { status: 422, message: 'No such algorithm or version' },
  FH_ERR_BAD_PARAMS: { status: 400, message: 'The algorithm parameters are invalid' },
  FH_ERR_FORMULA_TOO_LARGE: {
    status: 400,
    message: 'The model formula exceeds a limit on its length, variables, terms or interaction order',
  },
  FH_ERR_NODE_REFUSED: { status: 422, message: 'One or more nodes refused the task' },
  FH_ERR_TOO_FEW_NODES: { status: 422, message: 'Fewer nodes than the study requires could contribute' },
  FH_ERR_NODE_FLOOR: {
    status: 422,
    message: "The round has fewer nodes or organisations than the node's own floor",
  },
  FH_ERR_PEER_NOT_ACCEPTED: {
    status: 422,
    message: 'A node of the round is not a node of the study this node approved',
  },
  FH_ERR_PEER_KEY_CHANGED: {
    status: 422,
    message:
      "A node of the round has another key than the one pinned under this node's approval of the study",
  },
  FH_ERR_UNKNOWN_DATASET: { status: 422, message: 'The node has no such dataset' },
  FH_ERR_UNKNOWN_COLUMN: { status: 422, message: 'The dataset has no such column' },
  FH_ERR_COLUMN_TYPE: { status: 422, message: 'The column has the wrong type for this use' },
  FH_ERR_SMALL_CELL: { status: 422, message: 'A released count is below the minimum cell count' },
  FH_ERR_SMALL_SUBSET: {
    status: 422,
    message: 'The selected records are fewer than the minimum subset size',
  },
  FH_ERR_ROW_LEVEL: { status: 422, message: 'The output would release row-level data' },
  FH_ERR_UNDECLARED_RELEASE: {
    status: 422,
    message: 'The algorithm returned numbers without declaring the counts behind them',
  },
  FH_ERR_TOO_MANY_PARAMETERS: { status: 422, message: 'The model has too many parameters for the records' },
  FH_ERR_TOO_MANY_LEVELS: {
    status: 422,
    message: 'A factor has more levels than the node allows (levels.max or levels.density)',
  },
  FH_ERR_DIFFERENCING: {
    status: 422,
    message: 'With earlier releases, the query would single out fewer records than the minimum subset size',
  },
  FH_ERR_BUDGET_EXHAUSTED: {
    status: 422,
    message: 'The differential-privacy budget of this dataset is spent (over every study)',
  },
  FH_ERR_QUOTA_EXCEEDED: { status: 422, message: "The study's quota of released results is used up" },
  FH_ERR_DP_REQUIRED: {
    status: 422,
    message: 'This dataset releases only differentially private results for this study',
  },
  FH_ERR_OUTSIDE_STUDY: {
    status: 422,
    message: 'The task asks for an algorithm or variables outside what the study allows',
  },
  FH_ERR_STUDY_STOPPED: { status: 409, message: 'The study is stopped' },
  FH_ERR_NOT_APPROVED: {
    status: 403,
    message: "The node's administrator has not approved (or has denied) this study or algorithm version",
  },
  FH_ERR_STUDY_PERIOD: { status: 422, message: 'The study has not started or has ended' },
  FH_ERR_RUN_ATTEMPTS: {
    status: 422,
    message: 'The run used up its attempts (its node lost the lease each time) and failed',
  },
  FH_ERR_RUN_TOO_LARGE: {
    status: 422,
    message: "The run's estimated memory or time exceeds the node's limits",
  },
  FH_ERR_ADMIN_SIGNATURE: {
    status: 422,
    message: 'The decision is not signed by a node administrator key enrolled at the node',
  },
  FH_ERR_ACCOUNT_DISABLED: { status: 403, message: 'The account is disabled' },
  FH_ERR_RT_UNREADABLE: {
    status: 422,
    message: 'A DICOM RT file is unreadable or lacks a required attribute',
  },
  FH_ERR_RT_INCOMPLETE: {
    status: 422,
    message: 'The DICOM RT input lacks a dose grid or a structure set to compute DVHs from',
  },
  FH_ERR_RT_FRAME_MISMATCH: {
    status: 422,
    message: 'The dose grid and the structure set are on different frames of reference',
  },
  FH_ERR_RT_DOSE_COVERAGE: { status: 422, message: 'The dose grid does not cover the structure' },
  FH_ERR_RT_OPEN_CONTOUR: { status: 422, message: 'A structure has an open or non-planar contour' },
  FH_ERR_RT_MISSING_SLICE: { status: 422, message: 'A structure or dose grid misses slices' },
  FH_ERR_RT_GEOMETRY: {
    status: 422,
    message: 'The dose grid or contours have a geometry the DVH engine cannot use',
  },
  FH_ERR_MODEL_INVALID: {
    status: 422,
    message: 'The ONNX model is not a readable model (no graph, external-data tensors, or a malformed file)',
  },
  FH_ERR_MODEL_TOO_LARGE: { status: 413, message: 'The ONNX model or its input exceeds the size limit' },
  FH_ERR_MODEL_UNSUPPORTED_OP: {
    status: 422,
    message: 'The ONNX model uses an operator domain or operator the runtime does not allow',
  },
  FH_ERR_MODEL_INPUT_MISMATCH: {
    status: 422,
    message: "The data given to the ONNX model do not match its inputs' names, types or shapes",
  },
  FH_ERR_MODEL_OUTPUT_NAN: { status: 422, message: 'The ONNX model produced NaN or infinite outputs' },
  FH_ERR_MODEL_TIMEOUT: { status: 422, message: 'The ONNX model ran past its time limit and was stopped' },
  FH_ERR_MODEL_MEMORY: {
    status: 422,
    message: 'The ONNX model used more memory than the node allows and was stopped',
  },
  FH_ERR_MODEL_DIGEST: {
    status: 422,
    message: "The ONNX model's bytes do not match the sha256 digest they were approved under",
  },
  FH_ERR_ALGORITHM_FAILED: { status: 500, message: 'The algorithm failed' },
  FH_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests' },
  FH_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  FH_ERR_UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable' },
  FH_ERR_KEYS: { status: 500, message: 'The hub cannot open its stored keys with its master key' },
  FH_ERR_INTERNAL: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

/** Every stable error code. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ErrorCodeSchema = z.enum(Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]]);

/** The one error shape for HTTP bodies, events, node refusals and CLI JSON output. */
export const ErrorBodySchema = z
  .object({
    code: z.string().describe('A stable code from the catalogue, e.g. FH_ERR_SMALL_CELL'),
    message: z.string(),
    details: z.unknown().optional(),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** An error carrying a catalogue code; turned into {@link ErrorBody} in one place at each boundary. */
export class FedhubError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.name = 'FedhubError';
    this.code = code;
    this.details = details;
  }
  /** HTTP status for this error's code. */
  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `code` is a known catalogue code. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}
