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
import {
  FedhubError,
  type GlmResult,
  GlmResultSchema,
  ResultNumber,
  type ResultWarning,
  resultWarning,
} from '@fedhub/protocol';
import {
  appendCentreColumns,
  defaultGlmControl,
  fitGlmFederated,
  fitGlmNegBinFederated,
  type GlmFamilySpec,
  type GlmIterationState,
  GlmScalar,
  glmAggregateStep,
  glmAnovaTable,
  glmColumnsSubset,
  glmFamily,
  glmInitialState,
  glmLocalPartial,
  glmNullDevianceLocalPartial,
  glmProfileLocalPartial,
  glmRobustPartial,
  glmSummarize,
  mergeLevels,
  NEGBIN_THETA_PARTIAL_SIZE,
  NegBinThetaScalar,
  negBinJointStep,
  negBinStartTheta,
  negBinThetaPartial,
} from '@fedhub/stats';
import { z } from 'zod';
import { ADDITIVE_FIELD, additiveFields, sumAdditive } from '../additive.js';
import { columnParam, DatasetParam, examples, FilterParam, paramMeta } from '../common-params.js';
import { declaredLevelCounts, levelsHeld } from '../declared-levels.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { designCells } from '../model-data/design-cells.js';
import {
  factorColumns,
  modelColumns,
  type NodeModelData,
  parseModelFormula,
  readModelData,
} from '../model-data/model-data.js';
import { Coefficients, DeclaredLevels, FactorLevels } from '../model-data/round-schemas.js';
import {
  type AggregateOutcome,
  type DisclosureCell,
  type LocalContext,
  type NodePart,
  payloadsWith,
  pickFields,
  release,
} from '../types.js';
import { type AnovaState, anovaStart, anovaStep, type RobustKind, robustResult } from './extras.js';
import { glmFitWarnings } from './fit-warnings.js';
import { type PooledFit, type ProfileState, profileStart, profileStep } from './profile-round.js';

/** The key of the centres (node names, sorted) among the levels the hub sends, with adjustForCentre. */
const CENTRE_LEVELS = '(centre)';

