/** Axis domains whose ticks cover the data: the first tick at or below the smallest value, the last at or above. */
import { niceTicks } from './scale.js';

/** A domain and its ticks, the ticks spanning every value given. */
export interface CoveredAxis {
  domain: [number, number];
  ticks: number[];
}

function stepUp(ticks: number[], hi: number): number[] {
  const out = [...ticks];
  while ((out.at(-1) ?? Number.NEGATIVE_INFINITY) < hi) {
    const last = out.at(-1) as number;
    const prev = out.at(-2);
    out.push(last + (prev === undefined ? 1 : last - prev));
  }
  return out;
}

function stepDown(ticks: number[], lo: number): number[] {
  const out = [...ticks];
  while ((out[0] ?? Number.POSITIVE_INFINITY) > lo) {
    const first = out[0] as number;
    const next = out[1];
    out.unshift(first - (next === undefined ? 1 : next - first));
  }
  return out;
}

/** Log-axis ticks from round multiples (1-2-5, or 1-1.5-2-3-5-7 over narrow ranges) that bracket [lo, hi]. */
function logCover(lo: number, hi: number): number[] | null {
  const decades = Math.log10(hi / lo);
  if (decades < 0.5) return null;
  const mults = decades > 3 ? [1] : decades > 1.2 ? [1, 2, 5] : [1, 1.5, 2, 3, 5, 7];
  const all: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++)
    for (const m of mults) all.push(Number((m * 10 ** e).toPrecision(12)));
  const first = all.findLastIndex((v) => v <= lo);
  const last = all.findIndex((v) => v >= hi);
  return first < 0 || last < 0 ? null : all.slice(first, last + 1);
}

/**
 * Ticks for [lo, hi] extended by whole steps until the outermost ticks lie at or beyond the data, and the
 * domain set to them, so every confidence interval ends inside the labelled range. `log` needs lo > 0.
 *
 * @example
 * coveringAxis(0.012, 0.7, true) // ticks [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1], domain [0.01, 1]
 */
export function coveringAxis(lo: number, hi: number, log: boolean, count = 6): CoveredAxis {
  if (!Number.isFinite(lo) || !Number.isFinite(hi))
    return { domain: [log ? 0.1 : 0, log ? 10 : 1], ticks: [] };
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = log ? lo * 0.5 : Math.abs(lo) * 0.1 || 1;
    lo -= log ? lo * 0.5 : pad;
    hi += pad;
  }
  const logged = log ? logCover(lo, hi) : null;
  if (logged) return { domain: [logged[0] as number, logged.at(-1) as number], ticks: logged };
  // linear axes, and log axes narrower than half a decade, step in round linear increments
  let ticks = niceTicks(lo, hi, log ? 4 : count);
  if (ticks.length < 2) ticks = niceTicks(lo, hi, count * 2);
  ticks = stepDown(stepUp(ticks, hi), lo).map((v) => Number(v.toPrecision(12)));
  if (log && (ticks[0] as number) <= 0) ticks = ticks.filter((v) => v > 0);
  if (log && (ticks[0] as number) > lo)
    ticks.unshift(Number(lo.toPrecision(2)) <= lo ? Number(lo.toPrecision(2)) : lo);
  return { domain: [ticks[0] as number, ticks.at(-1) as number], ticks };
}
