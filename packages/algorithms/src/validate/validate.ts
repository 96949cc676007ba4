/**
 * `validate`: external validation of a frozen binary-outcome model at every centre and pooled: AUC with
 * DeLong's 95% CI (exact, from per-class histograms of the predicted probability at a declared
 * resolution, adjacent bins merged at each node until every count passes the node's policy (score-merge.ts),
 * so no patient's score is released), Brier score, Hosmer–Lemeshow over deciles of risk, and
 * calibration slope and calibration-in-the-large (binomial GLMs fitted by federated IRLS). The model is a
 * column of predicted probabilities, or a formula with frozen coefficients (e.g. from a `glm` task).
 */
import { FedhubError, type ValidateResult, ValidateResultSchema } from '@fedhub/protocol';
import {
  aucFromHistograms,
  brierFromPartial,
  brierLocalPartial,
  calibrationFederated,
  calibrationInLargeNodeData,
  calibrationSlopeNodeData,
  type GlmIterationState,
  glmAggregateStep,
  glmInitialState,
  glmLocalPartial,
  glmPartialSize,
  glmSummarize,
  hosmerLemeshowFromPartial,
  hosmerLemeshowGroup,
  hosmerLemeshowLocalPartial,
  mergeLevels,
  rocFromHistograms,
} from '@fedhub/stats';
import { z } from 'zod';
import { ADDITIVE_FIELD, additiveFields, sumAdditive } from '../additive.js';
import { columnParam, DatasetParam, examples, FilterParam, paramMeta } from '../common-params.js';
import { declaredLevelCounts, levelsHeld } from '../declared-levels.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { factorColumns, modelColumns, parseModelFormula, readModelData } from '../model-data/model-data.js';
import { Coefficients, DeclaredLevels, FactorLevels } from '../model-data/round-schemas.js';
import {
  type AggregateOutcome,
  type DatasetHandle,
  type DisclosureCell,
  type DisclosureDeclaration,
  type LocalContext,
  payloadsWith,
  type RowIds,
  release,
  rowIdsOf,
  rowsAt,
} from '../types.js';
import { frozenCoefficients, frozenModelLevels } from './frozen-model.js';
import { netBenefitCurve } from './net-benefit.js';
import { OnnxModelParam, onnxColumns, onnxScores } from './onnx-scores.js';
import { groupMembers, type MergedScores, mergedHistogram, mergeScoreBins } from './score-merge.js';
import {
  requireSubgroupsAllowed,
  type SubgroupParts,
  type SubgroupResult,
  subgroupBlock,
  subgroupCalibrationPartials,
  subgroupCells,
  subgroupLocal,
  subgroupPooled,
} from './subgroups.js';

export const ValidateParamsSchema = z.strictObject({
  dataset: DatasetParam,
  outcome: columnParam('binary', 'Observed binary outcome (0/1)', 'toxicity'),
  model: z
    .union([
      z.strictObject({ score: columnParam('numeric', 'Column of predicted probabilities', 'risk') }),
      z.strictObject({
        formula: z
          .string()
          .min(3)
          .max(2000)
          .describe('Right-hand side as in the fitted model, e.g. "~ dose_gy + age + sex + stage"'),
        coefficients: z
          .record(z.string(), z.number())
          .describe('Frozen coefficients by term name (as glm reports them)'),
      }),
      OnnxModelParam,
    ])
    .describe(
      'The frozen model: a column of predicted probabilities, a logistic GLM from the model registry, or a registered ONNX model (by digest)',
    )
    .meta(
      paramMeta({
        widget: 'model',
        modelOf: 'glm',
        examples: [
          { formula: '~ dose_gy + age', coefficients: { '(Intercept)': -6.1, dose_gy: 0.062, age: 0.021 } },
          { score: 'risk' },
        ],
      }),
    ),
  scoreResolution: z
    .number()
    .min(1e-4)
    .max(0.1)
    .default(0.001)
    .describe('Predicted probabilities are histogrammed at this resolution')
    .meta(examples(0.001)),
  groups: z.int().min(3).max(20).default(10).describe('Hosmer–Lemeshow risk groups').meta(examples(10)),
  netBenefitThresholds: z
    .array(z.number().gt(0).lt(1))
    .min(1)
    .max(50)
    .default([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5])
    .describe('Risk thresholds of the decision curve (net benefit), on the score grid')
    .meta(examples([0.1, 0.2, 0.3])),
  subgroup: columnParam(
    'categorical',
    'Declared categorical column: the measures are also given within each of its levels (the study must allow subgroup analyses)',
    'sex',
  ).optional(),
  filter: FilterParam,
});
export type ValidateParams = z.infer<typeof ValidateParamsSchema>;

