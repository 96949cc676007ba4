/**
 * `quantiles`: federated quantiles (R type 7, e.g. the median and quartiles) of a numeric column by
 * distributed bisection on counts: every round each node returns, for a few cut points, how many of its
 * values lie at or below each cut (secure-aggregated, so the hub sees only totals); the aggregator halves
 * each interval until the order statistics are pinned to 1e-10 of the range, then interpolates as R does.
 * No minimum, maximum or near-extreme order statistic is released; the search range comes from the data
 * dictionary (min/max) or, when it declares none, from a masked round (masked-range.ts): each node marks
 * the public log-scale grid cells where its lower and upper tails of at least the minimum cell count end,
 * and the hub keeps the span of the marked cells. Order statistics beyond that span (in the tails) are reached
 * by widening the search interval until the counts bracket them, so the result stays exact.
 * Precision comes from the dictionary too: each quantile is released rounded to the column's release
 * resolution, and only when the records within that rounding interval are 0 or at least the minimum cell
 * count (a last round counts them); otherwise that quantile is withheld (a median that falls on one
 * patient's value would give it away).
 */
import { FedhubError, type Json, QuantilesResultSchema } from '@fedhub/protocol';
import { countAtMostLocalPartial, orderStatisticCi } from '@fedhub/stats';
import { z } from 'zod';
import { ADDITIVE_FIELD, sumAdditive } from '../additive.js';
import { columnParam, DatasetParam, examples, FilterParam } from '../common-params.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { pooledSpan, rangeTails } from '../masked-range.js';
import { releaseResolution, roundToResolution } from '../precision.js';
import { type DatasetHandle, type LocalContext, release } from '../types.js';

export const QuantilesParamsSchema = z.strictObject({
  dataset: DatasetParam,
  column: columnParam('numeric', 'Numeric column', 'dose_gy'),
  probs: z
    .array(z.number().gt(0).lt(1))
    .min(1)
    .max(20)
    .default([0.25, 0.5, 0.75])
    .describe('Probabilities strictly between 0 and 1 (no minimum or maximum is released)')
    .meta(examples([0.25, 0.5, 0.75], [0.1, 0.5, 0.9])),
  ci: z
    .boolean()
    .default(false)
    .describe(
      'Also a distribution-free confidence interval of each quantile from order statistics (binomial method; DescTools::MedianCI exact for the median); its ends are released as the quantiles are, rounded and only where enough records lie near them',
    )
    .meta(examples(true)),
  confLevel: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.95)
    .describe('Confidence level of the intervals')
    .meta(examples(0.95)),
  filter: FilterParam,
});
export type QuantilesParams = z.infer<typeof QuantilesParamsSchema>;

const REL_TOL = 1e-10;

async function sortedColumn(ctx: LocalContext, ds: DatasetHandle, p: QuantilesParams): Promise<Float64Array> {
  const hit = ctx.cache.get('quantiles') as Float64Array | undefined;
  if (hit) return hit;
  const t = ds.column(p.column).type;
  if (t !== 'numeric' && t !== 'integer')
    throw new FedhubError('FH_ERR_COLUMN_TYPE', `column "${p.column}" is ${t}, not numeric`, {
      column: p.column,
    });
  const { data } = await ds.readColumns([p.column], p.filter);
  const x = Float64Array.from(data[p.column] as Float64Array).sort();
  ctx.cache.set('quantiles', x);
  return x;
}

interface Order {
  k: number;
  lo: number;
  hi: number;
  /**
   * Set while the search interval is not yet known to hold the order statistic (a range from the data:
   * the tails beyond the pooled span may hold it): both ends are counted, and the interval is moved
   * outwards by `step` (doubling) until count(<= lo) < k <= count(<= hi).
   */
  bracket?: { step: number };
}
interface State {
  n: number;
  resolution: number;
  minCell: number;
  /** Set for the last round: the values to release, whose rounding intervals the nodes counted. */
  released?: number[];
  plan: Array<{ lo: number; hi: number; h: number }>;
  orders: Order[];
  tol: number;
  rounds: number;
  /**
   * With ci: per probability, the order statistics of the interval's ends (null: unbounded, or withheld as
   * too close to the minimum or maximum, with the reason) and the interval's coverage.
   */
  ciPlan?: Array<{
    lower: number | null;
    upper: number | null;
    lowerWithheld?: string;
    upperWithheld?: string;
    coverage: number;
  }>;
  /** Set for the last round with ci: the released interval ends, in the order of the check after the quantiles. */
  releasedCi?: Array<{ i: number; end: 'lower' | 'upper'; value: number }>;
}

