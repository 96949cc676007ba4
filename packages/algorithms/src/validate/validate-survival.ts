/**
 * `validate-survival`: external validation of a frozen survival model (a Cox model's coefficients, or a
 * column of risk scores) by Harrell's C, pooled and per centre, with survival::concordance's standard
 * error. Event times are coarsened as `coxph` coarsens them (tc = ceil(t / res) * res); risk scores (the
 * linear predictor) are put on a declared grid (multiples of `scoreResolution`), on which the result is
 * exact: it equals `concordance(Surv(tc, event) ~ round(lp / res), reverse = TRUE)` on the pooled rows.
 *
 * A separate algorithm rather than a mode of `validate`: its parameters (time, event, strata) and rounds
 * (levels and event-time grid, score range, concordance partial) share nothing with the binary measures,
 * and a node approves it, and its digest, on its own.
 *
 * Rounds: (1) factor levels, strata and the event-time grid, as coxph's first round; (2) the range of the
 * scores, from a masked round of the public grid cells where each node's tails of at least the minimum cell count end
 * (masked-range.ts: no node's smallest or largest score leaves it; scores beyond the pooled span count in
 * the end bins); (3) the binned concordance partial (events and
 * comparators per grid point and score bin), secure-aggregated; each centre's own C only where the study
 * allows per-node breakdowns.
 */
import { FedhubError, type ValidateSurvivalResult, ValidateSurvivalResultSchema } from '@fedhub/protocol';
import { concordanceLocalPartial, type EventTimeGrid, normalQuantile } from '@fedhub/stats';
import { z } from 'zod';
import { ADDITIVE_FIELD, additiveFields, sumAdditive } from '../additive.js';
import { columnParam, DatasetParam, examples, FilterParam, paramMeta } from '../common-params.js';
import {
  type CoxParams,
  coxStrataCodes,
  type NodeCoxData,
  readCoxNodeData,
  splitStrata,
} from '../coxph/coxph.js';
import { agreeSetup, SetupPayloadSchema, setupCounts, setupRelease } from '../coxph/setup-round.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { pooledSpan, rangeTails } from '../masked-range.js';
import { factorColumns, modelColumns, parseModelFormula } from '../model-data/model-data.js';
import { FactorLevels } from '../model-data/round-schemas.js';
import { resolveTimeResolution, timeResolutionNote } from '../time-resolution.js';
import {
  type AggregateOutcome,
  crossCells,
  type DisclosureCell,
  type DisclosureDeclaration,
  type LocalContext,
  payloadsWith,
  release,
} from '../types.js';
import { frozenCoefficients, frozenModelLevels } from './frozen-model.js';

/**
 * The cells behind every release: strata crossed with event status (the partials are sums per stratum
 * and event time), and the level counts of the setup round.
 */
function survivalDisclosure(d: { n: number; event: Float64Array; strataNames: string[] | null }) {
  const columns: Array<{ name: string; values: ArrayLike<string | number | null> }> = [];
  if (d.strataNames) columns.push({ name: 'stratum', values: d.strataNames });
  columns.push({ name: '(event)', values: d.event });
  return { subsetSize: d.n, cells: crossCells(columns, 'design') } satisfies DisclosureDeclaration;
}

/**
 * The node's own comparable pairs by kind (concordant, discordant, tied on the score): every pair count
 * its partial implies is a count like any other, and a group of one pair orders two patients.
 */
function pairCells(s: ConcordanceSummary): DisclosureCell[] {
  return [
    { label: 'concordant pairs', count: s.concordant, kind: 'group' },
    { label: 'discordant pairs', count: s.discordant, kind: 'group' },
    { label: 'pairs tied on the score', count: s.tiedScore, kind: 'group' },
    { label: 'event pairs tied on the time', count: s.tiedTime + s.tiedBoth, kind: 'group' },
  ];
}

import {
  type ConcordanceSummary,
  concordanceMoments,
  concordanceSummary,
  MOMENTS_LENGTH,
  summaryFromMoments,
  timeDependentAuc,
  unoTimeWeights,
} from './concordance-summary.js';
import { mergeEventTimes, mergeSurvivalScores } from './survival-merge.js';

