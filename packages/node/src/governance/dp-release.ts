/**
 * Differentially private releases of the algorithms that opt in (`summary` counts, sums and histograms;
 * `crosstab` cells): each released integer statistic gets noise from {@link ./dp-mechanism.ts}, calibrated
 * to its sensitivity when one record is added or removed, with the release's (epsilon, delta) split evenly
 * over its statistics (basic composition). Everything after the noise (clamping counts at zero, means and
 * M2 recomputed from the noisy sums) is post-processing and costs no privacy. The payload keeps its shape, so
 * the hub's aggregation is unchanged, and gains a `privacy` block describing the noise.
 *
 * Pure code: given the exact payload and the dictionary, returns the noisy payload.
 */
import { type ColumnSpec, FedhubError, type Json } from '@fedhub/protocol';
import {
  type Calibration,
  calibrate,
  type MechanismName,
  sampleNoise,
  type UniformSource,
} from './dp-mechanism.js';

/** The privacy parameters of one release. */
export interface ReleaseSpec {
  mechanism: MechanismName;
  epsilon: number;
  delta: number;
}

export interface DpInputs {
  spec: ReleaseSpec;
  params: unknown;
  column: (name: string) => ColumnSpec;
  uniform: UniformSource;
}

/** What a reader of the result needs to know about the noise. */
export interface NoiseDescription {
  mechanism: MechanismName;
  epsilon: number;
  delta: number;
  composition: 'basic';
  neighbouring: 'add or remove one record';
  components: Array<{
    statistic: string;
    sensitivity: number;
    epsilon: number;
    delta: number;
    /** Discrete Laplace scale b, or discrete Gaussian sigma, in units of `grid`. */
    scale: number;
    /** Standard deviation of the noise in the statistic's own units. */
    sd: number;
    /** The statistic was rounded to multiples of this before noise (sums); 1 for counts. */
    grid: number;
  }>;
}

type Privatizer = (payload: Json, inputs: DpInputs) => Json;

/** Steps per bound on the grid of a noisy sum: the rounding error is 1/GRID_STEPS of the bound per record. */
const GRID_STEPS = 1000;

class Noiser {
  readonly components: NoiseDescription['components'] = [];
  private readonly share: ReleaseSpec;
  constructor(
    private readonly inputs: DpInputs,
    statistics: number,
  ) {
    const { spec } = inputs;
    this.share = {
      mechanism: spec.mechanism,
      epsilon: spec.epsilon / statistics,
      delta: spec.mechanism === 'laplace' ? 0 : spec.delta / statistics,
    };
  }

  private calibration(statistic: string, sensitivity: number, grid: number): Calibration {
    const c = calibrate({ ...this.share, sensitivity });
    this.components.push({
      statistic,
      sensitivity,
      epsilon: this.share.epsilon,
      delta: this.share.delta,
      scale: c.scale,
      sd: Math.sqrt(c.variance) * grid,
      grid,
    });
    return c;
  }

  /**
   * Noisy counts of a partition (each record in at most one cell: L1 and L2 sensitivity 1), clamped at 0.
   */
  counts(statistic: string, values: number[]): number[] {
    const c = this.calibration(statistic, 1, 1);
    return values.map((v) => Math.max(0, v + sampleNoise(this.inputs.uniform, c)));
  }

  /** A noisy sum of values in [-bound, bound], on a grid of bound/GRID_STEPS. */
  sum(statistic: string, value: number, bound: number): number {
    if (bound === 0) return 0;
    const grid = bound / GRID_STEPS;
    // one record moves the sum by at most `bound`, its rounding to the grid by one step more
    const c = this.calibration(statistic, GRID_STEPS + 1, grid);
    return (Math.round(value / grid) + sampleNoise(this.inputs.uniform, c)) * grid;
  }

  describe(): NoiseDescription {
    return {
      mechanism: this.inputs.spec.mechanism,
      epsilon: this.inputs.spec.epsilon,
      delta: this.inputs.spec.mechanism === 'laplace' ? 0 : this.inputs.spec.delta,
      composition: 'basic',
      neighbouring: 'add or remove one record',
      components: this.components,
    };
  }
}

interface SummaryColumn {
  column: string;
  n: number;
  missing: number;
  mean: number;
  m2: number;
  histogram?: { counts: number[]; below: number; above: number };
}

function declaredBounds(spec: ColumnSpec): { min: number; max: number } {
  if (spec.min === undefined || spec.max === undefined)
    throw new FedhubError(
      'FH_ERR_DP_REQUIRED',
      `column "${spec.name}" declares no min and max in the data dictionary; a differentially private sum needs both`,
      { column: spec.name },
    );
  return { min: spec.min, max: spec.max };
}

