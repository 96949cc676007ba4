import { ValidateImagingResultSchema } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { formatValidateImaging } from './format-validate-imaging.js';

const metric = (mean: number, below: Array<{ threshold: number; atLeast: number; atMost: number }>) => ({
  n: 18,
  mean,
  sd: 0.1,
  q1: 0.6875,
  median: 0.825,
  q3: 0.9625,
  below,
  intervals: [],
});

describe('validate-imaging in the terminal', () => {
  it('prints case counts with suppressed ones, and each metric with its quartiles and ranges under thresholds', () => {
    const r = ValidateImagingResultSchema.parse({
      algorithm: 'validate-imaging',
      task: 'segmentation',
      model: { onnx: `sha256:${'0'.repeat(64)}`, registered: 'gtv-seg@2' },
      cases: {
        processed: 18,
        excluded: [
          { reason: 'no-structure', count: 6 },
          { reason: 'unreadable-series', count: null },
        ],
      },
      segmentation: {
        dice: metric(0.8333, [{ threshold: 0.7, atLeast: 6, atMost: 6 }]),
        hd95: metric(1, [{ threshold: 5, atLeast: 10, atMost: 18 }]),
        surfaceDice: [{ tolerance: 1, metric: metric(0.9, []) }],
        emptyPredictions: 0,
      },
      nodes: ['A', 'B', 'C'],
    });
    const out = formatValidateImaging(r);
    expect(out).toContain('Validation of image model gtv-seg@2 (segmentation) over 3 centres');
    expect(out).toContain('Cases scored: 18; excluded: no-structure: 6, unreadable-series: <min. cell');
    expect(out).toMatch(/Dice\s+18\s+0\.8333\s+0\.1\s+0\.825\s+0\.6875 to 0\.9625\s+<0\.7: 6/);
    expect(out).toMatch(/HD95 \(mm\).*<5: 10–18/);
    expect(out).toContain('surface Dice @1 mm');
  });
});
