import { describe, expect, it } from 'vitest';
import { bandPath, rocSensitivityBand } from './roc-band.js';

describe('ROC sensitivity band', () => {
  it("is R's prop.test(TP, P, correct = FALSE) interval at each threshold", () => {
    // R: prop.test(30, 40, correct = FALSE)$conf.int -> 0.5980604 0.8581288
    const band = rocSensitivityBand(
      [
        { tpr: 0, fpr: 0 },
        { tpr: 0.75, fpr: 0.2 },
        { tpr: 1, fpr: 1 },
      ],
      40,
    );
    expect(band[1]!.x).toBe(0.2);
    expect(band[1]!.lower).toBeCloseTo(0.5980604, 6);
    expect(band[1]!.upper).toBeCloseTo(0.8581288, 6);
    // at (0, 0) and (1, 1) the intervals are one-sided: prop.test(0, 40) upper 0.0876216
    expect(band[0]!.lower).toBe(0);
    expect(band[0]!.upper).toBeCloseTo(0.0876216, 6);
    expect(band[2]!.upper).toBe(1);
  });
  it('has no band without events', () => {
    expect(rocSensitivityBand([{ tpr: 0, fpr: 0 }], 0)).toEqual([]);
  });
  it('draws the band as one closed outline: upper bounds forward, lower bounds back', () => {
    const id = (v: number) => v;
    expect(
      bandPath(
        [
          { x: 0, lower: 0, upper: 1 },
          { x: 2, lower: 3, upper: 4 },
        ],
        id,
        id,
      ),
    ).toBe('M0.00,1.00L2.00,4.00L2.00,3.00L0.00,0.00Z');
    expect(bandPath([], id, id)).toBe('');
  });
});