export const ValidateSurvivalParamsSchema = z.strictObject({
  dataset: DatasetParam,
  time: columnParam(
    'time',
    'Follow-up time (default: the Surv() time of the model formula)',
    'months',
  ).optional(),
  event: columnParam(
    'event',
    'Event indicator 0/1 (default: the Surv() event of the model formula)',
    'dead',
  ).optional(),
  model: z
    .union([
      z.strictObject({
        score: columnParam('numeric', 'Column of risk scores (higher = shorter survival)', 'risk_score'),
      }),
      z.strictObject({
        formula: z
          .string()
          .min(3)
          .max(2000)
          .describe('As fitted, e.g. "Surv(months, dead) ~ age + sex + factor(stage)" or "~ age + sex"'),
        coefficients: z
          .record(z.string(), z.number())
          .describe('Frozen coefficients by term name (as coxph reports them)'),
      }),
    ])
    .describe('The frozen model: a column of risk scores, or a Cox model from the model registry')
    .meta(
      paramMeta({
        widget: 'model',
        modelOf: 'coxph',
        examples: [
          { formula: 'Surv(months, dead) ~ age + dose_gy', coefficients: { age: 0.03, dose_gy: -0.01 } },
        ],
      }),
    ),
  strata: columnParam(
    'categorical',
    'Compare pairs only within strata of this column (default: the strata() term of the model formula)',
    'sex',
  ).optional(),
  timeResolution: z
    .number()
    .min(1e-6)
    .optional()
    .describe(
      "Event times are coarsened up to multiples of this (time unit), as coxph does. Default: from the time column's declared unit (days 1, weeks and months 0.1, years 0.01) or range",
    )
    .meta(examples(1)),
  scoreResolution: z
    .number()
    .min(1e-4)
    .max(1)
    .default(0.01)
    .describe('Risk scores are rounded to multiples of this; C is exact for scores on this grid')
    .meta(examples(0.01)),
  adjustForCentre: z
    .boolean()
    .optional()
    .describe(
      "Compare pairs only within a centre, for a model fitted with adjustForCentre (each node its own stratum: R's concordance on a coxph with strata(centre)); no time-dependent AUC then",
    )
    .meta(examples(true)),
  aucTimes: z
    .array(z.number().positive())
    .min(1)
    .max(20)
    .optional()
    .describe(
      'Also the time-dependent AUC (cumulative cases, dynamic controls, inverse-probability-of-censoring weights; as timeROC) at these times (time unit)',
    )
    .meta(examples([12, 36, 60])),
  filter: FilterParam,
});
export type ValidateSurvivalParams = z.infer<typeof ValidateSurvivalParamsSchema>;

/** Largest concordance partial (2 x grid points x score bins) a node is asked to mask and send. */
export const MAX_PARTIAL_LENGTH = 1_000_000;
const Z975 = normalQuantile(0.975);

interface Resolved {
  time: string;
  event: string;
  strata: string | null;
  /** The right-hand side whose design columns carry the coefficients. */
  rhs: string;
  coefficients: Record<string, number>;
}

/** Time, event, strata and scored terms from the parameters and the model formula. */
export function resolveSurvivalModel(p: ValidateSurvivalParams): Resolved {
  let time = p.time;
  let event = p.event;
  let strata = p.strata ?? null;
  let rhs: string;
  let coefficients: Record<string, number>;
  if ('score' in p.model) {
    rhs = p.model.score;
    coefficients = { [p.model.score]: 1 };
  } else {
    const split = splitStrata(p.model.formula.includes('~') ? p.model.formula : `~ ${p.model.formula}`);
    const tilde = split.formula.indexOf('~');
    const lhs = split.formula.slice(0, tilde).trim();
    rhs = split.formula.slice(tilde + 1).trim();
    if (lhs !== '') {
      const f = parseModelFormula(`${lhs} ~ 1`);
      if (f.response?.kind !== 'surv')
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `model.formula "${p.model.formula}": the left-hand side must be Surv(time, event)`,
        );
      time ??= f.response.time.column;
      event ??= f.response.event.column;
    }
    strata ??= split.strata;
    coefficients = p.model.coefficients;
  }
  if (p.adjustForCentre && strata)
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      `validate-survival: adjustForCentre compares pairs within each centre; leave the strata (${strata}) out, or adjustForCentre out`,
      { parameter: 'adjustForCentre' },
    );
  if (p.adjustForCentre && p.aucTimes)
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      "validate-survival: aucTimes compares cases and controls across centres, which a model stratified by centre (adjustForCentre) does not support: it has no common baseline hazard; leave aucTimes out (Harrell's and Uno's C are computed within centres)",
      { parameter: 'aucTimes' },
    );
  if (!time || !event)
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      'validate-survival: give "time" and "event", or a model formula with Surv(time, event) on the left',
    );
  return { time, event, strata, rhs, coefficients };
}

