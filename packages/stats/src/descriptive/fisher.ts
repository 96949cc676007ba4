import { logGamma } from '../distributions.js';
import { StatsError, StatsErrorCode } from '../errors.js';

/** Fisher's exact test (R fisher.test, two-sided). */
export interface FisherExactResult {
  readonly pValue: number;
  /** 2 x 2 only: the conditional maximum-likelihood odds ratio and its interval (R's estimate, conf.int). */
  readonly oddsRatio: number | null;
  readonly ciLower: number | null;
  readonly ciUpper: number | null;
  /** Number of tables with the observed margins that were enumerated. */
  readonly tables: number;
}

/** R's relative tolerance for "as or less probable than the observed table". */
const REL_ERR = 1 + 1e-7;

/**
 * Fisher's exact test of independence on an r x c table of counts (row-major), as R's fisher.test: the
 * two-sided p-value sums the probabilities of all tables with the observed margins that are no more
 * probable than the observed one (relative tolerance 1e-7). For 2 x 2 tables also the conditional MLE of
 * the odds ratio and its interval (R computes them with uniroot, to about 1e-4; here to 1e-12).
 * Larger tables are enumerated exhaustively; returns null when more than `maxTables` tables share the
 * margins (R's network algorithm would need a larger workspace too; use the chi-square test then).
 *
 * @example
 * fisherExact(Float64Array.from([3, 1, 1, 3]), 2, 2).pValue // 0.4857 (R: fisher.test(matrix(c(3,1,1,3),2)))
 */
export function fisherExact(
  table: Float64Array,
  nrow: number,
  ncol: number,
  confLevel = 0.95,
  maxTables = 20_000_000,
): FisherExactResult | null {
  if (table.length !== nrow * ncol || nrow < 2 || ncol < 2) {
    throw new StatsError(StatsErrorCode.DimensionMismatch, 'fisherExact: need an r x c table with r, c >= 2');
  }
  for (const v of table) {
    if (!(Number.isInteger(v) && v >= 0)) {
      throw new StatsError(
        StatsErrorCode.InvalidArgument,
        'fisherExact: counts must be non-negative integers',
      );
    }
  }
  if (nrow === 2 && ncol === 2) return fisher2x2(table, confLevel);
  const rows = new Int32Array(nrow);
  const cols = new Int32Array(ncol);
  let n = 0;
  for (let i = 0; i < nrow; i++)
    for (let j = 0; j < ncol; j++) {
      const v = table[i * ncol + j]!;
      rows[i]! += v;
      cols[j]! += v;
      n += v;
    }
  const lf = new Float64Array(n + 1);
  for (let k = 1; k <= n; k++) lf[k] = lf[k - 1]! + Math.log(k);
  let constant = -lf[n]!;
  for (const r of rows) constant += lf[r]!;
  for (const c of cols) constant += lf[c]!;
  let obs = 0;
  for (const v of table) obs -= lf[v]!;
  // a table's log-probability is constant + sum over cells of -log(t!); compare the sums
  const threshold = obs + Math.log(REL_ERR);
  const remaining = Int32Array.from(rows);
  let p = 0;
  let count = 0;
  let aborted = false;
  // fills column j from row i on; the last column is fixed by the remaining row totals
  const fill = (j: number, i: number, left: number, acc: number): void => {
    if (aborted) return;
    if (j === ncol - 1) {
      let s = acc;
      for (let r = 0; r < nrow; r++) s -= lf[remaining[r]!]!;
      count++;
      if (count > maxTables) {
        aborted = true;
        return;
      }
      if (s <= threshold) p += Math.exp(constant + s);
      return;
    }
    if (i === nrow - 1) {
      if (left > remaining[i]!) return;
      remaining[i]! -= left;
      fill(j + 1, 0, cols[j + 1]!, acc - lf[left]!);
      remaining[i]! += left;
      return;
    }
    // rows below i must absorb what row i does not take
    let below = 0;
    for (let r = i + 1; r < nrow; r++) below += remaining[r]!;
    const lo = Math.max(0, left - below);
    const hi = Math.min(left, remaining[i]!);
    for (let v = lo; v <= hi; v++) {
      remaining[i]! -= v;
      fill(j, i + 1, left - v, acc - lf[v]!);
      remaining[i]! += v;
    }
  };
  fill(0, 0, cols[0]!, 0);
  if (aborted) return null;
  return { pValue: Math.min(1, p), oddsRatio: null, ciLower: null, ciUpper: null, tables: count };
}

