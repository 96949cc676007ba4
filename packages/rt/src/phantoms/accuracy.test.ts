import { describe, expect, it } from 'vitest';
import { measurePhantom, PHANTOMS } from './accuracy.js';

// Tolerances of the brief (Nelms et al. 2015 style): mean 0.5 %, D-metrics 1 %, volume 3 %, curve 1.5 points.
describe('DVH accuracy on analytic phantoms (2.5 mm dose grid, 2 mm contours)', () => {
  const rows: string[] = [];
  for (const c of PHANTOMS)
    it(c.name, () => {
      const e = measurePhantom(c);
      const pct = (x: number) => `${(100 * x).toFixed(3)}%`;
      rows.push(
        `${c.name.padEnd(50)} vol ${pct(e.volume)} mean ${pct(e.mean)} D98 ${pct(e.D98)} D95 ${pct(e.D95)} D50 ${pct(e.D50)} D2 ${pct(e.D2)} curve ${e.curveMaxPp.toFixed(3)} pp (${e.samples} samples)`,
      );
      expect(Math.abs(e.volume)).toBeLessThan(0.03);
      expect(Math.abs(e.mean)).toBeLessThan(0.005);
      for (const d of [e.D98, e.D95, e.D50, e.D2]) expect(Math.abs(d)).toBeLessThan(0.01);
      expect(e.curveMaxPp).toBeLessThan(1.5);
    });
  it('reports the measured errors', () => {
    process.stdout.write(`${rows.join('\n')}\n`);
    expect(rows).toHaveLength(PHANTOMS.length);
  });
});
