import { StatsError, StatsErrorCode } from '../errors.js';
import { sumPartials } from '../partial.js';
import {
  type CoxControl,
  type CoxTies,
  coxAggregateStep,
  coxInitialState,
  defaultCoxControl,
} from './aggregate.js';
import {
  type ConcordanceResult,
  concordanceFromPartial,
  concordanceLocalPartial,
  type ScoreGrid,
} from './concordance.js';
import { type EventTimeGrid, localEventTimes, mergeEventTimes } from './grid.js';
import { type CoxNodeData, coxCenterFromSum, coxCenterLocalPartial, coxLocalPartial } from './partial.js';
import { type CoxSummary, coxSummarize } from './summary.js';

/** Result of {@link fitCoxFederated}: the summary plus concordance of the fitted linear predictor. */
export interface CoxFit extends CoxSummary {
  readonly grid: EventTimeGrid;
  readonly concordance: ConcordanceResult;
}

/** Options of {@link fitCoxFederated}. */
export interface CoxFitOptions {
  readonly ties?: CoxTies;
  readonly control?: CoxControl;
  /**
   * Number of linear-predictor bins over [min, max] for the concordance round (default 2000): pairs
   * whose linear predictors fall in one bin count as tied, so C is approximate at that resolution.
   */
  readonly concordanceBins?: number;
}

/**
 * Federated Cox driver over in-memory nodes (tests, simulation): agree on the event-time grid and
 * the covariate centre (pooled means), run Newton rounds (each: every node's {@link coxLocalPartial} at the same beta, summed), summarise,
 * then one concordance round on the fitted linear predictor binned at `concordanceWidth`.
 */
export function fitCoxFederated(
  nodes: readonly CoxNodeData[],
  names: readonly string[],
  options: CoxFitOptions = {},
): CoxFit {
  const p = names.length;
  const ties = options.ties ?? 'efron';
  const control = options.control ?? defaultCoxControl;
  const grid = mergeEventTimes(nodes.map((d) => localEventTimes(d.time, d.event, d.strata ?? null)));
  const center = coxCenterFromSum(sumPartials(nodes.map(coxCenterLocalPartial)));
  let state = coxInitialState(p);
  for (let round = 0; round < 2 * control.iterMax + 2; round++) {
    const sum = sumPartials(nodes.map((d) => coxLocalPartial(d, grid, state.evalBeta, center)));
    const step = coxAggregateStep(sum, p, ties, state, control);
    if (step.done) {
      const summary = coxSummarize(names, step.state, step.derivatives, step.converged);
      return {
        ...summary,
        grid,
        concordance: linearPredictorConcordance(nodes, grid, summary.coef, options),
      };
    }
    state = step.state;
  }
  throw new StatsError(StatsErrorCode.NotConverged, 'cox: iteration limit exceeded');
}

function linearPredictorConcordance(
  nodes: readonly CoxNodeData[],
  grid: EventTimeGrid,
  beta: Float64Array,
  options: CoxFitOptions,
): ConcordanceResult {
  const lps = nodes.map((d) => {
    const lp = new Float64Array(d.n);
    for (let i = 0; i < d.n; i++) for (let j = 0; j < d.p; j++) lp[i]! += d.x[i * d.p + j]! * beta[j]!;
    return lp;
  });
  // First a (min, max) round to fix the score grid, then the binned counts.
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const lp of lps) {
    for (const v of lp) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  const bins = options.concordanceBins ?? 2000;
  const width = max > min ? (max - min) / (bins - 1) : 1;
  const scoreGrid: ScoreGrid = { min, width, bins };
  const sum = sumPartials(
    nodes.map((d, k) => concordanceLocalPartial(d.time, d.event, d.strata ?? null, lps[k]!, grid, scoreGrid)),
  );
  return concordanceFromPartial(sum, grid.times.length, scoreGrid);
}