const privatizeSummary: Privatizer = (payload, inputs) => {
  const columns = (payload as unknown as { columns: SummaryColumn[] }).columns;
  const statistics = columns.reduce((s, c) => s + 3 + (c.histogram ? 1 : 0), 0);
  const noise = new Noiser(inputs, statistics);
  const out = columns.map((c) => {
    const { min, max } = declaredBounds(inputs.column(c.column));
    const bound = Math.max(Math.abs(min), Math.abs(max));
    // n and missing partition the records: one release of sensitivity 1
    const [n, missing] = noise.counts(`n and missing of "${c.column}"`, [c.n, c.missing]) as [number, number];
    // a column with no value has no defined mean: its sums are 0
    const exactSum = c.n > 0 && Number.isFinite(c.mean) ? c.n * c.mean : 0;
    const exactSumSq = c.n > 0 && Number.isFinite(c.mean) ? c.m2 + c.n * c.mean * c.mean : 0;
    const sum = noise.sum(`sum of "${c.column}"`, exactSum, bound);
    const sumSq = noise.sum(`sum of squares of "${c.column}"`, exactSumSq, bound * bound);
    const mean = n > 0 ? Math.min(max, Math.max(min, sum / n)) : 0;
    const part: SummaryColumn = {
      column: c.column,
      n,
      missing,
      mean,
      m2: n > 0 ? Math.max(0, sumSq - n * mean * mean) : 0,
    };
    if (c.histogram) {
      const k = c.histogram.counts.length;
      const noisy = noise.counts(`histogram of "${c.column}"`, [
        ...c.histogram.counts,
        c.histogram.below,
        c.histogram.above,
      ]);
      part.histogram = { counts: noisy.slice(0, k), below: noisy[k]!, above: noisy[k + 1]! };
    }
    return part;
  });
  return { ...(payload as object), columns: out, privacy: noise.describe() } as unknown as Json;
};

interface CrosstabCell {
  row: string;
  col: string;
  n: number;
}

/**
 * Every level a column may take, from the dictionary: which cells are empty would otherwise show in which
 * cells are released.
 */
function allLevels(spec: ColumnSpec): string[] {
  if (spec.levels) return spec.levels;
  if (spec.type === 'boolean') return ['false', 'true'];
  if (
    spec.type === 'integer' &&
    spec.min !== undefined &&
    spec.max !== undefined &&
    spec.max - spec.min <= 1000
  ) {
    const out: string[] = [];
    for (let v = Math.ceil(spec.min); v <= spec.max; v++) out.push(String(v));
    return out;
  }
  throw new FedhubError(
    'FH_ERR_DP_REQUIRED',
    `column "${spec.name}" declares no levels (nor an integer range of at most 1000 values); a differentially private table needs them`,
    { column: spec.name },
  );
}

const privatizeCrosstab: Privatizer = (payload, inputs) => {
  const p = payload as unknown as { cells: CrosstabCell[] };
  const params = inputs.params as { rows: string; cols: string };
  const missing = '(missing)';
  const rows = [...allLevels(inputs.column(params.rows)), missing];
  const cols = [...allLevels(inputs.column(params.cols)), missing];
  const exact = new Map(p.cells.map((c) => [JSON.stringify([c.row, c.col]), c.n]));
  const keys: Array<[string, string]> = [];
  for (const r of rows) for (const c of cols) keys.push([r, c]);
  // an undeclared level seen in the data (a dictionary that does not list every level) is kept, not dropped
  for (const c of p.cells) if (!rows.includes(c.row) || !cols.includes(c.col)) keys.push([c.row, c.col]);
  const noise = new Noiser(inputs, 1);
  const noisy = noise.counts(
    `cells of ${params.rows} x ${params.cols}`,
    keys.map((k) => exact.get(JSON.stringify(k)) ?? 0),
  );
  const cells = keys.map(([row, col], i) => ({ row, col, n: noisy[i]! })).filter((c) => c.n > 0);
  return { ...(payload as object), cells, privacy: noise.describe() } as unknown as Json;
};

/** The algorithms that can release under differential privacy, by name. */
const PRIVATIZERS: Record<string, Privatizer> = {
  summary: privatizeSummary,
  crosstab: privatizeCrosstab,
};

export function supportsDp(algorithm: string): boolean {
  return Object.hasOwn(PRIVATIZERS, algorithm);
}

/** The noisy payload of `algorithm` (which must support DP), with its `privacy` description. */
export function privatizeRelease(algorithm: string, payload: Json, inputs: DpInputs): Json {
  const f = PRIVATIZERS[algorithm];
  if (!f)
    throw new FedhubError(
      'FH_ERR_DP_REQUIRED',
      `algorithm ${algorithm} has no differentially private release`,
    );
  return f(payload, inputs);
}