interface NodeScores {
  y: Float64Array;
  p: Float64Array;
  /** Selected records left out for a missing outcome or predictor (ONNX models; 0 otherwise). */
  excludedMissing?: number;
  /** The node's record id of each record, where the node audits releases (the cells name them). */
  rows?: RowIds;
}

const SLOPE_P = 2;
const LARGE_P = 1;

async function scores(
  ctx: LocalContext,
  ds: DatasetHandle,
  params: ValidateParams,
  levels: Record<string, string[]>,
  cacheKey = 'validate',
): Promise<NodeScores> {
  const hit = ctx.cache.get(cacheKey) as NodeScores | undefined;
  if (hit) return hit;
  let y: Float64Array;
  let p: Float64Array;
  let excludedMissing = 0;
  let rows: RowIds | undefined;
  if ('onnx' in params.model) {
    ({ y, p, excludedMissing, rows } = await onnxScores(
      ctx,
      ds,
      params.outcome,
      params.model,
      params.filter,
    ));
  } else if ('score' in params.model) {
    const { data } = await ds.readColumns([params.outcome, params.model.score], params.filter);
    y = data[params.outcome] as Float64Array;
    p = data[params.model.score] as Float64Array;
    rows = rowIdsOf(data);
  } else {
    const rhs = params.model.formula.trim().replace(/^~/, '');
    const m = await readModelData(
      ds,
      { formula: `${params.outcome} ~ ${rhs}`, ...(params.filter ? { filter: params.filter } : {}) },
      levels,
    );
    // a level without a coefficient counts 0 (frozen-model.ts): the design takes every declared level
    const beta = frozenCoefficients(
      parseModelFormula(`${params.outcome} ~ ${rhs}`),
      levels,
      params.model.coefficients,
      m.design.columnNames,
      m.factorValues,
    );
    rows = m.rows;
    y = m.design.y!;
    p = new Float64Array(m.design.n);
    for (let i = 0; i < m.design.n; i++) {
      let eta = m.design.offset ? m.design.offset[i]! : 0;
      for (let j = 0; j < m.design.p; j++) eta += m.design.x[i * m.design.p + j]! * beta[j]!;
      p[i] = 1 / (1 + Math.exp(-eta));
    }
  }
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1)
      throw new FedhubError('FH_ERR_BAD_PARAMS', `outcome "${params.outcome}" must be 0 or 1`, {
        parameter: 'outcome',
      });
    if (!(p[i]! > 0 && p[i]! < 1))
      throw new FedhubError(
        'FH_ERR_BAD_PARAMS',
        'predicted probabilities must lie strictly between 0 and 1',
        {
          parameter: 'model',
        },
      );
  }
  if (rows && rows.ids.length !== y.length)
    throw new FedhubError(
      'FH_ERR_ALGORITHM_FAILED',
      'validate: the record ids do not match the records read',
    );
  const s = { y, p, excludedMissing, ...(rows ? { rows } : {}) };
  ctx.cache.set(cacheKey, s);
  return s;
}

