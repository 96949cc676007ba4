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
    // Dice with 3 decimals, HD95 in mm with 1 (R: formatC(x, format = "f", digits = 3 or 1))
    expect(out).toMatch(/Dice\s+18\s+0\.833\s+0\.100\s+0\.825\s+0\.688 to 0\.963\s+<0\.7: 6/);
    expect(out).toMatch(/HD95 \(mm\)\s+18\s+1\.0\s+0\.1\s+0\.8\s+0\.7 to 1\.0\s+<5: 10–18/);
    expect(out).toMatch(/surface Dice @1 mm\s+18\s+0\.900\s+0\.100/);
  });

  it('never rounds a Dice below 1 to "1": 0.99962 reads 0.9996, an exact 1 reads 1.000', () => {
    const r = ValidateImagingResultSchema.parse({
      algorithm: 'validate-imaging',
      task: 'segmentation',
      model: { onnx: `sha256:${'0'.repeat(64)}` },
      cases: { processed: 18, excluded: [] },
      segmentation: {
        dice: { ...metric(0.99962, []), sd: 0.00041, median: 0.97349, q3: 1 },
        hd95: { ...metric(4.25, []), sd: 12.349 },
        surfaceDice: [],
        emptyPredictions: 0,
      },
      nodes: ['A', 'B', 'C'],
    });
    const out = formatValidateImaging(r);
    // R: formatC(0.99962, format = "f", digits = 3) is "1.000" (digits = 4: "0.9996"); 0.00041 at 3 is "0.000"
    expect(out).toMatch(/Dice\s+18\s+0\.9996\s+0\.0004\s+0\.973\s+0\.688 to 1\.000\s/);
    expect(out).toMatch(/HD95 \(mm\)\s+18\s+4\.2\s+12\.3\s/);
    expect(out).not.toMatch(/Dice\s+18\s+1\s/);
  });
});
