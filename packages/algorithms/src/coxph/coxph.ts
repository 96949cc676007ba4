/**
 * `coxph`: Cox proportional hazards (Efron or Breslow ties, optional strata), exact on event times
 * coarsened at every node to `timeResolution` (tc = ceil(t / res) * res): it equals R's coxph on the same
 * coarsened pooled rows. Round 1 agrees factor levels, strata and the global event-time grid, from masked
 * counts only: every node counts its records per declared level and its events per point of the declared
 * time axis (multiples of `timeResolution` over the dictionary's range of the time column), the hub sums
 * them and keeps the levels and points that any record holds, so no node's own levels or event times leave
 * it (the hub learns the pooled counts, as a Kaplan–Meier table would show them); each Newton
 * round every node sends its additive per-time risk-set sums (masked for secure aggregation); a last pair
 * of rounds gives Harrell's C from binned linear predictors: a masked range round (masked-range.ts: each
 * node's tails of at least the minimum cell count on a public grid of the linear predictor, so no end of
 * the range is one patient's score) fixes the score grid, then the binned concordance counts.
 */
import { type CoxphResult, CoxphResultSchema, FedhubError } from '@fedhub/protocol';
import {
  buildDesignMatrix,
  type CoxIterationState,
  type CoxNodeData,
  coarsenTimes,
  concordanceFromPartial,
  concordanceLocalPartial,
  coxAggregateStep,
  coxInitialState,
  coxLocalPartial,
  coxResidualTerms,
  coxStride,
  coxSummarize,
  coxZph,
  defaultCoxControl,
  type EventTimeGrid,
  type PreparedCox,
  prepareCox,
  termWaldTests,
} from '@fedhub/stats';
import { z } from 'zod';
import { ADDITIVE_FIELD, additiveFields, sumAdditive } from '../additive.js';
import { DatasetParam, examples, FilterParam, paramMeta } from '../common-params.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { pooledSpan, rangeTails } from '../masked-range.js';
import { designCells } from '../model-data/design-cells.js';
import { factorColumns, modelColumns, parseModelFormula } from '../model-data/model-data.js';
import { Coefficients, FactorLevels } from '../model-data/round-schemas.js';
import { resolveTimeResolution, timeResolutionNote } from '../time-resolution.js';
import {
  type AggregateOutcome,
  type ColumnData,
  type DatasetHandle,
  type DisclosureCell,
  type DisclosureDeclaration,
  type LocalContext,
  payloadsWith,
  pickFields,
  type RowIds,
  release,
  rowIdsOf,
} from '../types.js';
import { coxFitWarnings } from './fit-warnings.js';
import {
  CENTRE_CLUSTER,
  type CoxPostFitResult,
  clusterColumnOf,
  needsPostFit,
  type PostFitState,
  postFitLocal,
  postFitResult,
  postFitState,
  wantsRobust,
} from './post-fit.js';
import { agreeSetup, SetupPayloadSchema, setupCounts, setupRelease } from './setup-round.js';

export const CoxParamsSchema = z.strictObject({
  dataset: DatasetParam,
  formula: z
    .string()
    .min(3)
    .max(2000)
    .describe('Cox model formula, e.g. "Surv(months, dead) ~ age + sex + strata(centre)"')
    .meta(paramMeta({ widget: 'formula', examples: ['Surv(months, dead) ~ age + dose_gy + factor(stage)'] })),
  ties: z
    .enum(['efron', 'breslow'])
    .default('efron')
    .describe('Method for tied event times')
    .meta(examples('efron')),
  timeResolution: z
    .number()
    .min(1e-6)
    .optional()
    .describe(
      "Event times are coarsened up to multiples of this (time unit). Default: from the time column's declared unit (days 1, weeks and months 0.1, years 0.01) or range",
    )
    .meta(examples(1)),
  filter: FilterParam,
  concordanceBins: z
    .int()
    .min(10)
    .max(1000)
    .default(200)
    .describe("Risk-score bins of the released concordance counts (Harrell's C)")
    .meta(examples(200)),
  phTest: z
    .enum(['km', 'identity'])
    .optional()
    .describe(
      'Also the proportional-hazards test of cox.zph with this time transform (per term and global; "km" needs a model without strata)',
    )
    .meta(examples('km')),
  robust: z
    .boolean()
    .optional()
    .describe("Also robust (sandwich) standard errors, as R's coxph(..., robust = TRUE)")
    .meta(examples(true)),
  cluster: z
    .string()
    .min(1)
    .max(63)
    .optional()
    .describe(
      'Clusters of the robust standard errors, as R\'s cluster(): "centre" (each centre one cluster) or a column whose values each lie within one centre (a patient); implies robust',
    )
    .meta(examples('centre', 'patient_id')),
  survivalCurves: z
    .array(z.string().min(1).max(500))
    .max(8)
    .optional()
    .describe(
      'Predicted survival curves, as R\'s survfit(fit, newdata): "means" for the curve at the model\'s means (survfit(fit)), or covariate values "age=60; sex=M; stage=II"',
    )
    .meta(examples(['means', 'age=60; sex=M; stage=II; dose_gy=60'])),
  adjustForCentre: z
    .boolean()
    .optional()
    .describe(
      'Stratify by centre without a centre column in the data: each node is its own stratum (R: + strata(centre) on the pooled file)',
    )
    .meta(examples(true)),
});
export type CoxParams = z.infer<typeof CoxParamsSchema>;