export const GlmParamsSchema = z.strictObject({
  dataset: DatasetParam,
  formula: z
    .string()
    .min(3)
    .max(2000)
    .describe('R model formula, e.g. "toxicity ~ dose_gy + age + factor(stage)"')
    .meta(paramMeta({ widget: 'formula', examples: ['toxicity ~ dose_gy + age + factor(stage)'] })),
  family: z
    .enum(['gaussian', 'binomial', 'poisson', 'quasibinomial', 'quasipoisson', 'negative.binomial'])
    .default('gaussian')
    .describe(
      'Error distribution: binomial for a 0/1 outcome (logistic regression), poisson for counts; quasibinomial and quasipoisson estimate the dispersion (Pearson chi2 / df, t tests); negative.binomial estimates theta by maximum likelihood (MASS::glm.nb)',
    )
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
  robust: z
    .enum(['HC0', 'cluster-centre', 'cluster-column'])
    .optional()
    .describe(
      'Also robust standard errors: sandwich HC0 (sandwich::vcovHC(type = "HC0")), or cluster-robust with the centre or clusterColumn as the cluster (vcovCL(type = "HC0"))',
    )
    .meta(examples('cluster-centre')),
  clusterColumn: columnParam(
    'any',
    'Column whose values are the clusters for robust = "cluster-column" (each cluster within one centre, e.g. a patient)',
    'patient_id',
  ).optional(),
  adjustForCentre: z
    .boolean()
    .optional()
    .describe(
      'Adjust for the centre without a centre column in the data: each node adds the indicator of its centre (R: + centre on the pooled file, the first centre the reference)',
    )
    .meta(examples(true)),
  anova: z
    .boolean()
    .default(false)
    .describe('Also sequential likelihood-ratio tests of the terms, as R anova(fit, test = "Chisq")')
    .meta(examples(true)),
  ci: z
    .enum(['wald', 'profile'])
    .default('wald')
    .describe(
      'Confidence intervals of the coefficients: wald (estimate -/+ 1.96 s.e., t-based for gaussian; R confint.default) or profile likelihood (R confint(fit), MASS profile.glm: more rounds, better for small samples and rare outcomes)',
    )
    .meta(examples('profile')),
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

const Levels = FactorLevels;
const Beta = Coefficients;
/** theta in the nodes' input once the negative binomial has it. */
const theta = z.number().optional();

/**
 * The hub's input to each round, by phase: factor levels, then IRLS at the hub's coefficients (and the
 * negative binomial's joint rounds, the null model's, the optional robust, anova and per-centre rounds).
 */
export const GlmInputSchema = z.discriminatedUnion('phase', [
  z.strictObject({ phase: z.literal('levels') }),
  z.strictObject({
    phase: z.literal('irls'),
    levels: Levels,
    beta: Beta.nullable(),
    /**
     * The null model's fitted value (weighted mean response, known after the first IRLS round): the nodes
     * add the null deviance at it to this round's partial, so it needs no round of its own.
     */
    nullMu: z.number().optional(),
  }),
  z.strictObject({ phase: z.literal('negbin'), levels: Levels, beta: Beta, theta: z.number().nullable() }),
  z.strictObject({ phase: z.literal('robust'), levels: Levels, beta: Beta, theta }),
  /** The partial of nested model k's columns `cols` at beta (see extras.ts). */
  z.strictObject({
    phase: z.literal('anova'),
    levels: Levels,
    k: z.int(),
    cols: z.array(z.int()),
    beta: Beta.nullable(),
    theta,
  }),
  z.strictObject({ phase: z.literal('null-mean'), levels: Levels, mu: z.number(), theta }),
  z.strictObject({ phase: z.literal('null-irls'), levels: Levels, beta: Beta.nullable(), theta }),
  z.strictObject({ phase: z.literal('centre-fit'), levels: Levels }),
  /** ci = "profile": per coefficient and direction still profiled, the refit with that coefficient fixed. */
  z.strictObject({
    phase: z.literal('profile'),
    levels: Levels,
    requests: z.array(z.strictObject({ col: z.int(), b: z.number(), beta: z.array(z.number()) })),
    theta,
  }),
]);
export type GlmInput = z.infer<typeof GlmInputSchema>;

// a centre's fit may hold NaN (an inestimable term): null once it has crossed the network as JSON
const CentreCoefficient = z.strictObject({
  term: z.string(),
  estimate: ResultNumber,
  stdError: ResultNumber,
  pValue: ResultNumber,
  ciLower: ResultNumber,
  ciUpper: ResultNumber,
});

/**
 * What a node sends: the levels round's masked counts per declared level (with its first IRLS partial on
 * them, where it could compute it, and its count of records dropped for a missing value, -1 for fewer than
 * the minimum cell count); each later round's additive partial with the design's column names and terms;
 * or, with perCentre, this centre's own fit.
 */
export const GlmPayloadSchema = z.union([
  z.strictObject({
    declared: DeclaredLevels,
    ...additiveFields,
    names: z.array(z.string()).optional(),
    missing: z.number().optional(),
  }),
  z.strictObject({ ...additiveFields, names: z.array(z.string()), assign: z.array(z.int()) }),
  z.strictObject({
    n: z.int(),
    converged: z.boolean(),
    coefficients: z.array(CentreCoefficient),
  }),
  z.strictObject({ n: z.int(), error: z.string() }),
]);
export type GlmPayload = z.infer<typeof GlmPayloadSchema>;
type Outcome = AggregateOutcome<GlmInput, State, GlmResult>;

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
  /** The pooled result, kept while the optional results (robust, anova, per centre) are computed. */
  pooled?: GlmResult;
  /** The optional result whose round is out. */
  extra?: 'robust' | 'anova' | 'profile' | 'centre';
  /** R's attr(model.matrix, "assign") of the design's columns. */
  assign?: number[];
  /** Negative binomial: the joint (beta, theta) rounds' state, while they run. */
  negbin?: { beta: number[]; theta: number | null; previousDeviance: number | null; iter: number };
  /** Negative binomial: theta, its standard error and 2 log-likelihood, once estimated. */
  theta?: number;
  seTheta?: number;
  twoLogLik?: number;
  anovaState?: AnovaState;
  /** ci = "profile": the profile chains' state while their rounds run. */
  profileState?: ProfileState;
}

/** The family the nodes use: the negative binomial is a Poisson fit until theta is known. */
function familySpec(family: GlmParams['family'], theta: number | undefined | null): GlmFamilySpec {
  if (family !== 'negative.binomial') return family;
  return typeof theta === 'number' ? { name: 'negative.binomial', theta } : 'poisson';
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
  const { [CENTRE_LEVELS]: centres, ...columnLevels } = levels;
  // on SharedArrayBuffers when the node's worker threads compute the partials
  let data = await readModelData(
    ds,
    { ...params, ...(params.robust === 'cluster-column' ? { clusterColumn: params.clusterColumn } : {}) },
    columnLevels,
    { shared: ctx.rowPool !== undefined },
  );
  // the centre as a factor: this node's indicator after the formula's columns
  if (params.adjustForCentre && centres)
    data = { ...data, design: appendCentreColumns(data.design, centres, ctx.node.name) };
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
  // with adjustForCentre the design needs every centre's name, which the hub sends after this round
  if (params.perCentre || params.adjustForCentre) return null;
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
  const fam = familySpec(params.family, null);
  const partial = ctx.rowPool
    ? await ctx.rowPool.glmPartial(data, fam, null)
    : glmLocalPartial(data, fam, null);
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
      (params.family === 'binomial' || params.family === 'quasibinomial') && m.design.y
        ? { name: '(outcome)', values: m.design.y }
        : null;
    cells = [
      { label: 'records used by the model', count: n, kind: 'records' as const },
      ...designCells(parseModelFormula(params.formula), m.factorValues, outcome),
    ];
    designCellsOf.set(m, cells);
  }
  return { subsetSize: n, cells, parameters: m.design.p };
}