/** The ends of each probability's interval: their order statistics, or why an end is not searched. */
function ciPlanOf(n: number, probs: readonly number[], level: number, minCell: number): State['ciPlan'] {
  return probs.map((p) => {
    const ci = orderStatisticCi(n, p, level);
    const end = (k: number | null) =>
      k === null
        ? { k: null, withheld: 'unbounded: too few records for this level' }
        : k < minCell || k > n - minCell + 1
          ? { k: null, withheld: 'FH_ERR_SMALL_CELL' }
          : { k };
    const lo = end(ci.lower);
    const hi = end(ci.upper);
    return {
      lower: lo.k,
      upper: hi.k,
      ...(lo.withheld ? { lowerWithheld: lo.withheld } : {}),
      ...(hi.withheld ? { upperWithheld: hi.withheld } : {}),
      coverage: ci.coverage,
    };
  });
}

function type7(n: number, p: number) {
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  return { lo: lo + 1, hi: Math.min(n, lo + 2), h: h - lo };
}

/** The cut points of the next round: both ends of an order being bracketed, else its interval's midpoint. */
function nextCuts(orders: Order[], tol: number): number[] {
  return orders.flatMap((o) => (o.bracket ? [o.lo, o.hi] : [o.hi - o.lo > tol ? (o.lo + o.hi) / 2 : o.hi]));
}

/** The orders after a round's counts at {@link nextCuts}. */
function stepOrders(orders: Order[], tol: number, sum: ArrayLike<number>): Order[] {
  const cuts = nextCuts(orders, tol);
  let at = 0;
  return orders.map((o) => {
    if (o.bracket) {
      const [below, upTo] = [sum[at]!, sum[at + 1]!];
      at += 2;
      const step = o.bracket.step;
      if (below >= o.k) return { ...o, lo: o.lo - step, hi: o.lo, bracket: { step: 2 * step } };
      if (upTo < o.k) return { ...o, lo: o.hi, hi: o.hi + step, bracket: { step: 2 * step } };
      return { k: o.k, lo: o.lo, hi: o.hi };
    }
    const cut = cuts[at]!;
    const count = sum[at]!;
    at += 1;
    if (o.hi - o.lo <= tol) return o;
    return count >= o.k ? { ...o, hi: cut } : { ...o, lo: cut };
  });
}

