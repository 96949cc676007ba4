/**
 * Wording of a Kaplan–Meier result released under a minimum cell count: survival inside a merged interval
 * is given as the interval's range (it is not released), a median inside one as that interval, and what
 * was coarsened is said.
 */
import { num } from './output.js';

interface KmCurveView {
  time: number[];
  surv: number[];
  median: number | null;
  start?: number[];
  coarsened?: boolean[];
  medianInterval?: [number, number] | null;
}

/** S(t) as released: the value at t, or "a–b" when t falls inside a merged interval. */
export function kmSurvivalAt(c: KmCurveView, t: number): string {
  let s = 1;
  for (let k = 0; k < c.time.length; k++) {
    if (c.time[k]! <= t) {
      s = c.surv[k]!;
      continue;
    }
    if (c.coarsened?.[k] && (c.start?.[k] ?? 0) < t) return `${num(s, 3)}–${num(c.surv[k]!, 3)}`;
    break;
  }
  return num(s, 3);
}

/**
 * A group's size: its released events plus its released censoring counts. Not the first number at risk,
 * which leaves out the censorings before the first event time (fractional where they were spread over a
 * merged interval), nor the per-interval `nCensor` sums, which leave out those after the last event time.
 * Rounded where float error alone keeps the sum from a whole number.
 */
export function kmGroupSize(c: {
  nEvent: readonly number[];
  nCensor: readonly number[];
  censorings?: { count: readonly number[] };
}): string {
  let n = 0;
  for (const d of c.nEvent) n += d;
  for (const m of c.censorings?.count ?? c.nCensor) n += m;
  const whole = Math.round(n);
  return Math.abs(n - whole) < 1e-6 ? String(whole) : n.toFixed(1);
}

/** The median: a time, "not reached", or "about m, in (a, b]" when it falls in a merged interval. */
export function formatKmMedian(c: KmCurveView): string {
  if (c.median === null) return 'not reached';
  if (c.medianInterval) return `~${num(c.median, 4)} in (${c.medianInterval[0]}, ${c.medianInterval[1]}]`;
  return num(c.median, 6);
}

/** Lines saying how times were binned and which curves were coarsened to pass the minimum cell count. */
export function formatKmCoarsening(r: {
  curves: Array<{ group: string; coarsened?: boolean[] }>;
  mergedBins: number;
  minCellCount: number;
  timeResolution?: number;
  timeResolutionBasis?: string;
}): string[] {
  const out: string[] = [];
  if (r.timeResolution !== undefined)
    out.push(
      `Times rounded up to multiples of ${r.timeResolution} (timeResolution${r.timeResolutionBasis?.startsWith('default') ? `; ${r.timeResolutionBasis}` : ''}) at every node.`,
    );
  if (r.mergedBins > 0) {
    const coarse = r.curves.filter((c) => c.coarsened?.some((b) => b)).map((c) => c.group);
    out.push(
      `Coarsened so that every released count is 0 or at least ${r.minCellCount}: ${r.mergedBins} distinct times merged into intervals` +
        (coarse.length ? ` (curves ${coarse.join(', ')})` : '') +
        '; survival is released at the end of each merged interval, a range is shown inside one.',
    );
  }
  return out;
}
