/**
 * Pointwise 95% confidence bands for the validation curves, from released numbers only (pure).
 *
 * ROC: at each released threshold the sensitivity is TP / P with P the released number of events, so its
 * Wilson interval (R's `prop.test(TP, P, correct = FALSE)`) is computed from the released point and P;
 * the band joins the intervals of successive thresholds (vertical, pointwise: not a simultaneous band).
 */
import { wilsonInterval } from './binomial-ci.js';

/** A point of a band: at `x`, the interval [lower, upper]. */
export interface BandPoint {
  x: number;
  lower: number;
  upper: number;
}

/** The sensitivity's pointwise 95% Wilson band along an ROC curve with `events` positives. */
export function rocSensitivityBand(
  points: ReadonlyArray<{ tpr: number; fpr: number }>,
  events: number,
): BandPoint[] {
  const out: BandPoint[] = [];
  for (const p of points) {
    // TP is a whole count: tpr * events up to floating-point error
    const ci = wilsonInterval(Math.round(p.tpr * events), events);
    if (ci) out.push({ x: p.fpr, lower: ci[0], upper: ci[1] });
  }
  return out;
}

/** SVG path of a band: along the upper bounds, back along the lower ones, closed. */
export function bandPath(
  band: readonly BandPoint[],
  x: (v: number) => number,
  y: (v: number) => number,
): string {
  if (band.length === 0) return '';
  const up = band.map((b, i) => `${i === 0 ? 'M' : 'L'}${x(b.x).toFixed(2)},${y(b.upper).toFixed(2)}`);
  const down = [...band].reverse().map((b) => `L${x(b.x).toFixed(2)},${y(b.lower).toFixed(2)}`);
  return `${up.join('')}${down.join('')}Z`;
}
