import { DisclosurePolicySchema, FedhubError } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { enforceDisclosure } from './release-gate.js';

const policy = DisclosurePolicySchema.parse({});

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as FedhubError).code;
  }
}

describe('enforceDisclosure', () => {
  it('passes a release that meets every rule', () => {
    expect(
      codeOf(() =>
        enforceDisclosure(
          {
            payload: { n: 40 },
            disclosure: {
              subsetSize: 40,
              cells: [
                { label: 'a', count: 5 },
                { label: 'b', count: 0 },
              ],
            },
          },
          policy,
        ),
      ),
    ).toBeUndefined();
  });
  it('refuses a small subset, naming the minimum', () => {
    expect(
      codeOf(() => enforceDisclosure({ payload: {}, disclosure: { subsetSize: 9, cells: [] } }, policy)),
    ).toBe('FH_ERR_SMALL_SUBSET');
  });
  it('refuses a small non-zero cell and names it', () => {
    try {
      enforceDisclosure(
        { payload: {}, disclosure: { subsetSize: 50, cells: [{ label: 'stage=IV', count: 3 }] } },
        policy,
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FedhubError);
      expect((err as FedhubError).code).toBe('FH_ERR_SMALL_CELL');
      expect((err as FedhubError).message).toContain('stage=IV');
    }
  });
  it('refuses too many parameters and too few residual degrees of freedom', () => {
    expect(
      codeOf(() =>
        enforceDisclosure({ payload: {}, disclosure: { subsetSize: 30, cells: [], parameters: 11 } }, policy),
      ),
    ).toBe('FH_ERR_TOO_MANY_PARAMETERS');
    expect(
      codeOf(() =>
        enforceDisclosure(
          { payload: {}, disclosure: { subsetSize: 15, cells: [], parameters: 6 } },
          { ...policy, maxParameterRatio: 1 },
        ),
      ),
    ).toBe('FH_ERR_TOO_MANY_PARAMETERS');
  });
  it('refuses an array with one entry per record', () => {
    expect(
      codeOf(() =>
        enforceDisclosure(
          {
            payload: { fitted: Array.from({ length: 25 }, (_, i) => i) },
            disclosure: { subsetSize: 25, cells: [] },
          },
          policy,
        ),
      ),
    ).toBe('FH_ERR_ROW_LEVEL');
  });
});
