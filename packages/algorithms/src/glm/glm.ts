/**
 * `glm`: generalised linear models (gaussian/identity, binomial/logit, poisson/log) fitted exactly by
 * federated Newton/IRLS. Round 1 agrees the factor levels across nodes; every further round, each node
 * evaluates its additive partial (X'WX, X'Wz, deviance, ...) at the aggregator's coefficients, and the
 * aggregator sums, solves and tests R's convergence rule. Round 1 also carries each node's first partial
 * (at R's starting values) on its own levels: when every node has seen every level, those are the global
 * design's partials and their sum serves as the first IRLS round's (one round fewer); otherwise the IRLS
 * round computes them on the global levels. With an intercept and no offset the null model is
 * the weighted mean response, known after the first IRLS round, and the nodes send its deviance with the
 * second; otherwise rounds of its own fit the null model. The result equals R's `glm` on the pooled rows.
 */
import { FedhubError, GlmResultSchema, type Json, type ResultWarning, resultWarning } from '@fedhub/protocol';
import {
  defaultGlmControl,
  fitGlmFederated,
  type GlmIterationState,
  GlmScalar,
  glmAggregateStep,
  glmInitialState,
  glmLocalPartial,
  glmNullDevianceLocalPartial,
  glmSummarize,
  mergeLevels,
} from '@fedhub/stats';
import { z } from 'zod';
import { ADDITIVE_FIELD, sumAdditive } from '../additive.js';
import { columnParam, DatasetParam, examples, FilterParam, paramMeta } from '../common-params.js';
import { declaredLevelCounts, levelsHeld } from '../declared-levels.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { designCells } from '../design-cells.js';
import {
  type AggregateOutcome,
  type DisclosureCell,
  type LocalContext,
  type NodePart,
  pickFields,
  release,
} from '../types.js';
import { glmFitWarnings } from './fit-warnings.js';
import {
  factorColumns,
  modelColumns,
  type NodeModelData,
  parseModelFormula,
  readModelData,
} from './model-data.js';

export const GlmParamsSchema = z.strictObject({
  dataset: DatasetParam,
  formula: z
    .string()
    .min(3)
    .max(2000)
    .describe('R model formula, e.g. "toxicity ~ dose_gy + age + factor(stage)"')
    .meta(paramMeta({ widget: 'formula', examples: ['toxicity ~ dose_gy + age + factor(stage)'] })),
  family: z
    .enum(['gaussian', 'binomial', 'poisson'])
    .default('gaussian')
    .describe('Error distribution: binomial for a 0/1 outcome (logistic regression), poisson for counts')
    .meta(examples('binomial')),
  filter: FilterParam,
  weights: columnParam('numeric', 'Column of prior (observation) weights', 'fractions').optional(),
  ref: z
    .record(z.string(), z.string())
    .optional()
    .describe('Reference level per factor column (default: the first declared level)')
    .meta(paramMeta({ widget: 'levels', levelsOf: 'formula', examples: [{ stage: 'II' }] })),
  perCentre: z
    .boolean()
    .default(false)
    .describe(
      "Also fit the model at each centre and release each centre's coefficients (a forest plot of centres); only in studies that allow per-node breakdowns",
    )
    .meta(examples(true)),
  control: z
    .strictObject({
      epsilon: z
        .number()
        .positive()
        .max(1e-2)
        .default(1e-8)
        .describe('Convergence tolerance on the relative change of deviance')
        .meta(examples(1e-8)),
      maxit: z.int().min(1).max(100).default(25).describe('Most IRLS iterations').meta(examples(25)),
    })
    .optional()
    .describe('IRLS convergence settings, as R glm.control')
    .meta(examples({ epsilon: 1e-8, maxit: 25 })),
});
export type GlmParams = z.infer<typeof GlmParamsSchema>;

type Phase =
  | { phase: 'levels' }
  | {
      phase: 'irls';
      levels: Record<string, string[]>;
      beta: number[] | null;
      /**
       * The null model's fitted value (weighted mean response, known after the first IRLS round): the nodes
       * add the null deviance at it to this round's partial, so it needs no round of its own.
       */
      nullMu?: number;
    }
  | { phase: 'null-mean'; levels: Record<string, string[]>; mu: number }
  | { phase: 'null-irls'; levels: Record<string, string[]>; beta: number[] | null }
  | { phase: 'centre-fit'; levels: Record<string, string[]> };