export const glm = defineAlgorithm<GlmParams, GlmInput, State, GlmPayload, GlmResult>({
  name: 'glm',
  // 1.1.0: perCentre (each centre's own fit, where the study allows per-node breakdowns)
  // 1.2.0: the levels round carries the first IRLS partial; the null deviance comes with an IRLS round
  // 1.3.0: the levels round sends masked counts on the dictionary's levels, not the node's own levels
  // 1.4.0: quasibinomial, quasipoisson and negative binomial families; robust (HC0, cluster) standard
  //        errors; sequential likelihood-ratio tests (anova); t intervals for gaussian
  // 1.5.0: adjustForCentre (the centre's indicator added by each node)
  // 1.6.0: ci = "profile": profile-likelihood intervals (R confint(fit)), rounds after the fit
  version: '1.6.0',
  title: 'Generalised linear model',
  description:
    'Gaussian, binomial (logit), Poisson (log), quasi-binomial, quasi-Poisson and negative binomial (log, theta by ML) regression by exact federated IRLS, with optional robust/cluster-robust standard errors and likelihood-ratio tests of terms; equals R glm() / MASS::glm.nb on the pooled rows.',
  paramsSchema: GlmParamsSchema,
  inputSchema: GlmInputSchema,
  payloadSchema: GlmPayloadSchema,
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
    validatedBy: (family) => (family === 'binomial' || family === 'quasibinomial' ? 'validate' : null),
  },
  releases: {
    pooled:
      "factor levels present (each level's count at least the minimum cell count); per iteration the additive sums X'WX, X'Wz and the deviance at the hub's coefficients (secure-aggregated), released only when every combination of factor levels these sums hold (of each pair of terms, and of each term by a binary outcome) counts at least the minimum cell count; for the negative binomial also the sums of theta's score, information and log-likelihood; with robust, the sum of the outer products of the score contributions (per row, per centre or per cluster) and the number of clusters; with anova, the same sums for the nested models' columns; with adjustForCentre, X'WX and X'Wz hold each centre's own sums in its indicator's row (as a centre column in the pooled file would); with ci = profile, the same sums for the model with one coefficient fixed (in the offset), per coefficient and grid point",
    perNode: "with perCentre, each centre's own fitted coefficients and standard errors",
  },
  variables: (p) => ({
    dataset: p.dataset,
    columns: [
      ...modelColumns(parseModelFormula(p.formula), p.weights),
      ...(p.robust === 'cluster-column' && p.clusterColumn ? [p.clusterColumn] : []),
    ],
  }),
  firstInput: () => ({ phase: 'levels' }),
  async local(ctx, params, phase) {
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
      if (!first) return release({ declared, [ADDITIVE_FIELD]: counts }, { subsetSize: n, cells });
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
        },
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
      return release(centreFit(data, params, m.design.columnNames), modelDisclosure(m, params));
    }
    let partial: Float64Array;
    if (phase.phase === 'irls') {
      const beta = phase.beta ? Float64Array.from(phase.beta) : null;
      const fam = familySpec(params.family, null);
      partial = ctx.rowPool
        ? await ctx.rowPool.glmPartial(data, fam, beta)
        : glmLocalPartial(data, fam, beta);
      if (phase.nullMu !== undefined) {
        const withNull = new Float64Array(partial.length + 1);
        withNull.set(partial);
        withNull[partial.length] = glmNullDevianceLocalPartial(data, fam, phase.nullMu)[0]!;
        partial = withNull;
      }
    } else if (phase.phase === 'negbin') {
      // the IRLS partial of negative.binomial(theta) and theta's score and information at the same point
      // (at the Poisson fit, without theta yet: only the sums for its starting value)
      const beta = Float64Array.from(phase.beta);
      const theta = phase.theta ?? Number.NaN;
      const thetaPart = negBinThetaPartial(data, beta, theta);
      if (phase.theta === null) partial = thetaPart;
      else {
        const fam = familySpec(params.family, phase.theta);
        const irls = ctx.rowPool
          ? await ctx.rowPool.glmPartial(data, fam, beta)
          : glmLocalPartial(data, fam, beta);
        partial = new Float64Array(irls.length + thetaPart.length);
        partial.set(irls);
        partial.set(thetaPart, irls.length);
      }
    } else if (phase.phase === 'robust') {
      // the outer products of the score contributions: of each row (HC0), of this centre's sum, or of each
      // cluster's sum within this centre
      const clusters =
        params.robust === 'cluster-centre'
          ? 'node'
          : params.robust === 'cluster-column'
            ? m.clusterCodes
            : null;
      partial = glmRobustPartial(
        data,
        familySpec(params.family, phase.theta),
        Float64Array.from(phase.beta),
        clusters,
      );
    } else if (phase.phase === 'profile') {
      // each requested constrained refit: the design without the profiled column, that column in the offset
      partial = glmProfileLocalPartial(data, familySpec(params.family, phase.theta), phase.requests);
    } else if (phase.phase === 'anova') {
      const sub = glmColumnsSubset(data, phase.cols);
      partial = glmLocalPartial(
        sub,
        familySpec(params.family, phase.theta),
        phase.beta ? Float64Array.from(phase.beta) : null,
      );
    } else if (phase.phase === 'null-mean')
      partial = glmNullDevianceLocalPartial(data, familySpec(params.family, phase.theta), phase.mu);
    else {
      const ones = { ...data, x: new Float64Array(data.n).fill(1), p: 1 };
      partial = glmLocalPartial(
        ones,
        familySpec(params.family, phase.theta),
        phase.beta ? Float64Array.from(phase.beta) : null,
      );
    }
    return release(
      {
        [ADDITIVE_FIELD]: Array.from(partial),
        names: [...m.design.columnNames],
        assign: [...(m.design.assign ?? [])],
      },
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
      const firsts = payloadsWith(parts, 'declared');
      const declared = firsts[0]!.declared;
      for (const p of firsts)
        if (JSON.stringify(p.declared) !== JSON.stringify(declared))
          throw new FedhubError(
            'FH_ERR_ALGORITHM_FAILED',
            "the nodes' dictionaries declare different levels for the model's factors",
          );
      const withFirst = firsts.filter((p) => p.names !== undefined).length;
      if (withFirst !== 0 && withFirst !== parts.length)
        throw new FedhubError(
          'FH_ERR_ALGORITHM_FAILED',
          'some nodes could not compute the first partial on the declared levels (see their logs)',
        );
      // the pooled counts per declared level (masked: the hub learns only their sums)
      const sumAll = sumAdditive(parts);
      const K = declared.reduce((a, [, all]) => a + all.length, 0);
      const levels = levelsHeld(declared, sumAll, 0, (l) => mergeLevels([l]));
      if (params.adjustForCentre) {
        if (params.perCentre || params.anova)
          throw new FedhubError(
            'FH_ERR_BAD_PARAMS',
            'adjustForCentre cannot be combined with perCentre or anova: ask for them in a task of their own',
            { parameter: 'adjustForCentre' },
          );
        // the centres sorted as R sorts a centre column's levels; the first is the reference
        levels[CENTRE_LEVELS] = parts.map((p) => p.nodeName).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      }
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
        missing: missingReport(firsts),
      };
      // every node sent the first IRLS partial on the declared levels, and some record holds each of them:
      // the same design columns everywhere, so the sum is the first IRLS round's
      const sameDesign =
        withFirst === parts.length &&
        declared.every(([c, all]) => sameList(mergeLevels([all]), levels[c]!)) &&
        firsts.every((p) => sameList(p.names ?? [], firsts[0]!.names ?? []));
      if (!sameDesign)
        return { kind: 'next-round', input: { phase: 'irls', levels, beta: null }, state: next };
      return irlsStep(next, sumAll.subarray(K), firsts[0]!.names ?? [], params, control);
    }
    // the nodes of the round just closed: a node dropped out after round 1 (see the hub's dropout.ts) is gone
    const s: State = { ...stateAfterRound1(state), nodes: parts.map((p) => p.nodeName) };
    if (s.pooled !== undefined) return extraStep(s, parts, params, control);
    const partials = payloadsWith(parts, 'assign');
    let sum = sumAdditive(parts);
    const names = partials[0]!.names;
    s.assign ??= partials[0]!.assign;
    if (s.negbin !== undefined) return negbinStep(s, sum, params, control);
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
        input: {
          phase: 'null-irls',
          levels: s.levels,
          beta: Array.from(step.state.beta!),
          ...thetaInput(s),
        },
        state: { ...s, nullIrls: toState(step.state) },
      };
    return finish(s, params, sum[1 + 1 + GlmScalar.deviance]!, false, s.levels);
  },
});

