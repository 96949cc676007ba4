import { describe, expect, it } from 'vitest';
import { jsonShape } from './json-depth.js';

describe('jsonShape', () => {
  it('measures depth and the widest object without recursion', () => {
    expect(jsonShape(1)).toEqual({ depth: 0, maxKeys: 0 });
    expect(jsonShape({ a: [1, { b: 2, c: 3 }] })).toEqual({ depth: 3, maxKeys: 2 });
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(jsonShape(deep).depth).toBe(100_000);
    expect(jsonShape(deep, 64).depth).toBe(65);
    expect(jsonShape(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [i, i]))).maxKeys).toBe(
      20_000,
    );
  });
});
