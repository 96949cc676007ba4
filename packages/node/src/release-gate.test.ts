import { type LocalRelease, release } from '@fedhub/algorithms';
import { DisclosurePolicySchema, FedhubError, type Json } from '@fedhub/protocol';
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
          release(
            { n: 40 },
            {
              subsetSize: 40,
              cells: [
                { label: 'a', count: 5 },
                { label: 'b', count: 0 },
              ],
            },
          ),
          policy,
        ),
      ),
    ).toBeUndefined();
  });
  it('refuses a small subset, naming the minimum', () => {
    expect(codeOf(() => enforceDisclosure(release({}, { subsetSize: 9, cells: [] }), policy))).toBe(
      'FH_ERR_SMALL_SUBSET',
    );
  });
  it('refuses a small non-zero cell and names it', () => {
    try {
      enforceDisclosure(release({}, { subsetSize: 50, cells: [{ label: 'stage=IV', count: 3 }] }), policy);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FedhubError);
      expect((err as FedhubError).code).toBe('FH_ERR_SMALL_CELL');
      expect((err as FedhubError).message).toContain('stage=IV');
    }
  });
  it('refuses too many parameters and too few residual degrees of freedom', () => {
    expect(
      codeOf(() => enforceDisclosure(release({}, { subsetSize: 30, cells: [], parameters: 11 }), policy)),
    ).toBe('FH_ERR_TOO_MANY_PARAMETERS');
    expect(
      codeOf(() =>
        enforceDisclosure(release({}, { subsetSize: 15, cells: [], parameters: 6 }), {
          ...policy,
          maxParameterRatio: 1,
        }),
      ),
    ).toBe('FH_ERR_TOO_MANY_PARAMETERS');
  });
  it('refuses an array with one entry per record', () => {
    expect(
      codeOf(() =>
        enforceDisclosure(
          release({ fitted: Array.from({ length: 25 }, (_, i) => i) }, { subsetSize: 25, cells: [] }),
          policy,
        ),
      ),
    ).toBe('FH_ERR_ROW_LEVEL');
  });
  it('reads an additive vector on a declared layout as the layout, any other array of n entries still as rows', () => {
    const v = Array.from({ length: 40 }, () => 0);
    const declared = { subsetSize: 40, cells: [], additiveLayout: 'declared' as const };
    expect(
      codeOf(() => enforceDisclosure(release({ additive: v } as Json, declared), policy)),
    ).toBeUndefined();
    expect(
      codeOf(() => enforceDisclosure(release({ additive: [], rows: v } as Json, declared), policy)),
    ).toBe('FH_ERR_ROW_LEVEL');
    expect(
      codeOf(() =>
        enforceDisclosure(release({ additive: v } as Json, { subsetSize: 40, cells: [] }), policy),
      ),
    ).toBe('FH_ERR_ROW_LEVEL');
  });
  it('refuses a result not built by release(), whatever its declaration says', () => {
    const forged = { payload: { n: 40 } as Json, disclosure: { subsetSize: 40, cells: [] } };
    expect(codeOf(() => enforceDisclosure(forged as unknown as LocalRelease, policy))).toBe(
      'FH_ERR_UNDECLARED_RELEASE',
    );
  });
  it('refuses a cell without a count', () => {
    expect(
      codeOf(() =>
        enforceDisclosure(
          release({}, { subsetSize: 40, cells: [{ label: 'x', count: Number.NaN }] }),
          policy,
        ),
      ),
    ).toBe('FH_ERR_UNDECLARED_RELEASE');
  });
});
