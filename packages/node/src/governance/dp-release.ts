/**
 * Differentially private releases of the algorithms that opt in (each algorithm's `privatize` says which
 * numbers of its payload get noise: `summary` counts, sums and histograms; `crosstab` cells): each released integer statistic gets noise from {@link ./dp-mechanism.ts}, calibrated
 * to its sensitivity when one record is added or removed, with the release's (epsilon, delta) split evenly
 * over its statistics (basic composition). Everything after the noise (clamping counts at zero, means and
 * M2 recomputed from the noisy sums) is post-processing and costs no privacy. The payload keeps its shape, so
 * the hub's aggregation is unchanged, and gains a `privacy` block describing the noise.
 *
 * Pure code: given the exact payload and the dictionary, returns the noisy payload.
 */
import { getAlgorithm } from '@fedhub/algorithms';
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

/** The algorithm's own privatizer (see `privatize` in @fedhub/algorithms), or undefined. */
function privatizerOf(algorithm: string) {
  return getAlgorithm(algorithm)?.privatize;
}

/** True when `algorithm` offers a differentially private release. */
export function supportsDp(algorithm: string): boolean {
  return privatizerOf(algorithm) !== undefined;
}

/** The noisy payload of `algorithm` (which must support DP), with its `privacy` description. */
export function privatizeRelease(algorithm: string, payload: Json, inputs: DpInputs): Json {
  const f = privatizerOf(algorithm);
  if (!f)
    throw new FedhubError(
      'FH_ERR_DP_REQUIRED',
      `algorithm ${algorithm} has no differentially private release`,
    );
  let noiser: Noiser | undefined;
  const noisy = f(payload, {
    params: inputs.params,
    column: inputs.column,
    noise: (statistics) => {
      if (noiser) throw new FedhubError('FH_ERR_INTERNAL', `${algorithm}: a release asks for its noise once`);
      noiser = new Noiser(inputs, statistics);
      return noiser;
    },
  });
  if (!noiser) throw new FedhubError('FH_ERR_INTERNAL', `${algorithm}: the private release drew no noise`);
  return { ...(noisy as object), privacy: noiser.describe() } as unknown as Json;
}
