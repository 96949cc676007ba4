import type { ColumnSpec } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { describeFilter, draftFromFilter, filterFromDraft } from './filter-draft.js';

const cols: ColumnSpec[] = [
  { name: 'age', type: 'numeric' },
  { name: 'stage', type: 'categorical', levels: ['I', 'II'] },
  { name: 'smoker', type: 'boolean' },
];

describe('filter drafts', () => {
  it('types values by the dictionary and joins conditions with and', () => {
    expect(
      filterFromDraft(
        {
          mode: 'rows',
          rows: [
            { column: 'age', op: 'between', value: '40, 70' },
            { column: 'smoker', op: 'eq', value: 'true' },
            { column: 'stage', op: 'not-missing', value: '' },
          ],
        },
        cols,
      ),
    ).toEqual({
      and: [
        { column: 'age', op: 'between', low: 40, high: 70 },
        { column: 'smoker', op: 'eq', value: true },
        { column: 'stage', op: 'not-missing' },
      ],
    });
    expect(filterFromDraft({ mode: 'rows', rows: [] }, cols)).toBeUndefined();
    expect(() =>
      filterFromDraft({ mode: 'rows', rows: [{ column: '', op: 'eq', value: '' }] }, cols),
    ).toThrow(/condition 1: choose a column/);
  });
  it('keeps or/not as JSON when re-opened, and says a filter in words', () => {
    const f = {
      or: [
        { column: 'age', op: 'lt' as const, value: 40 },
        { not: { column: 'stage', op: 'eq' as const, value: 'I' } },
      ],
    };
    expect(draftFromFilter(f).mode).toBe('json');
    expect(describeFilter(f)).toBe('(age < 40 or not (stage = I))');
    expect(describeFilter(undefined)).toBe('all rows');
  });
});
