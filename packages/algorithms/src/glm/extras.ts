/**
 * The GLM's optional results after the fit, each from additive sums over the nodes at the final coefficients:
 * robust and cluster-robust standard errors (sandwich HC0, one round), and sequential likelihood-ratio tests
 * of the terms (R's anova(fit, test = "Chisq"): nested models fitted as ordinary federated IRLS fits on the
 * first k terms' columns).
 */
import {
  type GlmAnovaRow,
  type GlmIterationState,
  GlmScalar,
  glmAggregateStep,
  glmAnovaTable,
  glmInitialState,
  glmNestedColumns,
  glmRobustCovariance,
  normalQuantile,
  normalTwoSided,
} from '@fedhub/stats';

/** How the robust covariance clusters the rows: none (HC0), the centre, or a column's values within a centre. */
export type RobustKind = 'HC0' | 'cluster-centre' | 'cluster-column';

/** The robust table: R's coeftest(fit, vcov = sandwich::vcovHC / vcovCL) with z tests and Wald intervals. */
export function robustResult(
  kind: RobustKind,
  names: readonly string[],
  beta: readonly number[],
  xtwxUpper: Float64Array,
  robustSum: Float64Array,
) {
  const p = names.length;
  const cluster = kind !== 'HC0';
  const cov = glmRobustCovariance(xtwxUpper, robustSum, p, cluster);
  const q = normalQuantile(0.975);
  return {
    type: kind,
    ...(cluster ? { clusters: robustSum[p * p]! } : {}),
    covariance: Array.from(cov),
    coefficients: names.map((term, j) => {
      const se = Math.sqrt(cov[j * p + j]!);
      const z = beta[j]! / se;
      return {
        term,
        estimate: beta[j]!,
        stdError: se,
        statistic: z,
        pValue: normalTwoSided(z),
        ciLower: beta[j]! - q * se,
        ciUpper: beta[j]! + q * se,
      };
    }),
  };
}

/** The aggregator's state while the nested models of the anova are fitted. */
export interface AnovaState {
  /** The nested model being fitted: its first k terms. */
  k: number;
  /** Residual deviance and df of the models 0 .. k-1. */
  deviance: number[];
  df: number[];
  irls: {
    iter: number;
    beta: number[] | null;
    previousBeta: number[] | null;
    previousDeviance: number | null;
  };
}

const toIrls = (s: GlmIterationState): AnovaState['irls'] => ({
  iter: s.iter,
  beta: s.beta ? Array.from(s.beta) : null,
  previousBeta: s.previousBeta ? Array.from(s.previousBeta) : null,
  previousDeviance: Number.isFinite(s.previousDeviance) ? s.previousDeviance : null,
});
const fromIrls = (s: AnovaState['irls']): GlmIterationState => ({
  iter: s.iter,
  beta: s.beta ? Float64Array.from(s.beta) : null,
  previousBeta: s.previousBeta ? Float64Array.from(s.previousBeta) : null,
  previousDeviance: s.previousDeviance ?? Number.NaN,
});

/** What the nodes compute next for the anova: the partial of nested model k's columns at beta. */
export interface AnovaInput {
  k: number;
  cols: number[];
  beta: number[] | null;
}

/** The anova's first state and input; model 0 (the null model) is known when `nullModel` is given. */
export function anovaStart(
  assign: readonly number[],
  nullModel: { deviance: number; df: number } | null,
): { state: AnovaState; input: AnovaInput } {
  const state: AnovaState = {
    k: nullModel ? 1 : 0,
    deviance: nullModel ? [nullModel.deviance] : [],
    df: nullModel ? [nullModel.df] : [],
    irls: toIrls(glmInitialState()),
  };
  return { state, input: anovaInput(assign, state) };
}

function anovaInput(assign: readonly number[], s: AnovaState): AnovaInput {
  const cols = glmNestedColumns(assign, s.k);
  // a model without columns (no intercept, no terms) has nothing to fit: its deviance at beta = ()
  return { k: s.k, cols, beta: cols.length === 0 ? [] : s.irls.beta };
}

/**
 * One anova round from the summed partial of nested model `state.k`: another IRLS round, the next nested
 * model, or (after the last, the full model's deviance and df given) the table.
 */
export function anovaStep(
  sum: Float64Array,
  state: AnovaState,
  assign: readonly number[],
  termLabels: readonly string[],
  full: { deviance: number; df: number; dispersion: number },
  control: { epsilon: number; maxit: number },
): { done: false; state: AnovaState; input: AnovaInput } | { done: true; rows: GlmAnovaRow[] } {
  const q = glmNestedColumns(assign, state.k).length;
  const at = q * q + q;
  let next: AnovaState;
  if (q === 0) {
    next = nextModel(state, sum[at + GlmScalar.deviance]!, sum[at + GlmScalar.nObs]!);
  } else {
    const step = glmAggregateStep(sum, q, fromIrls(state.irls), control);
    if (!step.done) {
      const s = { ...state, irls: toIrls(step.state) };
      return { done: false, state: s, input: anovaInput(assign, s) };
    }
    next = nextModel(state, sum[at + GlmScalar.deviance]!, sum[at + GlmScalar.nObs]! - q);
  }
  if (next.k < termLabels.length) return { done: false, state: next, input: anovaInput(assign, next) };
  return {
    done: true,
    rows: glmAnovaTable(
      termLabels,
      [...next.deviance, full.deviance],
      [...next.df, full.df],
      full.dispersion,
    ),
  };
}

function nextModel(s: AnovaState, deviance: number, df: number): AnovaState {
  return {
    k: s.k + 1,
    deviance: [...s.deviance, deviance],
    df: [...s.df, df],
    irls: toIrls(glmInitialState()),
  };
}