/** The hub's state after the levels round (only the levels round has none). */
function stateAfterRound1(state: State | null): State {
  if (state === null)
    throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'glm: a round after the first has no state');
  return state;
}

/** One IRLS step from the summed partial of the coefficients in `s.irls` (see glmAggregateStep). */
function irlsStep(
  s: State,
  sum: Float64Array,
  names: string[],
  params: GlmParams,
  control: typeof defaultGlmControl,
): Outcome {
  const p = names.length;
  const step = glmAggregateStep(sum, p, fromState(s.irls), control);
  if (!step.done) {
    // with an intercept and no offset the null model is the weighted mean: its deviance comes with the
    // next round
    const off = p * p + p;
    // (not for the negative binomial, whose null model is at theta, known only after the Poisson fit)
    const nullMu =
      params.family !== 'negative.binomial' &&
      s.intercept &&
      !s.hasOffset &&
      s.nullDeviance === undefined &&
      s.irls.beta === null
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
      },
      state: next,
    };
  }
  const final = {
    beta: Array.from(step.beta),
    sum: Array.from(sum),
    iterations: step.iter,
    converged: step.converged,
  };
  const withFinal: State = { ...s, p, names, final };
  if (params.family === 'negative.binomial' && s.theta === undefined)
    // the Poisson fit is glm.nb's start: now the joint (beta, theta) rounds, from theta's starting value
    return {
      kind: 'next-round',
      input: { phase: 'negbin', levels: s.levels, beta: final.beta, theta: null },
      state: { ...withFinal, negbin: { beta: final.beta, theta: null, previousDeviance: null, iter: 0 } },
    };
  return afterFit(withFinal, params);
}