interface State {
  levels: Record<string, string[]>;
  /** Records the nodes dropped for a missing value (see {@link missingReport}). */
  missing?: MissingReport;
  p: number;
  names: string[];
  intercept: boolean;
  hasOffset: boolean;
  irls: {
    iter: number;
    beta: number[] | null;
    previousBeta: number[] | null;
    previousDeviance: number | null;
  };
  final?: { beta: number[]; sum: number[]; iterations: number; converged: boolean };
  /** Set when the last input asked the nodes for the null deviance (the last element of their partial). */
  nullDevianceAsked?: boolean;
  /** The null deviance, once summed. */
  nullDeviance?: number;
  nullIrls?: {
    iter: number;
    beta: number[] | null;
    previousBeta: number[] | null;
    previousDeviance: number | null;
  };
  nodes: string[];
  /** The pooled result, kept while the centres fit their own models. */
  pooled?: Json;
}

const toState = (s: GlmIterationState): State['irls'] => ({
  iter: s.iter,
  beta: s.beta ? Array.from(s.beta) : null,
  previousBeta: s.previousBeta ? Array.from(s.previousBeta) : null,
  previousDeviance: Number.isFinite(s.previousDeviance) ? s.previousDeviance : null,
});
const fromState = (s: State['irls']): GlmIterationState => ({
  iter: s.iter,
  beta: s.beta ? Float64Array.from(s.beta) : null,
  previousBeta: s.previousBeta ? Float64Array.from(s.previousBeta) : null,
  previousDeviance: s.previousDeviance ?? Number.NaN,
});

