import { describe, expect, it } from 'vitest';
import { netBenefitCurve } from './net-benefit.js';

// scores on a 0.1 grid (bins 0..10); negatives first, then positives
const grid = { min: 0, width: 0.1, bins: 11 };
function hist(neg: Record<number, number>, pos: Record<number, number>): Float64Array {
  const h = new Float64Array(22);
  for (const [b, c] of Object.entries(neg)) h[Number(b)] = c;
  for (const [b, c] of Object.entries(pos)) h[11 + Number(b)] = c;
  return h;
}

describe('netBenefitCurve', () => {
  it('equals TP/n - FP/n * t/(1-t), treating p >= t, counted by hand', () => {
    // 40 negatives at 0.1, 20 at 0.5; 10 positives at 0.3, 30 at 0.8: n = 100, prevalence 0.4
    const h = hist({ 1: 40, 5: 20 }, { 3: 10, 8: 30 });
    const [a, b] = netBenefitCurve(h, grid, [0.2, 0.5], 10);
    // t = 0.2: treated = 10 + 20 + 30 (tp 40, fp 20)
    expect(a!.netBenefit).toBeCloseTo(40 / 100 - (20 / 100) * (0.2 / 0.8), 14);
    expect(a!.treatAll).toBeCloseTo(0.4 - 0.6 * 0.25, 14);
    // t = 0.5 (a grid point, p >= t): tp 30, fp 20
    expect(b!.netBenefit).toBeCloseTo(30 / 100 - (20 / 100) * 1, 14);
  });

  it('suppresses thresholds that fewer than minStep patients separate', () => {
    const h = hist({ 1: 40, 5: 20 }, { 3: 10, 4: 3, 8: 30 });
    const curve = netBenefitCurve(h, grid, [0.05, 0.2, 0.35, 0.45, 0.55, 0.95], 10);
    // n = 103. 0.05: everyone treated (nobody below) -> null; 0.2: 63 treated, 40 below -> shown;
    // 0.35: 53 treated, 10 fewer -> shown; 0.45: 50, only 3 fewer than at 0.35 -> null;
    // 0.55: 30, 23 fewer than at 0.35 -> shown; 0.95: nobody treated -> null
    expect(curve.map((c) => c.netBenefit !== null)).toEqual([false, true, true, false, true, false]);
  });
});