const IDENT = '[A-Za-z_][A-Za-z0-9_]*';
const STRATA_TERM = `strata\\(\\s*(${IDENT}(?:\\s*,\\s*${IDENT})*)\\s*\\)`;
// a strata() term anywhere on the right: after a '+', or first (then with the '+' that follows, if any)
const STRATA_RE = new RegExp(`\\+\\s*${STRATA_TERM}|(?<=~\\s*)${STRATA_TERM}\\s*(?:\\+\\s*)?`, 'g');

/**
 * Splits `strata(...)` terms out of the formula (they define strata, not covariates), wherever they
 * stand (`~ strata(centre) + age` as `~ age + strata(centre)`) and with several variables
 * (`strata(centre, sex)`, or several terms: their combination, as R's survival). `strata` is the key of
 * the strata: the column's name for one variable, `a, b` for several; `columns` the variables.
 */
export function splitStrata(formula: string): { formula: string; strata: string | null; columns: string[] } {
  const columns: string[] = [];
  for (const m of formula.matchAll(STRATA_RE))
    for (const c of (m[1] ?? m[2]!).split(',')) if (!columns.includes(c.trim())) columns.push(c.trim());
  let rest = formula.replace(STRATA_RE, '').trim();
  // a right-hand side left empty by its only term is R's null model
  if (/~\s*$/.test(rest)) rest = `${rest} 1`;
  return { formula: rest, strata: columns.length ? columns.join(', ') : null, columns };
}

/** Each row's stratum: the value of the one strata variable, or `a=1, b=2` (R's label) for several. */
function strataLabelsOf(data: ColumnData, columns: string[]): string[] {
  const asText = (c: string) => {
    const v = data[c]!;
    return v instanceof Float64Array ? Array.from(v, String) : (v as string[]);
  };
  if (columns.length === 1) return asText(columns[0]!);
  const cols = columns.map(asText);
  return cols[0]!.map((_, i) => columns.map((c, k) => `${c}=${cols[k]![i]}`).join(', '));
}

interface NodeCoxData {
  x: Float64Array;
  n: number;
  p: number;
  time: Float64Array;
  event: Float64Array;
  strataNames: string[] | null;
  names: string[];
  /** R's assign: the (1-based) formula term of each column. */
  assign: number[];
  /** The values of each factor and of the strata column on the rows used, aligned with the design. */
  factorValues: Record<string, readonly string[]>;
  /** The cluster code of each row where `cluster` names a column (clusters within this node), else null. */
  clusterCodes: Int32Array | null;
  /** The node's record id of each row, where the node audits releases (see ROW_IDS). */
  rows?: RowIds;
}

/** The strata key of `adjustForCentre` (the node as the stratum; never a column name). */
const CENTRE_STRATA = '(centre)';

const coxCellsOf = new WeakMap<NodeCoxData, DisclosureCell[]>();

/**
 * The cells behind every Cox release (see designCells): every pair of terms' factor combinations, strata
 * as a term, and each term's combinations by event status (the risk-set sums per event time hold how
 * many events and records each has; a cell of one record gives that record's event and time away).
 */
export function coxDisclosure(d: NodeCoxData, formula: string): DisclosureDeclaration {
  let cells = coxCellsOf.get(d);
  if (!cells) {
    const { formula: rhs, strata } = splitStrata(formula);
    const key = strata ?? (Object.hasOwn(d.factorValues, CENTRE_STRATA) ? CENTRE_STRATA : null);
    cells = designCells(parseModelFormula(rhs), d.factorValues, { name: '(event)', values: d.event }, key);
    coxCellsOf.set(d, cells);
  }
  return { subsetSize: d.n, cells, parameters: d.p };
}