async function modelData(
  ctx: LocalContext,
  params: GlmParams,
  levels: Record<string, string[]>,
): Promise<NodeModelData> {
  // keyed by the levels: the levels round builds the design with this node's own levels, which later
  // rounds reuse when they are the global ones
  const key = `glm:model:${JSON.stringify(Object.entries(levels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
  const cached = ctx.cache.get(key) as NodeModelData | undefined;
  if (cached) return cached;
  const ds = await ctx.dataset(params.dataset);
  // on SharedArrayBuffers when the node's worker threads compute the partials
  const data = await readModelData(ds, params, levels, { shared: ctx.rowPool !== undefined });
  ctx.cache.set(key, data);
  return data;
}

/**
 * The first IRLS partial on the node's own factor levels, or null where it cannot be computed that way (a
 * reference level this node has not seen, a design it cannot build): the IRLS round then computes it.
 */
async function firstPartial(
  ctx: LocalContext,
  params: GlmParams,
  levels: Record<string, string[]>,
): Promise<{ model: NodeModelData; partial: Float64Array; names: string[] } | null> {
  if (params.perCentre) return null;
  const own = Object.fromEntries(Object.entries(levels).map(([c, l]) => [c, mergeLevels([l])]));
  for (const [c, ref] of Object.entries(params.ref ?? {})) if (!own[c]?.includes(ref)) return null;
  let model: NodeModelData;
  try {
    model = await modelData(ctx, params, own);
  } catch {
    return null;
  }
  const data = {
    x: model.design.x,
    n: model.design.n,
    p: model.design.p,
    y: model.design.y!,
    weights: model.weights,
    offset: model.design.offset,
  };
  const partial = ctx.rowPool
    ? await ctx.rowPool.glmPartial(data, params.family, null)
    : glmLocalPartial(data, params.family, null);
  return { model, partial, names: [...model.design.columnNames] };
}

const designCellsOf = new WeakMap<NodeModelData, DisclosureCell[]>();

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Disclosure declaration of a model partial: records, parameters, and the cells of the design (see
 * designCells: every pair of terms' factor combinations, as X'X holds them, an interaction's a:b cell
 * among them; and, for a binary outcome, each term's factor combinations by outcome, as X'y holds them).
 * A cell of one record would give that record's response exactly.
 */
export function modelDisclosure(m: NodeModelData, params: Pick<GlmParams, 'family' | 'formula'>) {
  const n = m.design.n;
  // the same rows every round: counted once per model
  let cells = designCellsOf.get(m);
  if (cells === undefined) {
    const outcome =
      params.family === 'binomial' && m.design.y ? { name: '(outcome)', values: m.design.y } : null;
    cells = [
      { label: 'records used by the model', count: n, kind: 'records' as const },
      ...designCells(parseModelFormula(params.formula), m.factorValues, outcome),
    ];
    designCellsOf.set(m, cells);
  }
  return { subsetSize: n, cells, parameters: m.design.p };
}

export const glm = defineAlgorithm<GlmParams>({
  name: 'glm',
  // 1.1.0: perCentre (each centre's own fit, where the study allows per-node breakdowns)
  // 1.2.0: the levels round carries the first IRLS partial; the null deviance comes with an IRLS round
  // 1.3.0: the levels round sends masked counts on the dictionary's levels, not the node's own levels
  version: '1.3.0',
  title: 'Generalised linear model',
  description:
    'Gaussian, binomial (logit) and Poisson (log) regression by exact federated IRLS; equals R glm() on the pooled rows.',
  paramsSchema: GlmParamsSchema,
  resultSchema: GlmResultSchema,
  model: {
    training: (r) =>
      pickFields(r, [
        'n',
        'deviance',
        'nullDeviance',
        'aic',
        'dfResidual',
        'dfNull',
        'dispersion',
        'iterations',
        'converged',
        'nodes',
      ]),
    // AUC, calibration, Brier and Hosmer–Lemeshow need a binary outcome
    validatedBy: (family) => (family === 'binomial' ? 'validate' : null),
  },
  releases: {
    pooled:
      "factor levels present (each level's count at least the minimum cell count); per iteration the additive sums X'WX, X'Wz and the deviance at the hub's coefficients (secure-aggregated), released only when every combination of factor levels these sums hold (of each pair of terms, and of each term by a binary outcome) counts at least the minimum cell count",
    perNode: "with perCentre, each centre's own fitted coefficients and standard errors",
  },
  variables: (p) => ({ dataset: p.dataset, columns: modelColumns(parseModelFormula(p.formula), p.weights) }),
  firstInput: () => ({ phase: 'levels' }),
  async local(ctx, params, input) {
    const phase = input as unknown as Phase;
    const ds = await ctx.dataset(params.dataset);
    const f = parseModelFormula(params.formula);
    if (f.response?.kind !== 'variable')
      throw new FedhubError('FH_ERR_BAD_PARAMS', `formula "${params.formula}" needs a response: y ~ ...`, {
        parameter: 'formula',
      });
    if (phase.phase === 'levels') {
      const factors = factorColumns(f, ds);
      const columns = modelColumns(f, params.weights);
      const n = await ds.count(params.filter);
      for (const c of columns) ds.column(c);
      // levels from the dictionary: the node's counts per declared level go in the masked vector, so no
      // node's own levels leave it (the aggregator keeps the levels some record holds)
      const { declared, counts, cells } = await declaredLevelCounts(ds, factors, params.filter);
      // The first IRLS partial (at R's starting values) on the declared levels: when some record holds
      // every declared level, the aggregator sums these and the round that would compute them is saved.
      const first = await firstPartial(ctx, params, Object.fromEntries(declared));
      if (!first)
        return release({ declared, [ADDITIVE_FIELD]: counts } as unknown as Json, { subsetSize: n, cells });
      const model = modelDisclosure(first.model, params);
      // records of the selection dropped for a missing value: released when 0 or at least the minimum
      // cell count (then declared), else only as "fewer than the minimum" (R: "observations deleted
      // due to missingness")
      const dropped = n - first.model.design.n;
      const missingReleased = dropped === 0 || dropped >= ctx.policy.minCellCount;
      return release(
        {
          declared,
          [ADDITIVE_FIELD]: [...counts, ...first.partial],
          names: first.names,
          missing: missingReleased ? dropped : -1,
        } as unknown as Json,
        {
          subsetSize: Math.min(n, model.subsetSize),
          cells: [
            ...cells,
            ...model.cells,
            ...(missingReleased
              ? [{ label: 'records dropped for a missing value', count: dropped, kind: 'missing' as const }]
              : []),
          ],
          parameters: model.parameters,
        },
      );
    }
    const m = await modelData(ctx, params, phase.levels);
    const data = {
      x: m.design.x,
      n: m.design.n,
      p: m.design.p,
      y: m.design.y!,
      weights: m.weights,
      offset: m.design.offset,
    };
    if (phase.phase === 'centre-fit') {
      // this centre's own model: released only where the study allows per-node breakdowns
      if (ctx.releasePerNodeBreakdown !== true)
        throw new FedhubError(
          'FH_ERR_OUTSIDE_STUDY',
          'perCentre: this study does not allow per-node breakdowns, so this node releases no model of its own',
          { parameter: 'perCentre' },
        );
      return release(centreFit(data, params, m.design.columnNames) as Json, modelDisclosure(m, params));
    }
    let partial: Float64Array;
    if (phase.phase === 'irls') {
      const beta = phase.beta ? Float64Array.from(phase.beta) : null;
      partial = ctx.rowPool
        ? await ctx.rowPool.glmPartial(data, params.family, beta)
        : glmLocalPartial(data, params.family, beta);
      if (phase.nullMu !== undefined) {
        const withNull = new Float64Array(partial.length + 1);
        withNull.set(partial);
        withNull[partial.length] = glmNullDevianceLocalPartial(data, params.family, phase.nullMu)[0]!;
        partial = withNull;
      }
    } else if (phase.phase === 'null-mean')
      partial = glmNullDevianceLocalPartial(data, params.family, phase.mu);
    else {
      const ones = { ...data, x: new Float64Array(data.n).fill(1), p: 1 };
      partial = glmLocalPartial(ones, params.family, phase.beta ? Float64Array.from(phase.beta) : null);
    }
    return release(
      { [ADDITIVE_FIELD]: Array.from(partial), names: [...m.design.columnNames] } as Json,
      modelDisclosure(m, params),
    );
  },
  aggregate({ params, round, state, parts, releasePerNodeBreakdown }) {
    const control = { ...defaultGlmControl, ...(params.control ?? {}) };
    if (round === 1) {
      if (params.perCentre && releasePerNodeBreakdown !== true)
        throw new FedhubError(
          'FH_ERR_OUTSIDE_STUDY',
          'perCentre: this study does not allow per-node breakdowns; fit the pooled model only',
        );
      const declared = (parts[0]!.payload as unknown as { declared: Array<[string, string[]]> }).declared;
      for (const p of parts)
        if (
          JSON.stringify((p.payload as unknown as { declared: unknown }).declared) !==
          JSON.stringify(declared)
        )
          throw new FedhubError(
            'FH_ERR_ALGORITHM_FAILED',
            "the nodes' dictionaries declare different levels for the model's factors",
          );
      const withFirst = parts.filter((p) => 'names' in (p.payload as Record<string, Json>)).length;
      if (withFirst !== 0 && withFirst !== parts.length)
        throw new FedhubError(
          'FH_ERR_ALGORITHM_FAILED',
          'some nodes could not compute the first partial on the declared levels (see their logs)',
        );
      // the pooled counts per declared level (masked: the hub learns only their sums)
      const sumAll = sumAdditive(parts);
      const K = declared.reduce((a, [, all]) => a + all.length, 0);
      const levels = levelsHeld(declared, sumAll, 0, (l) => mergeLevels([l]));
      for (const [c, ref] of Object.entries(params.ref ?? {}))
        if (!levels[c]?.includes(ref))
          throw new FedhubError('FH_ERR_BAD_PARAMS', `ref: "${ref}" is not a level of ${c} at any node`);
      const f = parseModelFormula(params.formula);
      const next: State = {
        levels,
        p: -1,
        names: [],
        intercept: f.intercept,
        hasOffset: f.offsets.length > 0,
        irls: toState(glmInitialState()),
        nodes: parts.map((p) => p.nodeName),
        missing: missingReport(parts),
      };
      // every node sent the first IRLS partial on the declared levels, and some record holds each of them:
      // the same design columns everywhere, so the sum is the first IRLS round's
      const sameDesign =
        withFirst === parts.length &&
        declared.every(([c, all]) => sameList(mergeLevels([all]), levels[c]!)) &&
        parts.every((p) =>
          sameList(
            (p.payload as { names: string[] }).names,
            (parts[0]!.payload as { names: string[] }).names,
          ),
        );
      if (!sameDesign)
        return {
          kind: 'next-round',
          input: { phase: 'irls', levels, beta: null } as Json,
          state: next as unknown as Json,
        };
      return irlsStep(
        next,
        sumAll.subarray(K),
        (parts[0]!.payload as { names: string[] }).names,
        params,
        control,
      );
    }
    // the nodes of the round just closed: a node dropped out after round 1 (see the hub's dropout.ts) is gone
    const s: State = { ...(state as unknown as State), nodes: parts.map((p) => p.nodeName) };
    if (s.pooled !== undefined)
      return {
        kind: 'done',
        result: {
          ...(s.pooled as Record<string, Json>),
          perCentre: parts.map((p) => ({ centre: p.nodeName, ...(p.payload as Record<string, Json>) })),
        } as Json,
      };
    let sum = sumAdditive(parts);
    const names = (parts[0]!.payload as { names: string[] }).names;
    if (s.nullDevianceAsked) {
      s.nullDeviance = sum[sum.length - 1]!;
      s.nullDevianceAsked = false;
      sum = sum.subarray(0, sum.length - 1);
    }
    if (s.final === undefined) return irlsStep(s, sum, names, params, control);
    if (s.nullIrls === undefined) return finish(s, params, sum[0]!, false, s.levels);
    const step = glmAggregateStep(sum, 1, fromState(s.nullIrls), { epsilon: 1e-12, maxit: 100 });
    if (!step.done)
      return {
        kind: 'next-round',
        input: { phase: 'null-irls', levels: s.levels, beta: Array.from(step.state.beta!) } as Json,
        state: { ...s, nullIrls: toState(step.state) } as unknown as Json,
      };
    return finish(s, params, sum[1 + 1 + GlmScalar.deviance]!, false, s.levels);
  },
});

/** One IRLS step from the summed partial of the coefficients in `s.irls` (see glmAggregateStep). */
function irlsStep(
  s: State,
  sum: Float64Array,
  names: string[],
  params: GlmParams,
  control: typeof defaultGlmControl,
): AggregateOutcome {
  const p = names.length;
  const step = glmAggregateStep(sum, p, fromState(s.irls), control);
  if (!step.done) {
    // with an intercept and no offset the null model is the weighted mean: its deviance comes with the
    // next round
    const off = p * p + p;
    const nullMu =
      s.intercept && !s.hasOffset && s.nullDeviance === undefined && s.irls.beta === null
        ? sum[off + GlmScalar.sumWY]! / sum[off + GlmScalar.sumW]!
        : undefined;
    const next: State = {
      ...s,
      p,
      names,
      irls: toState(step.state),
      ...(nullMu !== undefined ? { nullDevianceAsked: true } : {}),
    };
    return {
      kind: 'next-round',
      input: {
        phase: 'irls',
        levels: s.levels,
        beta: Array.from(step.state.beta!),
        ...(nullMu !== undefined ? { nullMu } : {}),
      } as Json,
      state: next as unknown as Json,
    };
  }
  const final = {
    beta: Array.from(step.beta),
    sum: Array.from(sum),
    iterations: step.iter,
    converged: step.converged,
  };
  const off = p * p + p;
  const withFinal: State = { ...s, p, names, final };
  if (s.intercept && !s.hasOffset && s.nullDeviance !== undefined)
    return finish(withFinal, params, s.nullDeviance, false, s.levels);
  if (s.intercept && !s.hasOffset) {
    const mu = sum[off + GlmScalar.sumWY]! / sum[off + GlmScalar.sumW]!;
    return {
      kind: 'next-round',
      input: { phase: 'null-mean', levels: s.levels, mu } as Json,
      state: withFinal as unknown as Json,
    };
  }
  if (!s.intercept) return finish(withFinal, params, Number.NaN, true, s.levels);
  return {
    kind: 'next-round',
    input: { phase: 'null-irls', levels: s.levels, beta: null } as Json,
    state: { ...withFinal, nullIrls: toState(glmInitialState()) } as unknown as Json,
  };
}

/**
 * One centre's own fit of the model on its own rows (same design columns as the pooled fit), for a forest
 * plot of centres; a model that cannot be fitted there (e.g. a factor level absent at the centre) is
 * reported as such, without numbers.
 */
function centreFit(
  data: {
    x: Float64Array;
    n: number;
    p: number;
    y: Float64Array;
    weights: Float64Array | null;
    offset: Float64Array | null;
  },
  params: GlmParams,
  names: readonly string[],
): Record<string, Json> {
  try {
    const control = { ...defaultGlmControl, ...(params.control ?? {}) };
    const g = fitGlmFederated([data], params.family, names, { control });
    return {
      n: data.n,
      converged: g.converged,
      coefficients: names.map((term, j) => ({
        term,
        estimate: g.estimate[j]!,
        stdError: g.stdError[j]!,
        pValue: g.pValue[j]!,
        ciLower: g.ciLower[j]!,
        ciUpper: g.ciUpper[j]!,
      })),
    };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      n: data.n,
      error: `not estimable at this centre${typeof code === 'string' ? ` (${code})` : ''}`,
    };
  }
}

function finish(
  s: State,
  params: GlmParams,
  nullDevianceIn: number,
  noIntercept: boolean,
  levels: Record<string, string[]>,
): AggregateOutcome {
  const f = s.final!;
  const sum = Float64Array.from(f.sum);
  // Without an intercept R's null model is mu = linkinv(offset): its deviance is the saturated comparison at beta = 0,
  // which the nodes cannot send without another round; report it as not computed rather than a wrong number.
  const nullDeviance = noIntercept ? Number.NaN : nullDevianceIn;
  const g = glmSummarize({
    family: params.family,
    names: s.names,
    beta: Float64Array.from(f.beta),
    sum,
    nullDeviance,
    intercept: s.intercept,
    iterations: f.iterations,
    converged: f.converged,
  });
  const coefficients = s.names.map((term, j) => ({
    term,
    estimate: g.estimate[j]!,
    stdError: g.stdError[j]!,
    statistic: g.statistic[j]!,
    pValue: g.pValue[j]!,
    ciLower: g.ciLower[j]!,
    ciUpper: g.ciUpper[j]!,
  }));
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const result = {
    algorithm: 'glm',
    formula: params.formula,
    family: params.family,
    link: { gaussian: 'identity', binomial: 'logit', poisson: 'log' }[params.family],
    statistic: g.statisticKind,
    coefficients,
    covariance: Array.from(g.covariance),
    deviance: g.deviance,
    nullDeviance: finite(g.nullDeviance),
    aic: finite(g.aic),
    dfResidual: g.dfResidual,
    dfNull: g.dfNull,
    dispersion: g.dispersion,
    iterations: g.iterations,
    converged: g.converged,
    missingDropped: s.missing ?? null,
    warnings: [...glmFitWarnings(g), ...missingWarnings(s.missing)],
    n: g.nObs,
    nodes: s.nodes,
    levels: s.levels,
  } as unknown as Json;
  if (params.perCentre)
    return {
      kind: 'next-round',
      input: { phase: 'centre-fit', levels } as Json,
      state: { ...s, pooled: result } as unknown as Json,
    };
  return { kind: 'done', result };
}

/** Records dropped for a missing value over the nodes that said (each a count of 0 or >= the minimum cell count). */
interface MissingReport {
  /** Sum of the released counts. */
  dropped: number;
  /** Nodes that dropped some records, fewer than their minimum cell count (no number released). */
  nodesWithFew: number;
  /** Nodes that did not report (their first partial came in a later round). */
  nodesUnknown: number;
}

function missingReport(parts: NodePart[]): MissingReport {
  const r: MissingReport = { dropped: 0, nodesWithFew: 0, nodesUnknown: 0 };
  for (const p of parts) {
    const m = (p.payload as { missing?: unknown }).missing;
    if (typeof m !== 'number') r.nodesUnknown++;
    else if (m < 0) r.nodesWithFew++;
    else r.dropped += m;
  }
  return r;
}

function missingWarnings(m: MissingReport | undefined): ResultWarning[] {
  if (!m || (m.dropped === 0 && m.nodesWithFew === 0)) return [];
  const few = m.nodesWithFew
    ? `${m.dropped ? ', and ' : ''}fewer than the minimum cell count at ${m.nodesWithFew} node(s)`
    : '';
  return [
    resultWarning(
      'FH_WARN_MISSING_DROPPED',
      `${m.dropped ? `${m.dropped} records` : ''}${few} (R: "observations deleted due to missingness")`,
    ),
  ];
}
