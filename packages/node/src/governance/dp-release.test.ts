/**
 * The private releases of `summary` and `crosstab` payloads: the noise is unbiased with the standard
 * deviation the description states, epsilon is split over the statistics, every declared cell is noised,
 * and empty columns stay finite.
 */
import type { ColumnSpec, Json } from '@fedhub/protocol';
import { COHORT_DICTIONARY } from '@fedhub/testkit';
import { describe, expect, it } from 'vitest';
import { UniformSource } from './dp-mechanism.js';
import { type NoiseDescription, privatizeRelease, supportsDp } from './dp-release.js';

const column = (name: string): ColumnSpec => COHORT_DICTIONARY.find((c) => c.name === name)!;
const uniform = new UniformSource();
// age in [18, 100]: n 200, mean 60, M2 = 199 * 12^2
const SUMMARY = {
  columns: [{ column: 'age', n: 200, missing: 3, mean: 60, m2: 199 * 144 }],
} as unknown as Json;

describe('private summary', () => {
  it('noises n, sum and sum of squares without bias, with the standard deviation it states', () => {
    const draws = 4000;
    let sumN = 0;
    let sumTotal = 0;
    let sqTotal = 0;
    let privacy: NoiseDescription | undefined;
    for (let i = 0; i < draws; i++) {
      const out = privatizeRelease('summary', SUMMARY, {
        spec: { mechanism: 'discrete-gaussian', epsilon: 2, delta: 1e-6 },
        params: {},
        column,
        uniform,
      }) as unknown as { columns: Array<{ n: number; mean: number }>; privacy: NoiseDescription };
      const c = out.columns[0]!;
      sumN += c.n;
      const total = c.n * c.mean;
      sumTotal += total;
      sqTotal += total * total;
      privacy = out.privacy;
    }
    expect(privacy!.components.map((x) => [x.statistic, x.sensitivity, x.epsilon, x.delta])).toEqual([
      ['n and missing of "age"', 1, 2 / 3, 1e-6 / 3],
      ['sum of "age"', 1001, 2 / 3, 1e-6 / 3],
      ['sum of squares of "age"', 1001, 2 / 3, 1e-6 / 3],
    ]);
    const [nNoise, sumNoise] = privacy!.components;
    expect(Math.abs(sumN / draws - 200)).toBeLessThan((5 * nNoise!.sd) / Math.sqrt(draws));
    // the mean is recomputed from the noisy sum and noisy n; their product is the noisy sum itself
    const meanTotal = sumTotal / draws;
    expect(Math.abs(meanTotal - 12_000)).toBeLessThan((5 * sumNoise!.sd) / Math.sqrt(draws));
    const sd = Math.sqrt(sqTotal / draws - meanTotal ** 2);
    expect(sd / sumNoise!.sd).toBeGreaterThan(0.9);
    expect(sd / sumNoise!.sd).toBeLessThan(1.1);
  });

  it('keeps an empty column finite', () => {
    const out = privatizeRelease(
      'summary',
      { columns: [{ column: 'age', n: 0, missing: 0, mean: Number.NaN, m2: 0 }] } as unknown as Json,
      { spec: { mechanism: 'laplace', epsilon: 1, delta: 0 }, params: {}, column, uniform },
    ) as unknown as { columns: Array<{ n: number; mean: number; m2: number }> };
    const c = out.columns[0]!;
    expect([c.n, c.mean, c.m2].every(Number.isFinite)).toBe(true);
    expect(c.n).toBeGreaterThanOrEqual(0);
  });
});

describe('private crosstab', () => {
  it('noises every declared cell, empty ones included (nearly exact at a very large epsilon)', () => {
    const exact = [
      { row: 'F', col: 'I', n: 12 },
      { row: 'M', col: 'III', n: 30 },
    ];
    const out = privatizeRelease('crosstab', { cells: exact } as unknown as Json, {
      spec: { mechanism: 'laplace', epsilon: 60, delta: 0 },
      params: { rows: 'sex', cols: 'stage' },
      column,
      uniform,
    }) as unknown as { cells: typeof exact; privacy: NoiseDescription };
    expect(out.cells).toEqual(exact);
    expect(out.privacy.components).toHaveLength(1);
    expect(out.privacy.components[0]!.sd).toBeLessThan(1e-6);
    // at epsilon 0.5, the 15 cells (2 sexes and 4 stages, each with missing) mostly come out non-zero
    let nonEmpty = 0;
    for (let i = 0; i < 50; i++)
      nonEmpty += (
        privatizeRelease('crosstab', { cells: exact } as unknown as Json, {
          spec: { mechanism: 'laplace', epsilon: 0.5, delta: 0 },
          params: { rows: 'sex', cols: 'stage' },
          column,
          uniform,
        }) as unknown as { cells: unknown[] }
      ).cells.length;
    // P(noisy empty cell > 0) = p / (1 + p) with p = exp(-0.5): 0.38 of 13 empty cells, plus the 2 full ones
    expect(nonEmpty / 50).toBeGreaterThan(5);
  });

  it('is offered for summary and crosstab only', () => {
    expect(['summary', 'crosstab', 'glm', 'ping'].map(supportsDp)).toEqual([true, true, false, false]);
  });
});
