import { describe, expect, it } from 'vitest';
import { convexHullVolumeArea } from './convex-hull.js';

describe('convexHullVolumeArea', () => {
  it('gives the volume and area of a box from its lattice points (interior and face points included)', () => {
    const pts: number[] = [];
    for (let z = 0; z <= 3; z++)
      for (let y = 0; y <= 2; y++) for (let x = 0; x <= 4; x++) pts.push(x * 0.5, y, z * 2);
    const { volume, area } = convexHullVolumeArea(Float64Array.from(pts));
    expect(volume).toBeCloseTo(2 * 2 * 6, 9);
    expect(area).toBeCloseTo(2 * (2 * 2 + 2 * 6 + 2 * 6), 9);
  });

  it('gives the volume of a regular octahedron', () => {
    const pts = [1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0];
    const { volume, area } = convexHullVolumeArea(Float64Array.from(pts));
    expect(volume).toBeCloseTo(4 / 3, 12);
    expect(area).toBeCloseTo(4 * Math.sqrt(3), 12);
  });
});