/** The coxph parameters that read the same rows: coarsened times, events, strata and the design. */
function coxParams(p: ValidateSurvivalParams, r: Resolved): CoxParams {
  return {
    dataset: p.dataset,
    formula: `Surv(${r.time}, ${r.event}) ~ ${r.rhs}${r.strata ? ` + strata(${r.strata})` : ''}`,
    ties: 'efron',
    timeResolution: p.timeResolution,
    concordanceBins: 200,
    ...(p.filter ? { filter: p.filter } : {}),
  };
}

const GridSchema = z.strictObject({ strata: z.array(z.int()), times: z.array(z.number()) });
type Grid = z.infer<typeof GridSchema>;

/** The hub's input to each round: the set-up counts, the score range, the concordance counts. */
export const ValidateSurvivalInputSchema = z.discriminatedUnion('phase', [
  z.strictObject({ phase: z.literal('setup') }),
  z.strictObject({ phase: z.literal('range'), levels: FactorLevels }),
  z.strictObject({
    phase: z.literal('concordance'),
    levels: FactorLevels,
    strata: z.array(z.string()),
    grid: GridSchema,
    /** Score grid in units of scoreResolution: bins lo, lo + 1, ..., lo + bins - 1. */
    lo: z.number(),
    bins: z.int(),
  }),
]);
type Input = z.infer<typeof ValidateSurvivalInputSchema>;

// this centre's C (null where undefined), released only where the study allows per-node breakdowns
const Maybe = z.number().nullable();
const CentreSchema = z.strictObject({
  n: z.int(),
  events: z.number(),
  concordance: Maybe,
  stdError: Maybe,
  ciLower: Maybe,
  ciUpper: Maybe,
  variance: Maybe,
  concordant: z.number(),
  discordant: z.number(),
  tiedScore: z.number(),
  tiedTime: z.number(),
  tiedBoth: z.number(),
});

/** What a node sends: the set-up counts; its score tails on the range grid (masked); the concordance counts. */
export const ValidateSurvivalPayloadSchema = z.union([
  SetupPayloadSchema,
  z.strictObject({ ...additiveFields, rangeOf: z.literal('risk score'), minCellCount: z.number() }),
  z.strictObject({ ...additiveFields, centre: CentreSchema.optional() }),
]);
type Payload = z.infer<typeof ValidateSurvivalPayloadSchema>;

interface State {
  levels: Record<string, string[]>;
  strata: string[];
  grid: Grid;
  nodes: string[];
  n: number;
  events: number;
  lo?: number;
  bins?: number;
  /** The resolution the nodes coarsened to (the parameter, or the dictionary's default; from the set-up round). */
  timeResolution?: number;
}

type Outcome = AggregateOutcome<Input, State, ValidateSurvivalResult>;

/** The node's scores on the grid (integer multiples of scoreResolution), once per task. */
function gridScores(
  ctx: LocalContext,
  d: NodeCoxData,
  r: Resolved,
  levels: Record<string, string[]>,
  res: number,
): Float64Array {
  const hit = ctx.cache.get('validate-survival:q') as Float64Array | undefined;
  if (hit) return hit;
  // a level without a coefficient counts 0 (frozen-model.ts): the design takes every declared level
  const beta = frozenCoefficients(
    parseModelFormula(`~ ${r.rhs}`),
    levels,
    r.coefficients,
    d.names,
    d.factorValues,
  );
  const q = new Float64Array(d.n);
  for (let i = 0; i < d.n; i++) {
    // summed term by term from 0, as the R reference script sums them
    let lp = 0;
    for (let j = 0; j < d.p; j++) lp += d.x[i * d.p + j]! * beta[j]!;
    if (!Number.isFinite(lp))
      throw new FedhubError('FH_ERR_BAD_PARAMS', 'the risk score is not finite for some records', {
        parameter: 'model',
      });
    q[i] = Math.round(lp / res);
  }
  ctx.cache.set('validate-survival:q', q);
  return q;
}