/** After the fit: the null deviance (known, from its own round or rounds, or not defined), then the result. */
function afterFit(withFinal: State, params: GlmParams): Outcome {
  const s = withFinal;
  const p = s.p;
  const sum = s.final!.sum;
  const off = p * p + p;
  if (s.intercept && !s.hasOffset && s.nullDeviance !== undefined)
    return finish(withFinal, params, s.nullDeviance, false, s.levels);
  if (s.intercept && !s.hasOffset) {
    const mu = sum[off + GlmScalar.sumWY]! / sum[off + GlmScalar.sumW]!;
    return {
      kind: 'next-round',
      input: { phase: 'null-mean', levels: s.levels, mu, ...thetaInput(s) },
      state: withFinal,
    };
  }
  if (!s.intercept) return finish(withFinal, params, Number.NaN, true, s.levels);
  return {
    kind: 'next-round',
    input: { phase: 'null-irls', levels: s.levels, beta: null, ...thetaInput(s) },
    state: { ...withFinal, nullIrls: toState(glmInitialState()) },
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
): Extract<GlmPayload, { n: number }> {
  try {
    const control = { ...defaultGlmControl, ...(params.control ?? {}) };
    const g =
      params.family === 'negative.binomial'
        ? fitGlmNegBinFederated([data], names)
        : fitGlmFederated([data], params.family, names, { control });
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
): Outcome {
  const f = s.final!;
  const sum = Float64Array.from(f.sum);
  // Without an intercept R's null model is mu = linkinv(offset): its deviance is the saturated comparison at beta = 0,
  // which the nodes cannot send without another round; report it as not computed rather than a wrong number.
  const nullDeviance = noIntercept ? Number.NaN : nullDevianceIn;
  const g = glmSummarize({
    family: familySpec(params.family, s.theta),
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
  const result: GlmResult = {
    algorithm: 'glm',
    formula: params.formula,
    family: params.family,
    link: glmFamily(familySpec(params.family, s.theta)).link,
    statistic: g.statisticKind,
    ...(s.theta !== undefined ? { theta: s.theta, seTheta: s.seTheta!, twoLogLik: s.twoLogLik! } : {}),
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
  };
  return nextExtra({ ...s, pooled: result, levels }, params);
}

/** theta in the nodes' input once the negative binomial has it. */
function thetaInput(s: State): { theta?: number } {
  return s.theta !== undefined ? { theta: s.theta } : {};
}

/** A joint (beta, theta) round of the negative binomial (see negBinJointStep). */
function negbinStep(
  s: State,
  sum: Float64Array,
  params: GlmParams,
  control: typeof defaultGlmControl,
): Outcome {
  const nb = s.negbin!;
  const p = s.p;
  const next = (beta: number[], theta: number, previousDeviance: number | null, iter: number) => ({
    kind: 'next-round' as const,
    input: { phase: 'negbin' as const, levels: s.levels, beta, theta },
    state: { ...s, negbin: { beta, theta, previousDeviance, iter } },
  });
  if (nb.theta === null) return next(nb.beta, negBinStartTheta(sum), null, 0);
  const irlsSum = sum.subarray(0, sum.length - NEGBIN_THETA_PARTIAL_SIZE);
  const thetaSum = sum.subarray(sum.length - NEGBIN_THETA_PARTIAL_SIZE);
  // glm.nb alternates to its own tolerance; the joint rounds go to 1e-10 (or the control's, if tighter), so
  // that beta and theta are glm.nb's to its precision
  const step = negBinJointStep(
    irlsSum,
    thetaSum,
    p,
    {
      beta: Float64Array.from(nb.beta),
      theta: nb.theta,
      previousDeviance: nb.previousDeviance ?? Number.NaN,
      iter: nb.iter,
    },
    { epsilon: Math.min(control.epsilon, 1e-10), maxit: 4 * control.maxit },
  );
  if (!step.done)
    return next(Array.from(step.state.beta), step.state.theta, step.state.previousDeviance, step.state.iter);
  const final = {
    beta: Array.from(step.state.beta),
    sum: Array.from(irlsSum),
    iterations: s.final!.iterations + step.state.iter,
    converged: s.final!.converged && step.converged,
  };
  const { negbin: _, ...rest } = s;
  return afterFit(
    {
      ...rest,
      final,
      theta: step.state.theta,
      seTheta: step.seTheta,
      twoLogLik: 2 * thetaSum[NegBinThetaScalar.logLik]!,
    },
    params,
  );
}

const EXTRAS = ['robust', 'anova', 'profile', 'centre'] as const;

/** The next optional result after `s.extra` (robust, anova, per centre), or the result when none is left. */
function nextExtra(s: State, params: GlmParams): Outcome {
  const asked = (e: (typeof EXTRAS)[number]) =>
    e === 'robust'
      ? params.robust !== undefined
      : e === 'anova'
        ? params.anova
        : e === 'profile'
          ? params.ci === 'profile'
          : params.perCentre;
  const from = s.extra ? EXTRAS.indexOf(s.extra) + 1 : 0;
  const e = EXTRAS.slice(from).find(asked);
  const pooled = s.pooled!;
  if (e === undefined) return { kind: 'done', result: pooled };
  const state = (x: Partial<State>): State => ({ ...s, extra: e, ...x });
  if (e === 'robust')
    return {
      kind: 'next-round',
      input: { phase: 'robust', levels: s.levels, beta: s.final!.beta, ...thetaInput(s) },
      state: state({}),
    };
  if (e === 'centre')
    return { kind: 'next-round', input: { phase: 'centre-fit', levels: s.levels }, state: state({}) };
  if (e === 'profile') {
    const start = profileStart(pooled as PooledFit);
    return {
      kind: 'next-round',
      input: { phase: 'profile', levels: s.levels, requests: start.requests, ...thetaInput(s) },
      state: state({ profileState: start.state }),
    };
  }
  const terms = parseModelFormula(params.formula).terms.map((t) => t.label);
  const nullDeviance = pooled.nullDeviance;
  const start = anovaStart(
    s.assign ?? [],
    s.intercept && typeof nullDeviance === 'number'
      ? { deviance: nullDeviance, df: num(pooled.dfNull) }
      : null,
  );
  if (start.state.k >= terms.length) {
    // nothing to fit: the null model and the full model are the table
    const rows = anovaTable(start.state, terms, pooled);
    return nextExtra({ ...s, extra: 'anova', pooled: { ...pooled, anova: rows } }, params);
  }
  return {
    kind: 'next-round',
    input: { phase: 'anova', levels: s.levels, ...start.input, ...thetaInput(s) },
    state: state({ anovaState: start.state }),
  };
}

/** A number of the pooled result as kept in the hub's state (where JSON has made NaN null). */
const num = (x: number | null): number => x ?? Number.NaN;

function anovaTable(a: AnovaState, terms: string[], pooled: GlmResult): NonNullable<GlmResult['anova']> {
  return glmAnovaTable(
    terms,
    [...a.deviance, num(pooled.deviance)],
    [...a.df, num(pooled.dfResidual)],
    num(pooled.dispersion),
  ).map((r) => ({ ...r, pValue: Number.isFinite(r.pValue) ? r.pValue : null }));
}

/** The round of an optional result is in: add it to the result and go on to the next. */
function extraStep(
  s: State,
  parts: NodePart<GlmPayload>[],
  params: GlmParams,
  control: typeof defaultGlmControl,
): Outcome {
  const pooled = s.pooled!;
  if (s.extra === 'centre') {
    const fits = payloadsWith(parts, 'n');
    return {
      kind: 'done',
      result: { ...pooled, perCentre: fits.map((fit, i) => ({ centre: parts[i]!.nodeName, ...fit })) },
    };
  }
  const sum = sumAdditive(parts);
  if (s.extra === 'profile') return profileExtraStep(s, sum, params, control);
  if (s.extra === 'robust') {
    const f = s.final!;
    const robust = robustResult(
      params.robust as RobustKind,
      s.names,
      f.beta,
      Float64Array.from(f.sum.slice(0, s.p * s.p)),
      sum,
    );
    return nextExtra({ ...s, pooled: { ...pooled, robust } }, params);
  }
  const terms = parseModelFormula(params.formula).terms.map((t) => t.label);
  const step = anovaStep(
    sum,
    s.anovaState!,
    s.assign ?? [],
    terms,
    {
      deviance: num(pooled.deviance),
      df: num(pooled.dfResidual),
      dispersion: num(pooled.dispersion),
    },
    { epsilon: Math.min(control.epsilon, 1e-10), maxit: 4 * control.maxit },
  );
  if (!step.done)
    return {
      kind: 'next-round',
      input: { phase: 'anova', levels: s.levels, ...step.input, ...thetaInput(s) },
      state: { ...s, anovaState: step.state },
    };
  const rows = step.rows.map((r) => ({ ...r, pValue: Number.isFinite(r.pValue) ? r.pValue : null }));
  return nextExtra({ ...s, pooled: { ...pooled, anova: rows } }, params);
}

/** A profile round is in: step the constrained refits, then put the profile intervals in the result. */
function profileExtraStep(
  s: State,
  sum: Float64Array,
  params: GlmParams,
  control: typeof defaultGlmControl,
): Outcome {
  const pooled = s.pooled!;
  const step = profileStep(s.profileState!, sum, control);
  if (!step.done)
    return {
      kind: 'next-round',
      input: { phase: 'profile', levels: s.levels, requests: step.requests, ...thetaInput(s) },
      state: { ...s, profileState: step.state },
    };
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const coefficients = pooled.coefficients.map((c, j) => {
    const iv = step.intervals.find((v) => v.col === j)!;
    return { ...c, ciLower: finite(iv.lower), ciUpper: finite(iv.upper) };
  });
  const { profileState: _, ...rest } = s;
  return nextExtra(
    { ...rest, pooled: { ...pooled, coefficients, ciMethod: 'profile', profileRounds: step.rounds } },
    params,
  );
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

function missingReport(firsts: ReadonlyArray<{ missing?: number | undefined }>): MissingReport {
  const r: MissingReport = { dropped: 0, nodesWithFew: 0, nodesUnknown: 0 };
  for (const p of firsts) {
    const m = p.missing;
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
