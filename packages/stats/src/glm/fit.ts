import { StatsError, StatsErrorCode } from '../errors.js';
import { sumPartials } from '../partial.js';
import { defaultGlmControl, type GlmControl, glmAggregateStep, glmInitialState } from './aggregate.js';
import type { GlmFamily, GlmFamilySpec } from './family.js';
import { type GlmNodeData, GlmScalar, glmLocalPartial, glmNullDevianceLocalPartial } from './partial.js';
import { type GlmSummary, glmSummarize } from './summary.js';

/** A node as the federated driver sees it: computes its partial for the requested coefficients. */
export type GlmPartialFn = (beta: Float64Array | null) => Float64Array;

/** Options of {@link runGlmIterations} and {@link fitGlmFederated}. */
export interface GlmFitOptions {
  readonly control?: GlmControl;
}

/**
 * Runs R's IRLS loop over node partial functions (each call is one federated round: every node
 * evaluates at the same beta, the partials are summed). Returns the final beta, the summed partial
 * at it, the iteration count and whether it converged.
 */
export function runGlmIterations(
  partialFns: readonly GlmPartialFn[],
  p: number,
  options: GlmFitOptions = {},
): { beta: Float64Array; sum: Float64Array; iterations: number; converged: boolean } {
  const control = options.control ?? defaultGlmControl;
  let state = glmInitialState();
  // Rounds include step-halving re-evaluations; bound them generously.
  for (let round = 0; round < 4 * control.maxit + 100; round++) {
    const sum = sumPartials(partialFns.map((f) => f(state.beta)));
    const step = glmAggregateStep(sum, p, state, control);
    if (step.done) return { beta: step.beta, sum, iterations: step.iter, converged: step.converged };
    state = step.state;
  }
  throw new StatsError(StatsErrorCode.NotConverged, 'glm: too many step-halving rounds');
}

/**
 * Null deviance as R's glm.fit computes it: with an intercept and an offset, an intercept-only fit
 * with the offset (its own small IRLS, run to 1e-12); with an intercept and no offset, the deviance
 * at the weighted mean sum(w y) / sum(w); without an intercept, the deviance at mu = linkinv(offset).
 */
export function glmNullDeviance(
  nodes: readonly GlmNodeData[],
  family: GlmFamilySpec | GlmFamily,
  intercept: boolean,
  sumW: number,
  sumWY: number,
): number {
  const hasOffset = nodes.some((d) => d.offset);
  const empty = (d: GlmNodeData, q: number): GlmNodeData => ({
    x: new Float64Array(d.n * q).fill(1),
    n: d.n,
    p: q,
    y: d.y,
    weights: d.weights ?? null,
    offset: d.offset ?? null,
  });
  if (!intercept) {
    const sum = sumPartials(nodes.map((d) => glmLocalPartial(empty(d, 0), family, new Float64Array(0))));
    return sum[GlmScalar.deviance]!;
  }
  if (!hasOffset) {
    const mu = sumWY / sumW;
    return sumPartials(nodes.map((d) => glmNullDevianceLocalPartial(d, family, mu)))[0]!;
  }
  const fns = nodes.map((d) => {
    const nd = empty(d, 1);
    return (b: Float64Array | null) => glmLocalPartial(nd, family, b);
  });
  const r = runGlmIterations(fns, 1, { control: { epsilon: 1e-12, maxit: 100 } });
  return r.sum[1 + 1 + GlmScalar.deviance]!;
}

/**
 * Federated GLM driver over in-memory node datasets (for tests and simulation): IRLS rounds with
 * summed partials, then the null-deviance rounds and R's summary. All nodes must share the design
 * columns (build them with the global level sets).
 */
export function fitGlmFederated(
  nodes: readonly GlmNodeData[],
  family: GlmFamilySpec | GlmFamily,
  names: readonly string[],
  options: GlmFitOptions & { intercept?: boolean } = {},
): GlmSummary {
  const p = names.length;
  for (const [k, d] of nodes.entries()) {
    if (d.p !== p) {
      throw new StatsError(
        StatsErrorCode.DimensionMismatch,
        `fitGlmFederated: node ${k} has ${d.p} columns, expected ${p}`,
      );
    }
  }
  const intercept = options.intercept ?? names[0] === '(Intercept)';
  const fns = nodes.map((d) => (b: Float64Array | null) => glmLocalPartial(d, family, b));
  const r = runGlmIterations(fns, p, options);
  const s = p * p + p;
  const nullDeviance = glmNullDeviance(
    nodes,
    family,
    intercept,
    r.sum[s + GlmScalar.sumW]!,
    r.sum[s + GlmScalar.sumWY]!,
  );
  return glmSummarize({
    family,
    names,
    beta: r.beta,
    sum: r.sum,
    nullDeviance,
    intercept,
    iterations: r.iterations,
    converged: r.converged,
  });
}