/** 2 x 2: R's fisher.test over the noncentral hypergeometric distribution of the [1,1] cell. */
function fisher2x2(t: Float64Array, confLevel: number): FisherExactResult {
  const x = t[0]!;
  const m = t[0]! + t[2]!; // first column
  const n = t[1]! + t[3]!; // second column
  const k = t[0]! + t[1]!; // first row
  const lo = Math.max(0, k - n);
  const hi = Math.min(k, m);
  const support: number[] = [];
  for (let v = lo; v <= hi; v++) support.push(v);
  const lchoose = (a: number, b: number) => logGamma(a + 1) - logGamma(b + 1) - logGamma(a - b + 1);
  const logdc = support.map((v) => lchoose(m, v) + lchoose(n, k - v) - lchoose(m + n, k));
  const dn = (ncp: number): number[] => {
    const d = logdc.map((l, i) => l + Math.log(ncp) * support[i]!);
    const mx = Math.max(...d);
    const e = d.map((v) => Math.exp(v - mx));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  const mean = (ncp: number): number => {
    if (ncp === 0) return lo;
    if (ncp === Number.POSITIVE_INFINITY) return hi;
    return dn(ncp).reduce((a, d, i) => a + d * support[i]!, 0);
  };
  const pn = (q: number, ncp: number, upper: boolean): number => {
    if (ncp === 1) {
      const d = logdc.map(Math.exp);
      return support.reduce((a, v, i) => a + ((upper ? v >= q : v <= q) ? d[i]! : 0), 0);
    }
    if (ncp === 0) return upper ? (q <= lo ? 1 : 0) : q >= lo ? 1 : 0;
    if (ncp === Number.POSITIVE_INFINITY) return upper ? (q <= hi ? 1 : 0) : q >= hi ? 1 : 0;
    const d = dn(ncp);
    return support.reduce((a, v, i) => a + ((upper ? v >= q : v <= q) ? d[i]! : 0), 0);
  };
  const d1 = logdc.map(Math.exp);
  const dObs = d1[x - lo]!;
  let p = 0;
  for (const d of d1) if (d <= dObs * REL_ERR) p += d;
  // roots on (0, 1) of a monotone function, by bisection to machine precision
  const root = (f: (u: number) => number, a: number, b: number): number => {
    let fa = f(a);
    for (let it = 0; it < 200 && b - a > 1e-15 * Math.max(1, Math.abs(a)); it++) {
      const c = (a + b) / 2;
      const fc = f(c);
      if (fc === 0) return c;
      if (Math.sign(fc) === Math.sign(fa)) {
        a = c;
        fa = fc;
      } else b = c;
    }
    return (a + b) / 2;
  };
  const EPS = 2.220446049250313e-16;
  let oddsRatio: number;
  if (x === lo) oddsRatio = 0;
  else if (x === hi) oddsRatio = Number.POSITIVE_INFINITY;
  else {
    const mu = mean(1);
    if (mu > x) oddsRatio = root((u) => mean(u) - x, 0, 1);
    else if (mu < x) oddsRatio = 1 / root((u) => mean(1 / u) - x, EPS, 1);
    else oddsRatio = 1;
  }
  const alpha = (1 - confLevel) / 2;
  const upperLimit = (): number => {
    if (x === hi) return Number.POSITIVE_INFINITY;
    const q = pn(x, 1, false);
    if (q < alpha) return root((u) => pn(x, u, false) - alpha, 0, 1);
    if (q > alpha) return 1 / root((u) => pn(x, 1 / u, false) - alpha, EPS, 1);
    return 1;
  };
  const lowerLimit = (): number => {
    if (x === lo) return 0;
    const q = pn(x, 1, true);
    if (q > alpha) return root((u) => pn(x, u, true) - alpha, 0, 1);
    if (q < alpha) return 1 / root((u) => pn(x, 1 / u, true) - alpha, EPS, 1);
    return 1;
  };
  return {
    pValue: Math.min(1, p),
    oddsRatio,
    ciLower: lowerLimit(),
    ciUpper: upperLimit(),
    tables: support.length,
  };
}