/** The subgroup levels every node sent (from their dictionaries): they must agree, as the vector's layout. */
function sameSubgroupLevels(parts: ReadonlyArray<{ payload: object }>): string[] {
  const of = (p: { payload: object }) =>
    'subgroupLevels' in p.payload && Array.isArray(p.payload.subgroupLevels)
      ? (p.payload.subgroupLevels as string[])
      : [];
  const first = of(parts[0]!);
  if (parts.some((p) => JSON.stringify(of(p)) !== JSON.stringify(first)))
    throw new FedhubError(
      'FH_ERR_ALGORITHM_FAILED',
      "the nodes' dictionaries declare different levels for the subgroup column",
    );
  return first;
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/** Patients per step of the released ROC curve, at least (adjacent score bins are merged until reached). */
const ROC_MIN_STEP = 10;

function gridOf(res: number) {
  return { min: 0, width: res, bins: Math.round(1 / res) + 1 };
}

/**
 * The scores every statistic of this node uses: adjacent grid bins merged until each (outcome, group)
 * count passes the node's minimum cell count, each record given its group's mean (see score-merge.ts).
 * With `subgroup`, the main release's groups and every level's are one common partition of the score grid
 * (subgroups.ts, common-partition.ts), so each main group is a union of whole level parts; the same in
 * every round (cached, and deterministic where the cache is gone).
 * The groups go to the node's log through the declared cells' labels.
 */
async function releasedScores(
  ctx: LocalContext,
  ds: DatasetHandle,
  params: ValidateParams,
  levels: Record<string, string[]>,
) {
  type Released = NodeScores & { merged: MergedScores; sub: SubgroupParts | null };
  const hit = ctx.cache.get('validate:released') as Released | undefined;
  if (hit) return hit;
  const s = await scores(ctx, ds, params, levels);
  const grid = gridOf(params.scoreResolution);
  const sub = params.subgroup
    ? await subgroupBlock(
        {
          allowed: ctx.releaseSubgroupAnalyses,
          spec: ds.column(params.subgroup),
          filter: params.filter,
          main: s,
          grid,
          minCell: ctx.policy.minCellCount,
          minSubset: ctx.policy.minSubsetSize,
        },
        async (filter, level) => scores(ctx, ds, { ...params, filter }, levels, `validate:subgroup:${level}`),
      )
    : null;
  const merged = sub ? sub.main : mergeScoreBins(s.y, s.p, grid, ctx.policy.minCellCount);
  const out: Released = { ...s, p: merged.p, merged, sub };
  ctx.cache.set('validate:released', out);
  return out;
}

/**
 * Every (outcome class, merged score group) count as a cell, with its records where the node audits
 * them: the histogram, the Brier score, the calibration sums and the Hosmer–Lemeshow groups are all sums
 * over these groups, so a second release whose groups differ by one record's membership (two frozen
 * models that differ only in one patient's score) puts that record alone in the span of the released
 * record sets, and the node's ledger refuses it.
 */
function groupCells(s: NodeScores & { merged: MergedScores }): DisclosureCell[] {
  const members = s.rows ? groupMembers(s.merged) : null;
  return s.merged.groups.map((g, k) => ({
    label: `outcome ${g.outcome}, score bins ${g.from}..${g.to}`,
    count: g.n,
    kind: 'bin' as const,
    ...(s.rows && members ? { rows: rowsAt(s.rows, members[k]!) } : {}),
  }));
}

/** R type-7 quantiles of values on the grid, from their counts (exact for values on the grid). */
function gridQuantiles(counts: Float64Array, width: number, probs: number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  const orderStat = (k: number) => {
    let acc = 0;
    for (let b = 0; b < counts.length; b++) {
      acc += counts[b]!;
      if (acc >= k) return b * width;
    }
    return (counts.length - 1) * width;
  };
  return probs.map((p) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const a = orderStat(lo + 1);
    const b = orderStat(Math.min(n, lo + 2));
    return a + (h - lo) * (b - a);
  });
}

/**
 * The hub's input to each round: the levels round, the histograms of the scores by outcome, then the
 * calibration rounds (Hosmer–Lemeshow sums at the pooled breaks with the first, IRLS of the calibration
 * slope and calibration-in-the-large at the hub's coefficients, each null once converged or at its start).
 */
export const ValidateInputSchema = z.discriminatedUnion('phase', [
  z.strictObject({ phase: z.literal('levels') }),
  z.strictObject({ phase: z.literal('hist'), levels: FactorLevels }),
  z.strictObject({
    phase: z.literal('calibration'),
    levels: FactorLevels,
    breaks: z.array(z.number()).nullable(),
    slope: Coefficients.nullable(),
    large: Coefficients.nullable(),
    // 1.6.0: per subgroup level, its calibration fits' coefficients (null: the level is not fitted)
    subgroupFits: z
      .array(z.strictObject({ slope: Coefficients.nullable(), large: Coefficients.nullable() }).nullable())
      .max(1000)
      .optional(),
  }),
]);
export type ValidateInput = z.infer<typeof ValidateInputSchema>;

// a centre's metrics may be NaN in-process (no events at the centre): null once they crossed as JSON
const CentreNumber = z.number().nullable().or(z.nan());
const RocPointSchema = z.object({ threshold: z.number(), tpr: z.number(), fpr: z.number() });
const CentreSchema = z.object({
  n: z.int(),
  events: z.number(),
  auc: CentreNumber,
  aucCiLower: CentreNumber,
  aucCiUpper: CentreNumber,
  brier: CentreNumber,
  calibrationSlope: CentreNumber,
  calibrationInLarge: CentreNumber,
  // 1.5.0: the centre's ROC curve (absent where one outcome class is)
  roc: z.array(RocPointSchema).optional(),
});
/** 1.5.0: a centre's own Hosmer–Lemeshow groups (calibration round), where the study allows it. */
const CentreGroupsSchema = z.object({
  hosmerLemeshow: z.object({
    n: z.array(z.number()),
    observed: z.array(z.number()),
    expected: z.array(z.number()),
  }),
});

/**
 * What a node sends: the masked counts per declared level (with its record count first); the merged
 * histograms, Brier sums and missing counts (with this centre's own metrics where the study allows it);
 * the calibration sums. Not strict: validate-imaging sends validate's payloads with its own fields added.
 */
