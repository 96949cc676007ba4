import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './binomial-ci.js';

// R 4.2.2: prop.test(x, n, correct = FALSE)$conf.int
const R: Array<[number, number, number, number]> = [
  [15, 50, 0.191035535008809, 0.437503504644534],
  [0, 20, 0, 0.161125158052819],
  [20, 20, 0.838874841947181, 1],
  [3, 7, 0.15821985525147, 0.749541635472343],
  [120, 400, 0.257167671956197, 0.346637245777522],
];

describe('Wilson interval', () => {
  it.each(R)("%i of %i equals R's prop.test without continuity correction", (x, n, lo, hi) => {
    const ci = wilsonInterval(x, n)!;
    expect(ci[0]).toBeCloseTo(lo, 12);
    expect(ci[1]).toBeCloseTo(hi, 12);
  });
  it('has no interval for an empty group', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});