async function readCox(
  ds: DatasetHandle,
  nodeName: string,
  params: CoxParams,
  levels: Record<string, string[]>,
  columnsOf: () => Promise<ColumnData>,
): Promise<NodeCoxData> {
  const { formula, strata, columns: strataColumns } = splitStrata(params.formula);
  const f = parseModelFormula(formula);
  if (f.response?.kind !== 'surv')
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      `formula "${params.formula}" needs Surv(time, event) on the left`,
    );
  const factors = new Set(factorColumns(f, ds));
  const data = await columnsOf();
  const cols = [...modelColumns(f), ...strataColumns];
  const numeric: Record<string, Float64Array> = {};
  const categorical: Record<string, string[]> = {};
  for (const c of cols) {
    const v = data[c]!;
    if (factors.has(c) || strataColumns.includes(c))
      categorical[c] = v instanceof Float64Array ? Array.from(v, String) : (v as string[]);
    else if (v instanceof Float64Array) numeric[c] = v;
    else
      throw new FedhubError('FH_ERR_COLUMN_TYPE', `column "${c}" is categorical; use factor(${c})`, {
        column: c,
      });
  }
  let dm: ReturnType<typeof buildDesignMatrix>;
  try {
    dm = buildDesignMatrix(f, { numeric, categorical }, { levels, dropIntercept: true });
  } catch (err) {
    throw new FedhubError('FH_ERR_BAD_PARAMS', `formula "${params.formula}": ${(err as Error).message}`, {
      parameter: 'formula',
    });
  }
  for (const e of dm.event!)
    if (e !== 0 && e !== 1)
      throw new FedhubError('FH_ERR_BAD_PARAMS', 'the event indicator of Surv() must be 0 or 1');
  const clusterColumn = clusterColumnOf(params);
  let clusterCodes: Int32Array | null = null;
  if (clusterColumn) {
    const codes = new Map<string | number, number>();
    clusterCodes = Int32Array.from(data[clusterColumn] as ArrayLike<string | number>, (v) => {
      let c = codes.get(v);
      if (c === undefined) {
        c = codes.size;
        codes.set(v, c);
      }
      return c;
    });
  }
  // the centre as the strata: every row of this node in its own stratum, named by the node
  const centreStrata = params.adjustForCentre ? new Array<string>(dm.n).fill(nodeName) : null;
  if (centreStrata) categorical[CENTRE_STRATA] = centreStrata;
  return {
    x: dm.x,
    n: dm.n,
    p: dm.p,
    time: coarsenTimes(
      dm.y!,
      resolveTimeResolution(params.timeResolution, ds.column(f.response.time.column)).value,
    ),
    event: dm.event!,
    strataNames: centreStrata ?? (strata ? strataLabelsOf(data, strataColumns) : null),
    clusterCodes,
    names: [...dm.columnNames],
    assign: [...(dm.assign ?? [])],
    factorValues: categorical,
    ...(rowIdsOf(data)?.ids.length === dm.n ? { rows: rowIdsOf(data)! } : {}),
  };
}