/** C with its Wald 95% CI (clipped to [0, 1]); null where undefined (a centre without comparable pairs). */
function withCi(s: ConcordanceSummary) {
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    concordance: finite(s.concordance),
    stdError: finite(s.stdError),
    ciLower: finite(Math.max(0, s.concordance - Z975 * s.stdError)),
    ciUpper: finite(Math.min(1, s.concordance + Z975 * s.stdError)),
    variance: finite(s.variance),
    concordant: s.concordant,
    discordant: s.discordant,
    tiedScore: s.tiedScore,
    tiedTime: s.tiedTime,
    tiedBoth: s.tiedBoth,
  };
}

export const validateSurvival = defineAlgorithm<
  ValidateSurvivalParams,
  Input,
  State,
  Payload,
  ValidateSurvivalResult
>({
  name: 'validate-survival',
  // 1.1.0: the set-up round sends masked counts on the declared levels and time axis (as coxph 1.1.0)
  // 1.2.0: score groups and event-time points merged at the node until each passes, declared as cells
  // 1.3.0: Uno's C and the time-dependent AUC (aucTimes), from the same released sums
  // 1.4.0: Uno's C with strata (each stratum's records sent beside the partial); adjustForCentre
  // 1.5.0: the score range from a masked round of tails of at least the minimum cell count on a public
  // grid (no node's smallest or largest score leaves it)
  // 1.6.0: AUC(t) with timeROC's iid standard error and a Wald 95% CI, from the same pooled partial
  version: '1.6.0',
  title: 'Survival model validation across centres',
  description:
    "Harrell's C of a frozen Cox model or risk score, pooled and per centre, with survival::concordance's standard error, Uno's C and time-dependent AUC (IPCW) with timeROC's standard error, on coarsened event times.",
  paramsSchema: ValidateSurvivalParamsSchema,
  inputSchema: ValidateSurvivalInputSchema,
  payloadSchema: ValidateSurvivalPayloadSchema,
  resultSchema: ValidateSurvivalResultSchema,
  releases: {
    pooled:
      "factor levels, strata and coarsened event times present; for the range of the score grid, per node the public grid cells (ten a decade) in which the lower and the upper tail of at least the minimum cell count of its records' risk scores end, marked in a masked vector (secure-aggregated: per cell, how many nodes marked it; no count, no extreme value); counts of events and of records still at risk per coarsened event time and score bin (secure-aggregated), score bins merged at each node per event status into groups of at least the minimum cell count (spanning at most 1 in the linear predictor) and event-time points per stratum merged until each holds at least the minimum cell count of events (events moved to the later point), and the records per stratum; with adjustForCentre instead of these sums, each centre’s concordant, discordant and tied pair counts and three sums over its records of products of their pair counts (with Harrell and with Uno weights, secure-aggregated); released only when every stratum by event status, every score group, every merged time point and every kind of comparable pair (concordant, discordant, tied) holds at least the minimum cell count",
    perNode: "Harrell's C with its standard error, records and events per centre",
  },
  variables: (p) => {
    const r = resolveSurvivalModel(p);
    const f = parseModelFormula(`Surv(${r.time}, ${r.event}) ~ ${r.rhs}`);
    return { dataset: p.dataset, columns: [...modelColumns(f), ...(r.strata ? [r.strata] : [])] };
  },
  firstInput: () => ({ phase: 'setup' }),
  async local(ctx, params, input) {
    const r = resolveSurvivalModel(params);
    const cp = coxParams(params, r);
    const ds = await ctx.dataset(params.dataset);
    if (input.phase === 'setup') {
      const setup = await setupCounts(ds, {
        filter: params.filter,
        time: r.time,
        timeResolution: resolveTimeResolution(params.timeResolution, ds.column(r.time)).value,
        factors: factorColumns(parseModelFormula(`~ ${r.rhs}`), ds),
        strata: r.strata,
      });
      const d = await readCoxNodeData(ctx, cp, setup.localLevels);
      ctx.cache.delete('cox:data'); // rebuilt with the global levels next round
      return setupRelease(setup, d, survivalDisclosure(d));
    }
    const d = await readCoxNodeData(ctx, cp, input.levels);
    let events = 0;
    for (const e of d.event) events += e;
    const disclosure = survivalDisclosure(d);
    const q = gridScores(ctx, d, r, input.levels, params.scoreResolution);
    if (input.phase === 'range') {
      // no end of the node's range leaves it: only its tails of at least the minimum cell count on the
      // public grid of the linear predictor, in the masked vector, each tail's records audited
      const tails = rangeTails(
        q.map((v) => v * params.scoreResolution),
        ctx.policy.minCellCount,
        'the risk score',
      );
      return release(
        {
          [ADDITIVE_FIELD]: tails.vector,
          rangeOf: 'risk score' as const,
          minCellCount: ctx.policy.minCellCount,
        },
        { ...disclosure, cells: [...disclosure.cells, ...tails.cells], additiveLayout: 'declared' },
      );
    }
    const grid: EventTimeGrid = {
      strata: Int32Array.from(input.grid.strata),
      times: Float64Array.from(input.grid.times),
    };
    // merged at the node until every (status, score group) and every (stratum, time point) count of
    // events passes the policy (survival-merge.ts); both are declared cells of the partial
    const strataCodes = coxStrataCodes(d, input.strata);
    // each cell names its records where the node audits releases: two frozen models that differ only in
    // one patient's score move that patient between score groups, and the ledger refuses the second
    const times = mergeEventTimes(d.time, d.event, strataCodes, grid, ctx.policy.minCellCount, d.rows);
    const scores = mergeSurvivalScores(q, d.event, params.scoreResolution, ctx.policy.minCellCount, d.rows);
    const partial = concordanceLocalPartial(times.time, d.event, strataCodes, scores.q, grid, {
      min: input.lo,
      width: 1,
      bins: input.bins,
    });
    const own = concordanceSummary(partial, grid.strata, input.bins);
    const withPairs = {
      ...disclosure,
      cells: [...disclosure.cells, ...pairCells(own), ...scores.cells, ...times.cells],
    };
    let additive: number[];
    if (params.adjustForCentre) {
      // pairs within this centre only: its pair counts and three sums over its records (additive across
      // centres, concordance-summary.ts), Harrell's then Uno's (G from this centre's own records, as R's
      // per-stratum censoring weights); the partial itself stays here
      const uno = unoTimeWeights(partial, grid.strata, input.bins, [d.n])!;
      additive = [
        ...concordanceMoments(partial, grid.strata, input.bins),
        ...concordanceMoments(partial, grid.strata, input.bins, uno),
      ];
    } else {
      // the partial, then the records of each stratum (the sum of its declared stratum-by-status cells):
      // each stratum's censoring weights start at its own records, those censored before its first event too
      const totals = new Array<number>(input.strata.length).fill(0);
      for (let i = 0; i < d.n; i++) totals[strataCodes ? strataCodes[i]! : 0]! += 1;
      additive = [...partial, ...totals];
    }
    // this centre's own C leaves the node only where the study allows per-node breakdowns
    if (ctx.releasePerNodeBreakdown !== true) return release({ [ADDITIVE_FIELD]: additive }, withPairs);
    const centre = { n: d.n, events, ...withCi(own) };
    return release({ [ADDITIVE_FIELD]: additive, centre }, withPairs);
  },
  aggregate({ params, round, state, parts, releasePerNodeBreakdown }): Outcome {
    if (round === 1) {
      const setup = agreeSetup(parts);
      const { strata, grid, n, events, res } = setup;
      // a frozen formula model's factors take every declared level (frozen-model.ts), not the levels the
      // selection holds (a filter keeping one level would drop that level's coefficient); strata as held
      const layout = payloadsWith(parts, 'axis')[0]!;
      const levels =
        'formula' in params.model
          ? {
              ...setup.levels,
              ...frozenModelLevels(layout.declared, layout.strataColumn ?? null),
            }
          : setup.levels;
      if (grid.times.length === 0)
        throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'no events at any node: Harrell’s C is undefined');
      const s: State = {
        levels,
        strata,
        grid,
        nodes: parts.map((p) => p.nodeName),
        n,
        events,
        timeResolution: res,
      };
      return {
        kind: 'next-round',
        input: { phase: 'range', levels },
        state: s,
      };
    }
    if (state === null)
      throw new FedhubError(
        'FH_ERR_ALGORITHM_FAILED',
        'validate-survival: a round after the first has no state',
      );
    const s = state;
    if (round === 2) {
      // the span of the grid cells some node's tail ends in, in score units
      payloadsWith(parts, 'rangeOf');
      const span = pooledSpan(sumAdditive(parts));
      if (!span) throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'validate-survival: no records to score');
      const lo = Math.floor(span.lo / params.scoreResolution + 1e-9);
      const hi = Math.max(lo, Math.ceil(span.hi / params.scoreResolution - 1e-9));
      const bins = hi - lo + 1;
      const length = 2 * s.grid.times.length * bins;
      if (length > MAX_PARTIAL_LENGTH)
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `validate-survival: ${s.grid.times.length} event times x ${bins} score bins is too fine (at most ${MAX_PARTIAL_LENGTH / 2} cells); use a coarser scoreResolution (now ${params.scoreResolution}) or timeResolution (now ${s.timeResolution ?? params.timeResolution})`,
        );
      return {
        kind: 'next-round',
        input: {
          phase: 'concordance',
          levels: s.levels,
          strata: s.strata,
          grid: s.grid,
          lo,
          bins,
        },
        state: { ...s, lo, bins },
      };
    }
    const summed = sumAdditive(parts);
    const strataCodes = Int32Array.from(s.grid.strata);
    const partialLength = 2 * strataCodes.length * s.bins!;
    // the partial and the strata's records; or, with adjustForCentre, the centres' summed moments
    const sum = params.adjustForCentre ? summed : summed.subarray(0, partialLength);
    const pooled = params.adjustForCentre
      ? summaryFromMoments(summed.subarray(0, MOMENTS_LENGTH))
      : concordanceSummary(sum, strataCodes, s.bins!);
    const pairs = pooled.concordant + pooled.discordant + pooled.tiedScore;
    if (!(pairs > 0))
      throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'no comparable pairs: Harrell’s C is undefined');
    const r = resolveSurvivalModel(params);
    // Uno's C and AUC(t) from the same sums (no new release); AUC(t) needs one stratum (see timeDependentAuc)
    const uno = params.adjustForCentre
      ? withCi(summaryFromMoments(summed.subarray(MOMENTS_LENGTH, 2 * MOMENTS_LENGTH)))
      : withCi(
          concordanceSummary(
            sum,
            strataCodes,
            s.bins!,
            unoTimeWeights(sum, strataCodes, s.bins!, summed.subarray(partialLength))!,
          ),
        );
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    const res = s.timeResolution ?? params.timeResolution ?? 1;
    // the records of the (one) stratum of the event grid: n of timeROC's iid variance, those censored before
    // its first event too (AUC(t) is computed for one stratum only, see timeDependentAuc)
    const records =
      params.adjustForCentre || strataCodes.length === 0
        ? undefined
        : summed[partialLength + strataCodes[0]!];
    const aucs = params.aucTimes?.map((t) => {
      const grid = { strata: strataCodes, times: s.grid.times };
      const a = timeDependentAuc(sum, grid, s.bins!, t, res, records);
      return a
        ? { ...a, auc: finite(a.auc), se: finite(a.se), lower: finite(a.lower), upper: finite(a.upper) }
        : {
            time: t,
            timeUsed: null,
            auc: null,
            cases: null,
            controls: null,
            se: null,
            lower: null,
            upper: null,
          };
    });
    const perCentre = parts.flatMap((p) => {
      const c = 'centre' in p.payload ? p.payload.centre : undefined;
      return c ? [{ centre: p.nodeName, ...c }] : [];
    });
    return {
      kind: 'done',
      result: {
        algorithm: 'validate-survival',
        model: params.model,
        time: r.time,
        event: r.event,
        strata: r.strata,
        ...(params.adjustForCentre ? { adjustForCentre: true } : {}),
        ...timeResolutionNote(params.timeResolution, res),
        scoreResolution: params.scoreResolution,
        scoreBins: s.bins!,
        pooled: {
          n: s.n,
          events: s.events,
          comparablePairs: pairs,
          ...withCi(pooled),
          uno: {
            concordance: uno.concordance,
            stdError: uno.stdError,
            ciLower: uno.ciLower,
            ciUpper: uno.ciUpper,
          },
          ...(aucs ? { timeDependentAuc: aucs } : {}),
        },
        ...(releasePerNodeBreakdown === true ? { perCentre } : {}),
        nodes: s.nodes,
      },
    };
  },
});
