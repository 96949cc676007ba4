import { describe, expect, it } from 'vitest';
import { formatWarnings } from './format-warnings.js';

describe('formatWarnings', () => {
  it('prints each coded warning on its own line, nothing without warnings', () => {
    expect(formatWarnings({ warnings: [] })).toEqual([]);
    expect(formatWarnings({})).toEqual([]);
    expect(
      formatWarnings({ warnings: [{ code: 'FH_WARN_SEPARATION', message: 'fitted probabilities 0 or 1' }] }),
    ).toEqual(['', 'Warning (FH_WARN_SEPARATION): fitted probabilities 0 or 1']);
  });
});