export const ValidatePayloadSchema = z.union([
  z.object({ declared: DeclaredLevels, ...additiveFields }),
  z.object({
    ...additiveFields,
    centre: z.union([CentreSchema, CentreGroupsSchema]).optional(),
    // the subgroup column's declared levels: the layout of the subgroup block of the vector (subgroups.ts)
    subgroupLevels: z.array(z.string()).optional(),
  }),
]);
export type ValidatePayload = z.infer<typeof ValidatePayloadSchema>;

interface SerialIrls {
  iter: number;
  beta: number[] | null;
  previousBeta: number[] | null;
  previousDeviance: number | null;
  done?: { beta: number[]; iterations: number; converged: boolean; sum: number[] };
}
const ser = (s: GlmIterationState): SerialIrls => ({
  iter: s.iter,
  beta: s.beta ? Array.from(s.beta) : null,
  previousBeta: s.previousBeta ? Array.from(s.previousBeta) : null,
  previousDeviance: Number.isFinite(s.previousDeviance) ? s.previousDeviance : null,
});
const de = (s: SerialIrls): GlmIterationState => ({
  iter: s.iter,
  beta: s.beta ? Float64Array.from(s.beta) : null,
  previousBeta: s.previousBeta ? Float64Array.from(s.previousBeta) : null,
  previousDeviance: s.previousDeviance ?? Number.NaN,
});

/** The pooled metrics of the histogram round, kept until the calibration rounds are done. */
type PooledMetrics = {
  auc: number;
  aucVariance: number;
  aucCiLower: number;
  aucCiUpper: number;
  events: number;
  n: number;
  brier: number;
  roc: Array<{ threshold: number; tpr: number; fpr: number }>;
  rocMinStep: number;
  netBenefit: Array<{ threshold: number; netBenefit: number | null; treatAll: number }>;
  excluded: { missingValues: number; centresWithFewerMissingThanMinimum: number };
};

/** The Hosmer–Lemeshow breaks, and the test once its sums are in. */
type HosmerLemeshow = {
  breaks: number[];
  statistic?: number;
  df?: number;
  pValue?: number;
  n?: number[];
  observed?: number[];
  expected?: number[];
};

export interface ValidateState {
  levels: Record<string, string[]>;
  pooled?: PooledMetrics;
  perCentre?: Array<
    { centre: string } & z.infer<typeof CentreSchema> & Partial<z.infer<typeof CentreGroupsSchema>>
  >;
  hl?: HosmerLemeshow;
  subgroups?: SubgroupResult;
  slope: SerialIrls;
  large: SerialIrls;
  /** Per subgroup level, its calibration fits (null: not fitted: no records, or one outcome class only). */
  subgroupFits?: Array<{ slope: SerialIrls; large: SerialIrls } | null>;
  nodes: string[];
}
type State = ValidateState;
type Outcome = AggregateOutcome<ValidateInput, State, ValidateResult>;

export const validate = defineAlgorithm<
  ValidateParams,
  ValidateInput,
  State,
  ValidatePayload,
  ValidateResult
