/**
 * The node's estimate of what a run will cost before it starts, and its refusal of what exceeds its limits
 * (FH_ERR_RUN_TOO_LARGE). The parameter schemas bound every size-driving parameter already; the estimate
 * catches what the bounds allow but this node cannot afford (a fine grid over a large dataset). It counts
 * the columns read into memory and the grids the parameters make, with the throughputs measured here
 * (STACK.md: ~5M rows/s from DuckDB into JavaScript). The refusal names the parameters and the limit,
 * never the row count (an exact count must not leave the node).
 *
 * Node config:
 * ```yaml
 * limits: { maxRunMemoryMb: 2048, maxRunSeconds: 1800 }
 * ```
 */
import { FedhubError } from '@fedhub/protocol';
import { z } from 'zod';

export const RunLimitsSchema = z.strictObject({
  maxRunMemoryMb: z.int().min(16).max(1_048_576).default(2048).describe('Largest estimated memory of a run'),
  maxRunSeconds: z.int().min(1).max(604_800).default(1800).describe('Longest estimated time of a run'),
});
export type RunLimits = z.infer<typeof RunLimitsSchema>;

/** What a run is expected to cost. */
export interface RunEstimate {
  readonly memoryBytes: number;
  readonly seconds: number;
  /** The parameters that drive the estimate (names and values: no data). */
  readonly drivers: readonly string[];
}

const BYTES_PER_VALUE = 8;
/** Rows per second moving column values from DuckDB into JavaScript (STACK.md). */
const ROWS_PER_SECOND = 5e6;
/** Grid cells per second filled or scanned in JavaScript (a Float64Array loop: ~79M/s, STACK.md). */
const CELLS_PER_SECOND = 5e7;
/**
 * Multiply-adds per second of onnxruntime on one CPU thread, conservatively (a dense layer runs at several
 * GFLOP/s; convolutions and small batches slower): the estimate of a model's run time per case.
 */
const MODEL_OPS_PER_SECOND = 1e9;
/** Bytes per model weight (float32), held twice: the file's bytes and the loaded session. */
const BYTES_PER_WEIGHT = 8;

/** Span of linear-predictor scores a survival score grid covers (|lp| beyond 10 is degenerate). */
const SCORE_SPAN = 20;

function num(params: Record<string, unknown>, key: string): number | undefined {
  const v = params[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Estimates a run of `algorithm` with validated `params` over a dataset of `rows` records reading
 * `columns` columns; `model` is the registered model the run will apply (its weights), where it has one:
 * about 2 operations per weight and case, and the weights held in memory.
 */
export function estimateRun(
  algorithm: string,
  params: unknown,
  rows: number,
  columns: number,
  model?: { parameters: number },
): RunEstimate {
  const p = (params && typeof params === 'object' ? params : {}) as Record<string, unknown>;
  const drivers: string[] = [];
  let cells = 0;
  const score = num(p, 'scoreResolution');
  if (score !== undefined && score > 0) {
    // validate: probabilities in [0, 1], one histogram per outcome; validate-survival: scores x event times
    const bins = algorithm === 'validate-survival' ? Math.ceil(SCORE_SPAN / score) : Math.ceil(1 / score) + 1;
    cells += algorithm === 'validate-survival' ? bins * Math.max(1, rows) : 2 * bins;
    drivers.push(`scoreResolution ${score}`);
  }
  const time = num(p, 'timeResolution');
  if (time !== undefined && time > 0) {
    // coarsened event times are at most one per record
    cells += 4 * Math.max(1, rows);
    drivers.push(`timeResolution ${time}`);
  }
  const concordance = num(p, 'concordanceBins');
  if (concordance !== undefined) cells += concordance * concordance;
  const rowValues = Math.max(1, rows) * Math.max(1, columns);
  // column values held as typed arrays, plus a working copy (design matrix, sort buffer)
  let memoryBytes = BYTES_PER_VALUE * (2 * rowValues + cells);
  let seconds = rowValues / ROWS_PER_SECOND + cells / CELLS_PER_SECOND;
  if (model && model.parameters > 0) {
    memoryBytes += BYTES_PER_WEIGHT * model.parameters;
    seconds += (2 * model.parameters * Math.max(1, rows)) / MODEL_OPS_PER_SECOND;
    drivers.push(`a model of ${model.parameters} weights`);
  }
  return { memoryBytes, seconds, drivers };
}

/** The refusal of a run whose estimate exceeds the node's limits, or null. */
export function runBudgetRefusal(e: RunEstimate, limits: RunLimits): FedhubError | null {
  const mb = e.memoryBytes / 2 ** 20;
  const by = e.drivers.length > 0 ? ` (driven by ${e.drivers.join(', ')})` : '';
  if (mb > limits.maxRunMemoryMb)
    return new FedhubError(
      'FH_ERR_RUN_TOO_LARGE',
      `the run would need about ${Math.ceil(mb)} MiB, more than this node allows (${limits.maxRunMemoryMb} MiB)${by}: choose coarser parameters`,
      { estimatedMemoryMb: Math.ceil(mb), maxRunMemoryMb: limits.maxRunMemoryMb, drivers: e.drivers },
    );
  if (e.seconds > limits.maxRunSeconds)
    return new FedhubError(
      'FH_ERR_RUN_TOO_LARGE',
      `the run would take about ${Math.ceil(e.seconds)} s, longer than this node allows (${limits.maxRunSeconds} s)${by}: choose coarser parameters`,
      { estimatedSeconds: Math.ceil(e.seconds), maxRunSeconds: limits.maxRunSeconds, drivers: e.drivers },
    );
  return null;
}