export const quantiles = defineAlgorithm<QuantilesParams>({
  name: 'quantiles',
  // 1.1.0: values released on the dictionary's resolution, withheld where few records lie near them
  // 1.2.0: ci: order-statistic confidence intervals, their ends released by the same rule
  // 1.3.0: without a declared min/max, the search range from a masked round of tails of at least the
  // minimum cell count on a public log-scale grid (no node's extremes leave it), widened where needed
  version: '1.3.0',
  title: 'Quantiles',
  description:
    'Median, quartiles or any type-7 quantiles by distributed bisection on secure-aggregated counts; equals R quantile() to 1e-10 of the range.',
  paramsSchema: QuantilesParamsSchema,
  resultSchema: QuantilesResultSchema,
  releases: {
    pooled:
      'without a declared min/max, per node the public log-scale grid cells (ten a decade) in which the lower and the upper tail of at least the minimum cell count of its values end, marked in a masked vector (secure-aggregated: per cell, how many nodes marked it; no count, no extreme value); per round, how many values lie at or below a few cut points (secure-aggregated: the hub sees only totals); no minimum, maximum or extreme order statistic; each released value (a quantile or, with ci, an interval end) rounded to the dictionary resolution and released only where the records within its rounding interval are 0 or at least the minimum cell count',
    perNode: null,
  },
  variables: (p) => ({ dataset: p.dataset, columns: [p.column] }),
  firstInput: () => ({ cuts: null }),
  async local(ctx, params, input) {
    const ds = await ctx.dataset(params.dataset);
    const x = await sortedColumn(ctx, ds, params);
    const check = (input as { check?: Array<[number, number]> }).check;
    if (check) {
      // records within each released value's rounding interval [lo, hi)
      const counts = check.map(([lo, hi]) => {
        let c = 0;
        for (const v of x) if (v >= lo && v < hi) c++;
        return c;
      });
      return release({ [ADDITIVE_FIELD]: counts } as Json, { subsetSize: x.length, cells: [] });
    }
    const cuts = (input as { cuts: number[] | null }).cuts;
    if (cuts === null) {
      const spec = ds.column(params.column);
      const declaredRange = spec.min !== undefined && spec.max !== undefined ? [spec.min, spec.max] : null;
      // no declared range: the node's tails of at least the minimum cell count on the public grid (masked
      // with n), never its extremes
      const tails = declaredRange ? null : rangeTails(x, ctx.policy.minCellCount, `"${params.column}"`);
      return release(
        {
          [ADDITIVE_FIELD]: [x.length, ...(tails?.vector ?? [])],
          declaredRange,
          minCellCount: ctx.policy.minCellCount,
          resolution: releaseResolution(spec),
        } as Json,
        { subsetSize: x.length, cells: tails?.cells ?? [], additiveLayout: 'declared' },
      );
    }
    return release(
      {
        [ADDITIVE_FIELD]: Array.from(countAtMostLocalPartial(x, Float64Array.from(cuts), true)),
      } as Json,
      { subsetSize: x.length, cells: [] },
    );
  },
  aggregate({ params, round, state, parts }) {
    const sum = sumAdditive(parts);
    if (round === 1) {
      const n = sum[0]!;
      if (n < 1) throw new FedhubError('FH_ERR_SMALL_SUBSET', 'no records selected');
      const plan = params.probs.map((p) => type7(n, p));
      // an order statistic near either end is one patient's value: each needs minCellCount records beyond it
      const minCell = Math.max(...parts.map((p) => (p.payload as { minCellCount: number }).minCellCount));
      const declared = parts.map(
        (p) => (p.payload as { declaredRange?: [number, number] | null }).declaredRange,
      );
      if (declared.some((d) => JSON.stringify(d) !== JSON.stringify(declared[0])))
        throw new FedhubError(
          'FH_ERR_ALGORITHM_FAILED',
          `the nodes' dictionaries declare different ranges for "${params.column}"`,
        );
      let lo: number;
      let hi: number;
      if (declared[0]) [lo, hi] = declared[0];
      else {
        // the span of the public grid cells some node's tail ends in
        const span = pooledSpan(sum.subarray(1));
        if (!span) throw new FedhubError('FH_ERR_SMALL_SUBSET', 'no records selected');
        ({ lo, hi } = span);
      }
      const ciPlan = params.ci ? ciPlanOf(n, params.probs, params.confLevel, minCell) : undefined;
      const mainKs = plan.flatMap((q) => [q.lo, q.hi]);
      const ciKs = (ciPlan ?? []).flatMap((c) => [c.lower, c.upper]).filter((k) => k !== null);
      const ks = [...new Set([...mainKs, ...ciKs])].sort((a, b) => a - b);
      const extreme = [...new Set(mainKs)].filter((k) => k < minCell || k > n - minCell + 1);
      if (extreme.length > 0)
        throw new FedhubError(
          'FH_ERR_SMALL_CELL',
          `quantiles so close to the minimum or maximum would release single patients' values: each needs at least ${minCell} of the ${n} records beyond it`,
          { probs: params.probs, minimum: minCell },
        );
      // search (lo - 1, hi]: the minimum may equal lo
      const width = Math.max(hi - lo, 1e-300);
      // a range from the data may leave the order statistic in a tail beyond it: bracketed first
      const bracket = declared[0]
        ? {}
        : { bracket: { step: Math.max(width, Math.abs(lo), Math.abs(hi), 1) } };
      const orders: Order[] = ks.map((k) => ({ k, lo: lo - width * 1e-9 - Number.EPSILON, hi, ...bracket }));
      const resolution = Math.max(
        ...parts.map((p) => (p.payload as { resolution?: number }).resolution ?? 0),
      );
      const s: State = {
        n,
        plan,
        orders,
        tol: width * REL_TOL,
        rounds: 0,
        resolution,
        minCell,
        ...(ciPlan ? { ciPlan } : {}),
      };
      return {
        kind: 'next-round',
        input: { cuts: nextCuts(orders, s.tol) } as Json,
        state: s as unknown as Json,
      };
    }
    const s = state as unknown as State;
    if (s.released) {
      // the pooled count within each released value's rounding interval: 0 or >= the minimum cell count
      const released = s.released;
      const passes = (c: number) => c === 0 || c >= s.minCell;
      const ciOf = (i: number) => {
        const plan = s.ciPlan![i]!;
        const end = (which: 'lower' | 'upper') => {
          const at = (s.releasedCi ?? []).findIndex((e) => e.i === i && e.end === which);
          if (at < 0) return { value: null, withheld: plan[`${which}Withheld`] ?? null };
          return passes(sum[released.length + at]!)
            ? { value: s.releasedCi![at]!.value, withheld: null }
            : { value: null, withheld: 'FH_ERR_SMALL_CELL' };
        };
        const lo = end('lower');
        const hi = end('upper');
        return {
          ciLower: lo.value,
          ciUpper: hi.value,
          ciCoverage: plan.coverage,
          ...(lo.withheld ? { ciLowerWithheld: lo.withheld } : {}),
          ...(hi.withheld ? { ciUpperWithheld: hi.withheld } : {}),
        };
      };
      return {
        kind: 'done',
        result: {
          algorithm: 'quantiles',
          column: params.column,
          type: 7,
          n: s.n,
          resolution: s.resolution,
          quantiles: params.probs.map((p, i) => {
            const c = sum[i]!;
            const ci = s.ciPlan ? ciOf(i) : {};
            return c === 0 || c >= s.minCell
              ? { prob: p, value: released[i]!, ...ci }
              : { prob: p, value: null, withheld: 'FH_ERR_SMALL_CELL', ...ci };
          }),
          ...(s.ciPlan
            ? {
                ci: {
                  level: params.confLevel,
                  method:
                    'order statistics, binomial (Conover 1999, 3.2; DescTools::MedianCI exact for the median)',
                },
              }
            : {}),
          tolerance: s.tol,
          rounds: round,
          nodes: parts.map((p) => p.nodeName),
        } as Json,
      };
    }
    const orders = stepOrders(s.orders, s.tol, sum);
    if (orders.some((o) => o.bracket || o.hi - o.lo > s.tol)) {
      if (s.rounds > 200)
        throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'quantile bisection did not converge');
      return {
        kind: 'next-round',
        input: { cuts: nextCuts(orders, s.tol) } as Json,
        state: { ...s, orders, rounds: s.rounds + 1 } as unknown as Json,
      };
    }
    const at = (k: number) => orders.find((o) => o.k === k)!.hi;
    const values = s.plan.map((q) =>
      q.h > 0 && at(q.lo) !== at(q.hi) ? (1 - q.h) * at(q.lo) + q.h * at(q.hi) : at(q.lo),
    );
    // released on the dictionary's resolution, after one more round counts the records near each value
    const r = Math.max(s.resolution, 0);
    const rounded = (v: number) => (r > 0 ? roundToResolution(v, r) : v);
    const released = values.map(rounded);
    // the intervals' ends are order statistics, single records' values: released by the same rule
    const releasedCi = (s.ciPlan ?? []).flatMap((c, i) =>
      (['lower', 'upper'] as const).flatMap((end) =>
        c[end] === null ? [] : [{ i, end, value: rounded(at(c[end]!)) }],
      ),
    );
    const half = r > 0 ? r / 2 : s.tol;
    return {
      kind: 'next-round',
      input: {
        check: [...released, ...releasedCi.map((e) => e.value)].map((v) => [v - half, v + half]),
      } as unknown as Json,
      state: { ...s, orders, released, ...(s.ciPlan ? { releasedCi } : {}) } as unknown as Json,
    };
  },
});