>({
  name: 'validate',
  // 1.2.0: per-centre results only where the study allows per-node breakdowns, and then the node sends them
  // 1.3.0: the levels round sends masked counts on the dictionary's levels, not the node's own levels
  // 1.4.0: ONNX models by digest, the decision curve (net benefit) and records left out for missing values;
  // score bins merged at the node until each passes the policy, statistics on the group means
  // 1.5.0: `subgroup`: the measures within each declared level, where the study allows subgroup analyses
  //   and, with per-node breakdowns, each centre's ROC curve (steps of ROC_MIN_STEP patients, from its own
  // merged histogram) and its Hosmer–Lemeshow groups, for per-centre curves with CIs
  // 1.6.0: with `subgroup`, the main release's score groups and every level's are one common partition of
  //   the score grid (each (level or missing, outcome, run) part zero or at least the minimum cell count),
  //   and each level's calibration slope and in the large with Wald CIs
  // 1.7.0: with `subgroup`, the common partition's runs are unions of whole groups of the plain partition
  //   (the one without `subgroup`), with no (plain group, part) count under the minimum cell count that the
  //   runs' parts and the plain groups determine, so validations of one model by different groupings nest
  version: '1.7.0',
  title: 'Model validation across centres',
  description:
    'AUC with DeLong CI, Brier score, Hosmer–Lemeshow and calibration of a frozen binary model, per centre and pooled.',
  paramsSchema: ValidateParamsSchema,
  inputSchema: ValidateInputSchema,
  payloadSchema: ValidatePayloadSchema,
  resultSchema: ValidateResultSchema,
  releases: {
    pooled:
      'factor levels present (each at least the minimum cell count); per outcome class, histograms of the predicted probability at the declared resolution, adjacent bins of each outcome merged at the node into groups of at least the minimum cell count spanning at most 0.3, every statistic computed on the group means; calibration sums by federated IRLS and Hosmer–Lemeshow group sums (secure-aggregated; every risk group by outcome at least the minimum cell count); the pooled ROC curve in steps of at least 10 patients; with `subgroup` (where the study allows subgroup analyses), the main release score groups built from the parts of the levels (one partition of the score grid shared by every level and the records with a missing value, each part zero or at least the minimum cell count), and per declared level of that column the merged histograms, Brier sum, sum of predicted probabilities and calibration sums by federated IRLS (secure-aggregated), released only when every level and the records outside them pass the policy',
    perNode: 'AUC, calibration and Brier score per centre',
  },
  variables: (p) => ({
    dataset: p.dataset,
    columns: [
      p.outcome,
      // offset() and strata() columns too: modelColumns lists every column the formula reads
      ...('onnx' in p.model
        ? onnxColumns(p.model)
        : 'score' in p.model
          ? [p.model.score]
          : modelColumns(parseModelFormula(`${p.outcome} ~ ${p.model.formula.trim().replace(/^~/, '')}`))),
      ...(p.subgroup ? [p.subgroup] : []),
    ],
  }),
  firstInput: () => ({ phase: 'levels' }),
  async local(ctx, params, input) {
    // before any data is read: a subgroup analysis outside what the study allows is refused
    if (params.subgroup) requireSubgroupsAllowed(ctx.releaseSubgroupAnalyses);
    const ds = await ctx.dataset(params.dataset);
    if (input.phase === 'levels') {
      // levels from the dictionary; the node's counts per level go masked, so its own levels stay home
      const factors =
        'formula' in params.model
          ? factorColumns(
              parseModelFormula(`${params.outcome} ~ ${params.model.formula.trim().replace(/^~/, '')}`),
              ds,
            )
          : [];
      const { declared, counts, cells } = await declaredLevelCounts(ds, factors, params.filter);
      const n = await ds.count(params.filter);
      return release(
        { declared, [ADDITIVE_FIELD]: [n, ...counts] },
        {
          subsetSize: n,
          cells,
        },
      );
    }
    const s = await releasedScores(ctx, ds, params, input.levels);
    const events = s.y.reduce((a, b) => a + b, 0);
    const disclosure: DisclosureDeclaration = {
      subsetSize: s.y.length,
      cells: [
        { label: 'records with outcome 1', count: events, kind: 'outcome' },
        { label: 'records with outcome 0', count: s.y.length - events, kind: 'outcome' },
      ],
    };
    if (input.phase === 'hist') {
      const grid = gridOf(params.scoreResolution);
      const hist = mergedHistogram(s.y, s.merged, grid.bins);
      // records left out for missing values: released (summed) only where at least the minimum cell count,
      // else counted as a centre that left out "some, fewer than the minimum" (the sum says how many centres)
      const missing = s.excludedMissing ?? 0;
      const missingShown = missing >= ctx.policy.minCellCount;
      const additive = [
        ...hist,
        ...brierLocalPartial(s.y, s.p),
        missingShown ? missing : 0,
        missing > 0 && !missingShown ? 1 : 0,
      ];
      // every (outcome class, merged score group) count is a cell: the AUC is a sum over them, and a
      // group of one record (a score the model gives one patient alone) would give its outcome away;
      // a group that could not reach the minimum within its span is declared short and refused
      const histCells = groupCells(s);
      if (missingShown)
        histCells.push({ label: 'records left out (missing values)', count: missing, kind: 'missing' });
      // subgroups (subgroups.ts): each declared level's records on the main release's common partition
      const sub = s.sub ? { levels: s.sub.levels, ...subgroupLocal(s.sub, grid) } : null;
      if (sub) {
        additive.push(...sub.additive);
        histCells.push(...sub.cells);
      }
      const withBins = { ...disclosure, cells: [...disclosure.cells, ...histCells] };
      // the subgroup column's declared levels (from the dictionary, in the clear: the vector's layout)
      const levelsOut = sub ? { subgroupLevels: sub.levels } : {};
      // this centre's own metrics leave the node only where the study allows per-node breakdowns
      if (ctx.releasePerNodeBreakdown !== true)
        return release({ [ADDITIVE_FIELD]: additive, ...levelsOut }, withBins);
      const local = aucFromHistograms(hist, grid.bins);
      const cal = calibrationFederated([s]);
      const centre = {
        n: s.y.length,
        events,
        auc: local.auc,
        aucCiLower: local.ciLower,
        aucCiUpper: local.ciUpper,
        brier: brierFromPartial(brierLocalPartial(s.y, s.p)),
        calibrationSlope: cal.slope,
        calibrationInLarge: cal.interceptInLarge,
        // the curve from the histogram the gate checked (each group a declared cell), each step over at
        // least ROC_MIN_STEP patients as the pooled curve's; none where one outcome class is absent
        ...(local.nPositive > 0 && local.nNegative > 0
          ? { roc: rocFromHistograms(Float64Array.from(hist), gridOf(params.scoreResolution), ROC_MIN_STEP) }
          : {}),
      };
      return release({ [ADDITIVE_FIELD]: additive, centre, ...levelsOut }, withBins);
    }
    const vec: number[] = [];
    const hlCells: DisclosureCell[] = [];
    // the calibration sums are sums over the merged groups (every record of a group shares its value):
    // their cells and records are declared again with this release
    hlCells.push(...groupCells(s));
    if (input.breaks) {
      const breaks = Float64Array.from(input.breaks);
      const hl = hosmerLemeshowLocalPartial(s.y, s.p, breaks);
      vec.push(...hl);
      // each risk group's records, events and expected events are released: a group of one (the breaks
      // come from the aggregator, the model from the researcher) would give that patient's outcome
      const G = hl.length / 3;
      const members: number[][][] = Array.from({ length: G }, () => [[], []]);
      if (s.rows)
        for (let i = 0; i < s.y.length; i++) members[hosmerLemeshowGroup(s.p[i]!, breaks)]![s.y[i]!]!.push(i);
      const rowsOf = (ps: number[]) => (s.rows ? { rows: rowsAt(s.rows, ps) } : {});
      for (let g = 0; g < G; g++) {
        const [zero, one] = members[g]!;
        hlCells.push(
          {
            label: `Hosmer–Lemeshow group ${g + 1}`,
            count: hl[3 * g]!,
            kind: 'group',
            ...rowsOf([...zero!, ...one!].sort((a, b) => a - b)),
          },
          {
            label: `Hosmer–Lemeshow group ${g + 1}, outcome 1`,
            count: hl[3 * g + 1]!,
            kind: 'group',
            ...rowsOf(one!),
          },
          {
            label: `Hosmer–Lemeshow group ${g + 1}, outcome 0`,
            count: hl[3 * g]! - hl[3 * g + 1]!,
            kind: 'group',
            ...rowsOf(zero!),
          },
        );
      }
    }
    // this centre's own risk groups leave the node only where the study allows per-node breakdowns (they
    // are the cells declared above)
    const centre =
      input.breaks && ctx.releasePerNodeBreakdown === true
        ? {
            hosmerLemeshow: {
              n: Array.from({ length: vec.length / 3 }, (_, g) => vec[3 * g]!),
              observed: Array.from({ length: vec.length / 3 }, (_, g) => vec[3 * g + 1]!),
              expected: Array.from({ length: vec.length / 3 }, (_, g) => vec[3 * g + 2]!),
            },
          }
        : null;
    vec.push(
      ...glmLocalPartial(
        calibrationSlopeNodeData(s.y, s.p),
        'binomial',
        input.slope ? Float64Array.from(input.slope) : null,
      ),
    );
    vec.push(
      ...glmLocalPartial(
        calibrationInLargeNodeData(s.y, s.p),
        'binomial',
        input.large ? Float64Array.from(input.large) : null,
      ),
    );
    // per subgroup level, its calibration fits (sums over the level's cells, declared again)
    if (input.subgroupFits && s.sub) {
      vec.push(...subgroupCalibrationPartials(s.sub, input.subgroupFits));
      hlCells.push(...subgroupCells(s.sub));
    }
    return release(
      { [ADDITIVE_FIELD]: vec, ...(centre ? { centre } : {}) },
      {
        ...disclosure,
        cells: [...disclosure.cells, ...hlCells],
      },
    );
  },
  aggregate({ params, round, state, parts, releasePerNodeBreakdown }): Outcome {
    if (round === 1) {
      const firsts = payloadsWith(parts, 'declared');
      const declared = firsts[0]!.declared;
      for (const p of firsts)
        if (JSON.stringify(p.declared) !== JSON.stringify(declared))
          throw new FedhubError(
            'FH_ERR_ALGORITHM_FAILED',
            "the nodes' dictionaries declare different levels for the model's factors",
          );
      // a frozen formula model's design takes every declared level (frozen-model.ts): with the levels the
      // selection holds only, a filter keeping one level of a factor dropped that level's coefficient
      const levels =
        'formula' in params.model
          ? frozenModelLevels(declared)
          : levelsHeld(declared, sumAdditive(parts), 1, (l) => mergeLevels([l]));
      const s: State = {
        levels,
        slope: ser(glmInitialState()),
        large: ser(glmInitialState()),
        nodes: parts.map((p) => p.nodeName),
      };
      return { kind: 'next-round', input: { phase: 'hist', levels }, state: s };
    }
    if (state === null)
      throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'validate: a round after the first has no state');
    const s = state;
    const sum = sumAdditive(parts);
    const grid = gridOf(params.scoreResolution);
    if (round === 2) {
      const hist = sum.subarray(0, 2 * grid.bins);
      const auc = aucFromHistograms(hist, grid.bins);
      const brier = brierFromPartial(sum.subarray(2 * grid.bins));
      const excluded = {
        missingValues: sum[2 * grid.bins + 2]!,
        centresWithFewerMissingThanMinimum: sum[2 * grid.bins + 3]!,
      };
      const netBenefit = netBenefitCurve(hist, grid, params.netBenefitThresholds, ROC_MIN_STEP);
      // the pooled ROC curve, each step over at least ROC_MIN_STEP patients (no point moves by one patient)
      const roc = rocFromHistograms(hist, grid, ROC_MIN_STEP);
      const all = new Float64Array(grid.bins);
      for (let b = 0; b < grid.bins; b++) all[b] = hist[b]! + hist[grid.bins + b]!;
      const q = gridQuantiles(
        all,
        grid.width,
        Array.from({ length: params.groups - 1 }, (_, i) => (i + 1) / params.groups),
      );
      // the outer breaks are 0 and 1, not the extreme predictions (which would be single patients' values)
      const breaks = [...new Set([0, ...q, 1])];
      const next: State = {
        ...s,
        pooled: {
          auc: auc.auc,
          aucVariance: auc.variance,
          aucCiLower: auc.ciLower,
          aucCiUpper: auc.ciUpper,
          events: auc.nPositive,
          n: auc.nPositive + auc.nNegative,
          brier,
          roc,
          rocMinStep: ROC_MIN_STEP,
          netBenefit,
          excluded,
        },
        perCentre: parts.flatMap((p) => {
          const c = 'centre' in p.payload ? p.payload.centre : undefined;
          return c && 'auc' in c ? [{ centre: p.nodeName, ...c }] : [];
        }),
        hl: { breaks },
        ...(params.subgroup
          ? {
              subgroups: subgroupPooled(
                params.subgroup,
                sameSubgroupLevels(parts),
                sum.subarray(2 * grid.bins + 4),
                grid.bins,
              ),
            }
          : {}),
      };
      // each level with both outcome classes gets its own calibration fits, in the same rounds
      const subgroupFits = next.subgroups?.levels?.map((l) =>
        l.n > 0 && l.events > 0 && l.events < l.n
          ? { slope: ser(glmInitialState()), large: ser(glmInitialState()) }
          : null,
      );
      return {
        kind: 'next-round',
        input: {
          phase: 'calibration',
          levels: s.levels,
          breaks,
          slope: null,
          large: null,
          ...(subgroupFits
            ? { subgroupFits: subgroupFits.map((f) => (f ? { slope: null, large: null } : null)) }
            : {}),
        },
        state: { ...next, ...(subgroupFits ? { subgroupFits } : {}) },
      };
    }
    let offset = 0;
    let hl: HosmerLemeshow = s.hl ?? { breaks: [] };
    const breaks = hl.breaks;
    if (round === 3) {
      const g = breaks.length - 1;
      const r = hosmerLemeshowFromPartial(sum.subarray(0, 3 * g));
      hl = {
        breaks,
        statistic: r.statistic,
        df: r.df,
        pValue: r.pValue,
        n: Array.from(r.n),
        observed: Array.from(r.observed),
        expected: Array.from(r.expected),
      };
      offset = 3 * g;
      // each centre's own risk groups, where the study allows per-node breakdowns and the node sent them
      const groupsOf = new Map(
        parts.flatMap((p) => {
          const c = 'centre' in p.payload ? p.payload.centre : undefined;
          return c && 'hosmerLemeshow' in c ? [[p.nodeName, c.hosmerLemeshow] as const] : [];
        }),
      );
      s.perCentre = s.perCentre?.map((c) => {
        const groups = groupsOf.get(c.centre);
        return groups ? { ...c, hosmerLemeshow: groups } : c;
      });
    }
    const step = (irls: SerialIrls, p: number, at: number): SerialIrls => {
      if (irls.done) return irls;
      const part = sum.subarray(at, at + glmPartialSize(p));
      const r = glmAggregateStep(part, p, de(irls));
      if (r.done)
        return {
          ...irls,
          done: {
            beta: Array.from(r.beta),
            iterations: r.iter,
            converged: r.converged,
            sum: Array.from(part),
          },
        };
      return ser(r.state);
    };
    const slope = step(s.slope, SLOPE_P, offset);
    const large = step(s.large, LARGE_P, offset + glmPartialSize(SLOPE_P));
    // the levels' fits follow, in level order (the levels not fitted send nothing)
    let at = offset + glmPartialSize(SLOPE_P) + glmPartialSize(LARGE_P);
    const subgroupFits = s.subgroupFits?.map((f) => {
      if (!f) return null;
      const next = {
        slope: step(f.slope, SLOPE_P, at),
        large: step(f.large, LARGE_P, at + glmPartialSize(SLOPE_P)),
      };
      at += glmPartialSize(SLOPE_P) + glmPartialSize(LARGE_P);
      return next;
    });
    const levelsDone = (subgroupFits ?? []).every((f) => !f || (f.slope.done && f.large.done));
    if (!slope.done || !large.done || !levelsDone) {
      const evalBeta = (x: SerialIrls) => (x.done ? x.done.beta : x.beta);
      return {
        kind: 'next-round',
        input: {
          phase: 'calibration',
          levels: s.levels,
          breaks: null,
          slope: evalBeta(slope),
          large: evalBeta(large),
          ...(subgroupFits
            ? {
                subgroupFits: subgroupFits.map((f) =>
                  f ? { slope: evalBeta(f.slope), large: evalBeta(f.large) } : null,
                ),
              }
            : {}),
        },
        state: { ...s, hl, slope, large, ...(subgroupFits ? { subgroupFits } : {}) },
      };
    }
    const summarise = (x: SerialIrls, names: string[], intercept: boolean) =>
      glmSummarize({
        family: 'binomial',
        names,
        beta: Float64Array.from(x.done!.beta),
        sum: Float64Array.from(x.done!.sum),
        nullDeviance: Number.NaN,
        intercept,
        iterations: x.done!.iterations,
        converged: x.done!.converged,
      });
    const sl = summarise(slope, ['(Intercept)', 'logit(p)'], true);
    const lg = summarise(large, ['(Intercept)'], true);
    // each level's calibration slope and in the large with Wald CIs, as the pooled ones (null where not
    // fitted or not converged: one outcome class only, or separation)
    const subgroups =
      s.subgroups?.levels && subgroupFits
        ? {
            ...s.subgroups,
            levels: s.subgroups.levels.map((row, k) => {
              const f = subgroupFits[k];
              const ok = f?.slope.done?.converged && f.large.done?.converged;
              const a = ok ? summarise(f.slope, ['(Intercept)', 'logit(p)'], true) : null;
              const b = ok ? summarise(f.large, ['(Intercept)'], true) : null;
              return {
                ...row,
                calibrationSlope: a ? finiteOrNull(a.estimate[1]!) : null,
                calibrationSlopeCiLower: a ? finiteOrNull(a.ciLower[1]!) : null,
                calibrationSlopeCiUpper: a ? finiteOrNull(a.ciUpper[1]!) : null,
                calibrationInLarge: b ? finiteOrNull(b.estimate[0]!) : null,
                calibrationInLargeCiLower: b ? finiteOrNull(b.ciLower[0]!) : null,
                calibrationInLargeCiUpper: b ? finiteOrNull(b.ciUpper[0]!) : null,
              };
            }),
          }
        : s.subgroups;
    return {
      kind: 'done',
      result: {
        algorithm: 'validate',
        outcome: params.outcome,
        model: params.model,
        scoreResolution: params.scoreResolution,
        pooled: {
          ...s.pooled!,
          calibrationSlope: sl.estimate[1]!,
          calibrationSlopeStdError: sl.stdError[1]!,
          calibrationSlopeIntercept: sl.estimate[0]!,
          calibrationInLarge: lg.estimate[0]!,
          calibrationInLargeStdError: lg.stdError[0]!,
          // Wald intervals, estimate -/+ qnorm(0.975) s.e. (R confint.default on both GLMs)
          calibrationSlopeCiLower: sl.ciLower[1]!,
          calibrationSlopeCiUpper: sl.ciUpper[1]!,
          calibrationInLargeCiLower: lg.ciLower[0]!,
          calibrationInLargeCiUpper: lg.ciUpper[0]!,
          hosmerLemeshow: hl,
        },
        ...(releasePerNodeBreakdown === true ? { perCentre: s.perCentre! } : {}),
        ...(subgroups ? { subgroups } : {}),
        nodes: s.nodes,
      },
    };
  },
});
