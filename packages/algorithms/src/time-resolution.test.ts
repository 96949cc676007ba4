import { describe, expect, it } from 'vitest';
import { defaultTimeResolution, MAX_DEFAULT_STEPS, resolveTimeResolution } from './time-resolution.js';

describe("default timeResolution from the time column's declared unit and range", () => {
  it('is about a few days in the declared unit', () => {
    const at = (unit: string, max = 240) => defaultTimeResolution({ name: 't', unit, min: 0, max }).value;
    expect(at('d', 3650)).toBe(1);
    expect(at('wk', 520)).toBe(0.1);
    expect(at('mo')).toBe(0.1);
    expect(at('a', 20)).toBe(0.01);
    expect(at('h', 1000)).toBe(1);
  });
  it('falls back to the range (at least 1000 steps), then to 1', () => {
    expect(defaultTimeResolution({ name: 't', min: 0, max: 240 }).value).toBe(0.1);
    expect(defaultTimeResolution({ name: 't', min: 0, max: 20 }).value).toBe(0.01);
    expect(defaultTimeResolution({ name: 't', min: 0, max: 5000 }).value).toBe(1);
    expect(defaultTimeResolution({ name: 't' })).toEqual({
      value: 1,
      basis: 'default (t declares no unit or range)',
    });
  });
  it('is coarsened tenfold while the declared range would hold more steps than the grid allows', () => {
    const r = defaultTimeResolution({ name: 't', unit: 'd', min: 0, max: 1e6 });
    expect(r.value).toBe(100);
    expect(1e6 / r.value).toBeLessThanOrEqual(MAX_DEFAULT_STEPS);
  });
  it('never overrides a given value', () => {
    expect(resolveTimeResolution(3, { name: 't', unit: 'a', max: 20 })).toEqual({
      value: 3,
      basis: 'the timeResolution parameter',
    });
  });
});