async function cached(
  ctx: LocalContext,
  params: CoxParams,
  levels: Record<string, string[]>,
): Promise<NodeCoxData> {
  // the design depends on the factor levels: the setup round's (this node's own) are usually the global ones
  // of the later rounds, and then its design is kept
  const key = JSON.stringify(Object.entries(levels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const hit = ctx.cache.get('cox:data') as { key: string; data: NodeCoxData } | undefined;
  if (hit?.key === key) return hit.data;
  const ds = await ctx.dataset(params.dataset);
  // the columns are read once per task: the setup round's design (local levels) and the Newton rounds'
  // (global levels) are built from the same read
  const columnsOf = async () => {
    const got = ctx.cache.get('cox:columns') as ColumnData | undefined;
    if (got) return got;
    const { formula, columns: strataColumns } = splitStrata(params.formula);
    const clusterColumn = clusterColumnOf(params);
    const cols = [
      ...new Set([
        ...modelColumns(parseModelFormula(formula)),
        ...strataColumns,
        ...(clusterColumn ? [clusterColumn] : []),
      ]),
    ];
    // the factors' and strata's levels are known (a superset of the selected rows' values)
    const { data } = await ds.readColumns(cols, params.filter, { knownValues: levels });
    ctx.cache.set('cox:columns', data);
    return data;
  };
  const d = await readCox(ds, ctx.node.name, params, levels, columnsOf);
  ctx.cache.set('cox:data', { key, data: d });
  return d;
}

/** The rows grouped by grid point, once per task (the grid and centre do not change between rounds). */
function preparedFor(ctx: LocalContext, d: NodeCoxData, data: CoxNodeData, grid: EventTimeGrid): PreparedCox {
  const hit = ctx.cache.get('cox:prepared') as { data: NodeCoxData; prepared: PreparedCox } | undefined;
  if (hit && hit.data === d && hit.prepared.gridSize === grid.times.length) return hit.prepared;
  const prepared = prepareCox(data, grid);
  ctx.cache.set('cox:prepared', { data: d, prepared });
  return prepared;
}

/** The agreed event-time grid: each point's stratum (index into the strata) and coarsened time. */
const GridSchema = z.strictObject({ strata: z.array(z.int()), times: z.array(z.number()) });

/**
 * The hub's input to each round, by phase: the set-up counts, Newton rounds at the hub's coefficients,
 * then the range of the linear predictor and the binned concordance counts on a score grid.
 */
export const CoxInputSchema = z.discriminatedUnion('phase', [
  z.strictObject({ phase: z.literal('setup') }),
  z.strictObject({
    phase: z.literal('newton'),
    levels: FactorLevels,
    strata: z.array(z.string()),
    grid: GridSchema,
    beta: Coefficients.nullable(),
  }),
  z.strictObject({
    phase: z.literal('post'),
    levels: FactorLevels,
    strata: z.array(z.string()),
    grid: GridSchema,
    beta: Coefficients,
    terms: z.array(z.number()).nullable(),
    terms0: z.array(z.number()).nullable(),
  }),
  z.strictObject({ phase: z.literal('lp-range'), levels: FactorLevels, beta: Coefficients }),
  z.strictObject({
    phase: z.literal('concordance'),
    levels: FactorLevels,
    strata: z.array(z.string()),
    grid: GridSchema,
    beta: Coefficients,
    scoreGrid: z.strictObject({ min: z.number(), width: z.number(), bins: z.int() }),
  }),
]);
export type CoxInput = z.infer<typeof CoxInputSchema>;

/**
 * What a node sends: the set-up counts (see setup-round.ts); each Newton round's additive risk-set sums
 * with the design's column names and terms; the masked tails of its linear predictor on the public range
 * grid (masked-range.ts); the binned concordance counts.
 */
export const CoxPayloadSchema = z.union([
  SetupPayloadSchema,
  z.strictObject({ ...additiveFields, names: z.array(z.string()), assign: z.array(z.int()) }),
  z.strictObject({ ...additiveFields, rangeOf: z.literal('linear predictor'), minCellCount: z.number() }),
  z.strictObject({ ...additiveFields }),
  z.strictObject({ ...additiveFields, minCellCount: z.number() }),
]);
export type CoxPayload = z.infer<typeof CoxPayloadSchema>;

interface SerialState {
  evalBeta: number[];
  beta: number[];
  loglik: number | null;
  loglikInitial: number | null;
  scoreTest: number | null;
  iter: number;
  halving: boolean;
}
const ser = (s: CoxIterationState): SerialState => ({
  evalBeta: Array.from(s.evalBeta),
  beta: Array.from(s.beta),
  loglik: Number.isFinite(s.loglik) ? s.loglik : null,
  loglikInitial: Number.isFinite(s.loglikInitial) ? s.loglikInitial : null,
  scoreTest: Number.isFinite(s.scoreTest) ? s.scoreTest : null,
  iter: s.iter,
  halving: s.halving,
});
const de = (s: SerialState): CoxIterationState => ({
  evalBeta: Float64Array.from(s.evalBeta),
  beta: Float64Array.from(s.beta),
  loglik: s.loglik ?? Number.NaN,
  loglikInitial: s.loglikInitial ?? Number.NaN,
  scoreTest: s.scoreTest ?? Number.NaN,
  iter: s.iter,
  halving: s.halving,
});

/** A chi-square test's statistic, df and p-value. */
type ChiSquare = {
  statistic: number;
  df: number;
  pValue: number;
};

/** A chi-square test of a term (or GLOBAL), as the result holds it (a type: results are loose objects). */
type ChiSquareRow = {
  term: string;
  chisq: number;
  df: number;
  pValue: number;
};

/** The fit's summary, kept in the hub's state while the concordance rounds run. */
type CoxSummary = {
  coefficients: Array<{
    term: string;
    estimate: number;
    hazardRatio: number;
    stdError: number;
    z: number;
    pValue: number;
    hrLower: number;
    hrUpper: number;
  }>;
  loglik: number[];
  likelihoodRatio: ChiSquare;
  wald: ChiSquare;
  score: ChiSquare;
  iterations: number;
  converged: boolean;
  warnings: ReturnType<typeof coxFitWarnings>;
  covariance: number[];
  termTests: ChiSquareRow[];
  proportionalHazards?: { transform: 'km' | 'identity'; table: ChiSquareRow[] };
} & CoxPostFitResult;

interface State {
  levels: Record<string, string[]>;
  strata: string[];
  grid: { strata: number[]; times: number[] };
  names: string[];
  newton: SerialState;
  final?: {
    summary: CoxSummary;
    beta: number[];
    sum: number[];
    /** Robust SEs or survival curves asked for: what their round needs, until it is done. */
    post?: PostFitState;
    postDone?: boolean;
  };
  /** Numbers at risk per grid point (S0 of the first Newton round, at beta = 0), for cox.zph's "km" transform. */
  nRisk?: number[];
  /** With robust: the score-residual terms at beta = 0 (the first Newton round's sums), for R's robust score test. */
  residualTerms0?: number[];
  nodes: string[];
  n: number;
  events: number;
  /** The resolution the nodes coarsened to (the parameter, or the dictionary's default; from the set-up round). */
  timeResolution?: number;
}

function gridOf(g: { strata: number[]; times: number[] }): EventTimeGrid {
  return { strata: Int32Array.from(g.strata), times: Float64Array.from(g.times) };
}

function strataCodes(d: NodeCoxData, strata: string[]): Int32Array | null {
  return d.strataNames ? Int32Array.from(d.strataNames, (s) => strata.indexOf(s)) : null;
}

type Outcome = AggregateOutcome<CoxInput, State, CoxphResult>;

export const coxph = defineAlgorithm<CoxParams, CoxInput, State, CoxPayload, CoxphResult>({
  name: 'coxph',
  // 1.1.0: the set-up round sends masked counts per declared level and per point of the declared time axis
  // 1.2.0: per-term Wald tests; the proportional-hazards test (cox.zph) with phTest
  // 1.3.0: robust and cluster-robust standard errors, predicted survival curves, the centre as strata
  // 1.4.0: the result says adjustForCentre (a registered model stratified by centre is validated within centres)
  // 1.5.0: the concordance grid's range from a masked round of tails of at least the minimum cell count on
  // a public grid (no node's smallest or largest linear predictor leaves it); the result carries the
  // factors' levels (the reference level for the forest plot)
  version: '1.5.0',
  title: 'Cox proportional hazards',
  description:
    "Cox regression (Efron/Breslow ties, strata) by exact federated Newton iterations on coarsened event times; equals R's coxph.",
  paramsSchema: CoxParamsSchema,
  inputSchema: CoxInputSchema,
  payloadSchema: CoxPayloadSchema,
  resultSchema: CoxphResultSchema,
  model: {
    training: (r) => ({
      ...pickFields(r, [
        'n',
        'events',
        'loglik',
        'iterations',
        'converged',
        'timeResolution',
        'nodes',
        // a model stratified by centre has no common baseline: validate-survival compares pairs within centres
        'adjustForCentre',
      ]),
      ...(r.concordance && typeof r.concordance === 'object' && !Array.isArray(r.concordance)
        ? { concordance: r.concordance.value ?? null }
        : {}),
    }),
    validatedBy: () => 'validate-survival',
  },
  releases: {
    pooled:
      "factor levels, strata and coarsened event times present; per iteration additive risk-set sums per coarsened event time (secure-aggregated); for the range of the C index's score grid, per node the public grid cells (ten a decade) in which the lower and the upper tail of at least the minimum cell count of its records' linear predictors end, marked in a masked vector (secure-aggregated: per cell, how many nodes marked it; no count, no extreme value); binned linear predictors for the C index (the per-term Wald tests, the cox.zph test and the predicted survival curves are computed from these sums, nothing more leaves a node; the curves are released at the ends of event-time intervals holding at least the minimum cell count of deaths each); with robust or cluster, the sum over clusters (every record, the centre, or the clusters of a column within a centre) of the outer products of the score-residual sums of the clusters, at the final coefficients and at 0 (secure-aggregated; for the centre as the cluster, the outer product of the score sum of the node) and the column sums for the means of the model, after the hub sent every node the pooled hazard increments and risk-set means per event time; with adjustForCentre, the event-time sums per centre as strata; released only when every combination of factor levels and strata these sums hold (of each pair of terms, and of each term by event status) counts at least the minimum cell count",
    perNode: null,
  },
  variables: (p) => {
    const { formula, columns } = splitStrata(p.formula);
    return {
      dataset: p.dataset,
      columns: [
        ...new Set([
          ...modelColumns(parseModelFormula(formula)),
          ...columns,
          ...(clusterColumnOf(p) ? [clusterColumnOf(p)!] : []),
        ]),
      ],
    };
  },
  firstInput: () => ({ phase: 'setup' }),
  async local(ctx, params, input) {
    const ds = await ctx.dataset(params.dataset);
    if (input.phase === 'setup') {
      const { formula, strata, columns: strataColumns } = splitStrata(params.formula);
      if (params.adjustForCentre && strata)
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          'adjustForCentre stratifies by centre: leave strata() out of the formula, or adjustForCentre out',
          { parameter: 'adjustForCentre' },
        );
      const f = parseModelFormula(formula);
      if (f.response?.kind !== 'surv')
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `formula "${params.formula}" needs Surv(time, event) on the left`,
        );
      const setup = await setupCounts(ds, {
        filter: params.filter,
        time: f.response.time.column,
        timeResolution: resolveTimeResolution(params.timeResolution, ds.column(f.response.time.column)).value,
        factors: factorColumns(f, ds),
        strata: strata ?? null,
        strataColumns,
      });
      const d = await cached(ctx, params, setup.localLevels);
      // with adjustForCentre the set-up counts are pooled (the strata are the nodes, named by the hub)
      return setupRelease(
        setup,
        params.adjustForCentre ? { ...d, strataNames: null } : d,
        coxDisclosure(d, params.formula),
      );
    }
    const d = await cached(ctx, params, input.levels);
    const disclosure = coxDisclosure(d, params.formula);
    if (input.phase === 'newton') {
      const data = {
        x: d.x,
        n: d.n,
        p: d.p,
        time: d.time,
        event: d.event,
        strata: strataCodes(d, input.strata),
      };
      const grid = gridOf(input.grid);
      const partial = coxLocalPartial(
        data,
        grid,
        input.beta ? Float64Array.from(input.beta) : new Float64Array(d.p),
        null,
        preparedFor(ctx, d, data, grid),
      );
      return release({ [ADDITIVE_FIELD]: Array.from(partial), names: d.names, assign: d.assign }, disclosure);
    }
    if (input.phase === 'post') {
      const data = {
        x: d.x,
        n: d.n,
        p: d.p,
        time: d.time,
        event: d.event,
        strata: strataCodes(d, input.strata),
      };
      const cluster =
        params.cluster === undefined ? null : params.cluster === CENTRE_CLUSTER ? 'node' : d.clusterCodes;
      return release(
        postFitLocal(
          data,
          gridOf(input.grid),
          Float64Array.from(input.beta),
          input.terms ? Float64Array.from(input.terms) : null,
          input.terms0 ? Float64Array.from(input.terms0) : null,
          cluster,
          ctx.policy.minCellCount,
        ),
        disclosure,
      );
    }
    // the same beta in the lp-range and concordance rounds: computed once
    const lpKey = `${input.beta.join(',')}`;
    const lpHit = ctx.cache.get('cox:lp') as { key: string; data: NodeCoxData; lp: Float64Array } | undefined;
    let lp: Float64Array;
    if (lpHit?.key === lpKey && lpHit.data === d) lp = lpHit.lp;
    else {
      lp = new Float64Array(d.n);
      for (let i = 0; i < d.n; i++)
        for (let j = 0; j < d.p; j++) lp[i]! += d.x[i * d.p + j]! * input.beta[j]!;
      ctx.cache.set('cox:lp', { key: lpKey, data: d, lp });
    }
    if (input.phase === 'lp-range') {
      // no end of the node's range leaves it: only its tails of at least the minimum cell count, on a
      // public grid, marked in the masked vector (masked-range.ts)
      for (const v of lp)
        if (!Number.isFinite(v))
          throw new FedhubError(
            'FH_ERR_ALGORITHM_FAILED',
            'coxph: the linear predictor is not finite for some records',
          );
      const tails = rangeTails(lp, ctx.policy.minCellCount, 'the linear predictor');
      return release(
        {
          [ADDITIVE_FIELD]: tails.vector,
          rangeOf: 'linear predictor' as const,
          minCellCount: ctx.policy.minCellCount,
        },
        { ...disclosure, cells: [...disclosure.cells, ...tails.cells], additiveLayout: 'declared' },
      );
    }
    const partial = concordanceLocalPartial(
      d.time,
      d.event,
      strataCodes(d, input.strata),
      lp,
      gridOf(input.grid),
      input.scoreGrid,
    );
    return release({ [ADDITIVE_FIELD]: Array.from(partial) }, disclosure);
  },
  aggregate({ params, round, state, parts }): Outcome {
    if (round === 1) {
      const agreed = agreeSetup(parts);
      const { levels, n, events, res } = agreed;
      let { strata, grid } = agreed;
      if (params.adjustForCentre) {
        // each node its own stratum (sorted by name, as R sorts a centre column's levels), every stratum on
        // the pooled event-time grid (a time without deaths in a stratum adds nothing to its likelihood)
        strata = parts.map((p) => p.nodeName).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        grid = {
          strata: strata.flatMap((_, si) => grid.times.map(() => si)),
          times: strata.flatMap(() => grid.times),
        };
      }
      const s: State = {
        levels,
        strata,
        grid,
        names: [],
        newton: ser(coxInitialState(0)),
        nodes: parts.map((p) => p.nodeName),
        n,
        events,
        // the same at every node (agreeSetup compares the axes)
        timeResolution: res,
      };
      return {
        kind: 'next-round',
        input: { phase: 'newton', levels, strata, grid, beta: null },
        state: s,
      };
    }
    if (state === null)
      throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'coxph: a round after the first has no state');
    const s = state;
    if (!s.final) {
      const partials = payloadsWith(parts, 'assign');
      const names = partials[0]!.names;
      const p = names.length;
      const sum = sumAdditive(parts);
      const st = s.newton.evalBeta.length === p ? de(s.newton) : coxInitialState(p);
      // the first Newton round is at beta = 0, where each point's S0 is its number at risk
      const nRisk =
        s.nRisk ??
        (st.iter === 0
          ? Array.from({ length: s.grid.times.length }, (_, k) => sum[k * coxStride(p)]!)
          : undefined);
      const residualTerms0 =
        s.residualTerms0 ??
        (st.iter === 0 && wantsRobust(params)
          ? Array.from(coxResidualTerms(sum, p, params.ties))
          : undefined);
      const step = coxAggregateStep(sum, p, params.ties, st, defaultCoxControl);
      if (!step.done)
        return {
          kind: 'next-round',
          input: {
            phase: 'newton',
            levels: s.levels,
            strata: s.strata,
            grid: s.grid,
            beta: Array.from(step.state.evalBeta),
          },
          state: {
            ...s,
            names,
            newton: ser(step.state),
            ...(nRisk ? { nRisk } : {}),
            ...(residualTerms0 ? { residualTerms0 } : {}),
          },
        };
      const summary = coxSummarize(names, step.state, step.derivatives, step.converged);
      const assign = partials[0]!.assign;
      const termLabels = parseModelFormula(splitStrata(params.formula).formula).terms.map((t) => t.label);
      const termTests = termWaldTests(summary.coef, summary.covariance, assign, termLabels);
      const phTest = params.phTest
        ? {
            transform: params.phTest,
            table: coxZph({
              sum,
              p,
              beta: summary.coef,
              ties: params.ties,
              grid: gridOf(s.grid),
              transform: params.phTest,
              nRisk: nRisk ?? null,
              assign,
              termLabels,
            }),
          }
        : undefined;
      const beta = Array.from(summary.coef);
      const summaryJson: CoxSummary = {
        coefficients: names.map((term, j) => ({
          term,
          estimate: summary.coef[j]!,
          hazardRatio: summary.hazardRatio[j]!,
          stdError: summary.stdError[j]!,
          z: summary.z[j]!,
          pValue: summary.pValue[j]!,
          hrLower: summary.hrLower[j]!,
          hrUpper: summary.hrUpper[j]!,
        })),
        loglik: [...summary.loglik],
        likelihoodRatio: {
          statistic: summary.likelihoodRatio,
          df: summary.df,
          pValue: summary.likelihoodRatioP,
        },
        wald: { statistic: summary.wald, df: summary.df, pValue: summary.waldP },
        score: { statistic: summary.score, df: summary.df, pValue: summary.scoreP },
        iterations: summary.iterations,
        converged: summary.converged,
        warnings: coxFitWarnings(summary),
        covariance: Array.from(summary.covariance),
        termTests,
        ...(phTest ? { proportionalHazards: phTest } : {}),
      };
      if (needsPostFit(params)) {
        const post = postFitState(sum, p, params.ties, params, residualTerms0 ?? null);
        return {
          kind: 'next-round',
          input: {
            phase: 'post',
            levels: s.levels,
            strata: s.strata,
            grid: s.grid,
            beta,
            terms: post.residualTerms,
            terms0: post.residualTerms0,
          },
          state: { ...s, names, final: { summary: summaryJson, beta, sum: [], post, postDone: false } },
        };
      }
      return {
        kind: 'next-round',
        input: { phase: 'lp-range', levels: s.levels, beta },
        state: { ...s, names, final: { summary: summaryJson, beta, sum: [] } },
      };
    }
    if (s.final.post && !s.final.postDone) {
      const summary = s.final.summary;
      const extra = postFitResult({
        params,
        sum: sumAdditive(parts),
        minCellCount: Math.max(1, ...payloadsWith(parts, 'minCellCount').map((p) => p.minCellCount)),
        state: s.final.post,
        names: s.names,
        beta: s.final.beta,
        covariance: summary.covariance,
        grid: gridOf(s.grid),
        strata: s.strata,
        levels: s.levels,
        rhs: splitStrata(params.formula).formula.split('~')[1]!.trim(),
      });
      return {
        kind: 'next-round',
        input: { phase: 'lp-range', levels: s.levels, beta: s.final.beta },
        state: {
          ...s,
          final: { summary: { ...summary, ...extra }, beta: s.final.beta, sum: [], postDone: true },
        },
      };
    }
    if ('rangeOf' in parts[0]!.payload) {
      // the span of the public grid cells some node's tail ends in; scores beyond it
      // fall in the score grid's end bins
      payloadsWith(parts, 'rangeOf');
      const span = pooledSpan(sumAdditive(parts));
      if (!span)
        throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'coxph: no records for the concordance grid');
      const { lo: min, hi: max } = span;
      const bins = params.concordanceBins;
      const scoreGrid = { min, width: max > min ? (max - min) / (bins - 1) : 1, bins };
      return {
        kind: 'next-round',
        input: {
          phase: 'concordance',
          levels: s.levels,
          strata: s.strata,
          grid: s.grid,
          beta: s.final.beta,
          scoreGrid,
        },
        state: { ...s, final: { ...s.final, sum: [min, max] } },
      };
    }
    const [min, max] = s.final.sum as [number, number];
    const bins = params.concordanceBins;
    const c = concordanceFromPartial(sumAdditive(parts), s.grid.times.length, {
      min,
      width: max > min ? (max - min) / (bins - 1) : 1,
      bins,
    });
    return {
      kind: 'done',
      result: {
        algorithm: 'coxph',
        formula: params.formula,
        ties: params.ties,
        ...(params.adjustForCentre ? { adjustForCentre: true } : {}),
        ...timeResolutionNote(params.timeResolution, s.timeResolution ?? params.timeResolution ?? 1),
        ...s.final.summary,
        concordance: {
          value: c.concordance,
          concordant: c.concordant,
          discordant: c.discordant,
          tiedScore: c.tiedScore,
          scoreBins: bins,
        },
        n: s.n,
        events: s.events,
        nodes: s.nodes,
        // the reference level of each factor, for the forest plot (the others are in the terms' names);
        // the factors of the model only, not the strata
        levels: factorLevelsOfTerms(s.levels, s.final.summary.coefficients),
      },
    };
  },
});

/**
 * The levels of the factors that are terms of the model (R names a level's coefficient `sexM`, or
 * `factor(stage)II`): strata columns, whose levels are no coefficient, are left out.
 */
function factorLevelsOfTerms(
  levels: Record<string, string[]>,
  coefficients: ReadonlyArray<{ term: string }>,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [factor, ls] of Object.entries(levels))
    if (
      ls
        .slice(1)
        .some((l) =>
          coefficients.some((c) => c.term === `${factor}${l}` || c.term === `factor(${factor})${l}`),
        )
    )
      out[factor] = ls;
  return out;
}

// for validate-survival, which scores frozen Cox models on the same coarsened rows, levels and strata
export { cached as readCoxNodeData, type NodeCoxData, strataCodes as coxStrataCodes };
