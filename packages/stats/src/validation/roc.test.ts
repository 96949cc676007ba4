import { describe, expect, it } from 'vitest';
import { sumPartials } from '../partial.js';
import { readCohortNodes, readFixtureJson } from '../test-support.js';
import { aucLocalPartial } from './auc.js';
import { rocFromHistograms } from './roc.js';

const fx = readFixtureJson<{ thresholds: unknown[]; sensitivities: number[]; specificities: number[] }>(
  'roc.json',
);
const nodes = readCohortNodes().map((c) => ({ y: c.numeric['toxicity']!, p: c.numeric['score']! }));
const grid = { min: 0, width: 0.001, bins: 1001 };
const pooled = sumPartials(nodes.map((d) => aucLocalPartial(d.y, d.p, grid)));

describe('ROC curve from the pooled score histograms', () => {
  it("equals pROC's sensitivities and specificities at every threshold", () => {
    const ours = rocFromHistograms(pooled, grid).reverse();
    expect(ours).toHaveLength(fx.sensitivities.length);
    ours.forEach((p, i) => {
      expect(p.tpr).toBeCloseTo(fx.sensitivities[i]!, 14);
      expect(p.fpr).toBeCloseTo(1 - fx.specificities[i]!, 14);
    });
  });

  it('merged for release: every step covers at least minStep patients, on the exact curve', () => {
    const exact = rocFromHistograms(pooled, grid);
    const key = (p: { tpr: number; fpr: number }) => `${p.tpr},${p.fpr}`;
    const onCurve = new Set(exact.map(key));
    const nPos = pooled.subarray(grid.bins).reduce((a, b) => a + b, 0);
    const nNeg = pooled.subarray(0, grid.bins).reduce((a, b) => a + b, 0);
    for (const minStep of [5, 10, 37]) {
      const merged = rocFromHistograms(pooled, grid, minStep);
      expect(merged[0]).toMatchObject({ tpr: 0, fpr: 0 });
      expect(merged.at(-1)).toMatchObject({ tpr: 1, fpr: 1 });
      expect(merged.length).toBeLessThan(exact.length);
      for (let i = 1; i < merged.length; i++) {
        const patients =
          Math.round((merged[i]!.tpr - merged[i - 1]!.tpr) * nPos) +
          Math.round((merged[i]!.fpr - merged[i - 1]!.fpr) * nNeg);
        expect(patients).toBeGreaterThanOrEqual(minStep);
        expect(onCurve.has(key(merged[i]!))).toBe(true);
      }
    }
  });

  it('refuses a histogram of the wrong length or with one class only', () => {
    expect(() => rocFromHistograms(new Float64Array(3), grid)).toThrow(/length 3/);
    const onlyNeg = new Float64Array(2 * grid.bins);
    onlyNeg[10] = 5;
    expect(() => rocFromHistograms(onlyNeg, grid)).toThrow(/positives and negatives/);
  });
});
