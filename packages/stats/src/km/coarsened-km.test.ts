import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFixtureJson } from '../test-support.js';
import { coarsenedKaplanMeier } from './coarsened-km.js';
import { kaplanMeier } from './kaplan-meier.js';

/** R's survfit(Surv(months, dead) ~ stage) on the raw pooled times (scripts/make-km-stage-fixture.R). */
const ref = readFixtureJson<{
  strata: string[];
  time: number[];
  surv: number[];
  levels: string[];
  median: (number | null)[];
  medianCoarsened: (number | null)[];
}>('km-stage.json');
const rows = readFileSync(new URL('../../fixtures/km-stage-cohort.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(','));

/** Pooled counts of one stage on the month grid (times coarsened up to whole months, as the node does). */
function stageCounts(stage: string) {
  const K = 121;
  const events = new Float64Array(K);
  const censored = new Float64Array(K);
  for (const r of rows) {
    if (r[1] !== stage) continue;
    const k = Math.ceil(Number(r[2]));
    if (r[3] === '1') events[k]! += 1;
    else censored[k]! += 1;
  }
  return { grid: Float64Array.from({ length: K }, (_, k) => k), events, censored };
}

/** R's pooled Kaplan-Meier of `stage` at time t (right-continuous step function). */
function rSurvAt(stage: string, t: number): number {
  let s = 1;
  ref.strata.forEach((st, i) => {
    if (st === stage && ref.time[i]! <= t) s = ref.surv[i]!;
  });
  return s;
}

describe('Kaplan-Meier under a minimum cell count never moves the curve (1,200 patients, 3 centres, by stage)', () => {
  it('with minCount 1 it is survfit on the grid', () => {
    const { grid, events, censored } = stageCounts('III');
    const c = coarsenedKaplanMeier(grid, events, censored, 1);
    const exact = kaplanMeier(grid, {
      events,
      censored,
      atRisk: Float64Array.from(grid, (_, k) => {
        let a = 0;
        for (let j = k; j < grid.length; j++) a += events[j]! + censored[j]!;
        return a;
      }),
    });
    expect(c.mergedTimes).toBe(0);
    const atEvents = [...exact.time.keys()].filter((i) => exact.nEvent[i]! > 0);
    expect([...c.time]).toEqual(atEvents.map((i) => exact.time[i]));
    expect([...c.nRisk]).toEqual(atEvents.map((i) => exact.nRisk[i]));
    expect([...c.surv]).toEqual(atEvents.map((i) => exact.surv[i]));
    expect([...c.stdErrLogSurv]).toEqual(atEvents.map((i) => exact.stdErrLogSurv[i]));
    expect(c.median).toBe(exact.median);
    expect(c.median).toBe(ref.medianCoarsened[2]);
    // the median's CI as survfit's: the lower band's crossing, then the upper band's
    expect(c.medianLower).toBe(exact.medianLower);
    expect(c.medianUpper).toBe(exact.medianUpper);
    expect(c.medianLower).toBeLessThanOrEqual(c.median);
  });
  for (const minCount of [5, 10]) {
    it(`minCount ${minCount}: every released S(t) within 0.03 of R's pooled curve, medians within 3 months`, () => {
      let worst = 0;
      let worstAt = '';
      ref.levels.forEach((stage, g) => {
        const { grid, events, censored } = stageCounts(stage);
        const c = coarsenedKaplanMeier(grid, events, censored, minCount);
        expect(c.mergedTimes).toBeGreaterThan(0);
        for (let j = 0; j < c.time.length; j++) {
          expect(c.nEvent[j] === 0 || c.nEvent[j]! >= minCount).toBe(true);
          const diff = Math.abs(c.surv[j]! - rSurvAt(stage, c.time[j]!));
          if (diff > worst) worstAt = `${stage} t=${c.time[j]} diff ${diff.toFixed(4)} nRisk ${c.nRisk[j]}`;
          worst = Math.max(worst, diff);
        }
        const rMedian = ref.median[g];
        if (rMedian === undefined) throw new Error(`no R median for group ${g}`);
        if (rMedian === null) {
          expect(Number.isNaN(c.median) && c.medianInterval === null).toBe(true);
        } else {
          if (c.medianInterval) {
            const [a, b] = c.medianInterval;
            expect(rMedian).toBeGreaterThan(a - 1); // times are coarsened up to whole months
            expect(rMedian).toBeLessThanOrEqual(b);
          }
          expect(Math.abs(c.median - rMedian)).toBeLessThan(3);
          // the released CI contains the released median (lower bound first)
          expect(c.medianLower).toBeLessThanOrEqual(c.median);
          if (!Number.isNaN(c.medianUpper)) expect(c.medianUpper).toBeGreaterThanOrEqual(c.median);
        }
        for (let j = 0; j < c.censorings.count.length; j++)
          expect(c.censorings.count[j]).toBeGreaterThanOrEqual(minCount);
      });
      expect(worst, worstAt).toBeLessThan(0.03);
    });
  }
});
