import { describe, expect, it } from 'vitest';
import { jsonShape, scanJsonText } from './json-depth.js';

describe('jsonShape', () => {
  it('measures depth and the widest object without recursion', () => {
    expect(jsonShape(1)).toEqual({ depth: 0, maxKeys: 0, containers: 0 });
    expect(jsonShape({ a: [1, { b: 2, c: 3 }] })).toEqual({ depth: 3, maxKeys: 2, containers: 3 });
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(jsonShape(deep).depth).toBe(100_000);
    expect(jsonShape(deep, 64).depth).toBe(65);
    expect(jsonShape(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [i, i]))).maxKeys).toBe(
      20_000,
    );
  });

  it('stops counting containers past the limit, in milliseconds', () => {
    const unit = `${'['.repeat(60)}1${']'.repeat(60)}`;
    const many = JSON.parse(`[${new Array(20_000).fill(unit).join(',')}]`);
    const t0 = performance.now();
    const shape = jsonShape(many, 64, 200_000);
    const ms = performance.now() - t0;
    expect(shape.containers).toBe(200_001);
    expect(ms).toBeLessThan(500);
  });

  it('scans JSON text for depth and containers without parsing, skipping strings', () => {
    expect(scanJsonText('{"a":[1,{"b":"[[[{{{\\"]]"}]}', 3, 10)).toBeUndefined();
    expect(scanJsonText('[[[[1]]]]', 3, 10)).toMatch(/deeper than 3/);
    expect(scanJsonText('[[],[],[]]', 8, 3)).toMatch(/more than 3 arrays/);
    const unit = `${'['.repeat(60)}1${']'.repeat(60)}`;
    const text = `[${new Array(130_000).fill(unit).join(',')}]`;
    const t0 = performance.now();
    expect(scanJsonText(text, 64, Number.POSITIVE_INFINITY)).toBeUndefined();
    const ms = performance.now() - t0;
    expect(text.length).toBeGreaterThan(15 * 1024 * 1024);
    expect(ms).toBeLessThan(3000);
  });
});
