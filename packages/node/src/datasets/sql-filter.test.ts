import type { ColumnSpec } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { compileFilter } from './sql-filter.js';

const cols = new Map<string, ColumnSpec>(
  [
    { name: 'age', type: 'numeric', min: 0, max: 120 },
    { name: 'stage', type: 'categorical', levels: ['I', 'II', 'III', 'IV'] },
    { name: 'patient_id', type: 'categorical', identifier: true },
    { name: 'seen', type: 'date' },
  ].map((c) => [c.name, c as ColumnSpec]),
);

describe('compileFilter', () => {
  it('binds values as parameters and quotes identifiers', () => {
    const c = compileFilter(
      {
        and: [
          { column: 'age', op: 'ge', value: 18 },
          { column: 'stage', op: 'in', values: ['III', 'IV'] },
        ],
      },
      cols,
      'cohort',
    );
    expect(c.sql).toBe('COALESCE((("age" >= $1) AND ("stage" IN ($2, $3))), FALSE)');
    expect(c.params).toEqual([18, 'III', 'IV']);
  });

  it('compiles ranges, negation, missingness and dates', () => {
    const c = compileFilter(
      {
        or: [
          { not: { column: 'age', op: 'between', low: 20, high: 30 } },
          { column: 'age', op: 'is-missing' },
          { column: 'seen', op: 'lt', value: '2020-01-01' },
        ],
      },
      cols,
      'cohort',
    );
    expect(c.sql).toContain('NOT COALESCE(("age" BETWEEN $1 AND $2), FALSE)');
    expect(c.sql).toContain('("age" IS NULL)');
    expect(c.sql).toContain('CAST($3 AS DATE)');
  });

  it('names the unknown column and the dataset', () => {
    expect(() => compileFilter({ column: 'weight', op: 'gt', value: 1 }, cols, 'cohort')).toThrow(
      /dataset "cohort" has no column "weight"/,
    );
  });

  it('refuses wrong value types, unknown levels and ordering on categories', () => {
    expect(() => compileFilter({ column: 'age', op: 'gt', value: '18' }, cols, 'cohort')).toThrow(
      /must be a number/,
    );
    expect(() => compileFilter({ column: 'stage', op: 'eq', value: 'V' }, cols, 'cohort')).toThrow(
      /no level "V"/,
    );
    expect(() => compileFilter({ column: 'stage', op: 'lt', value: 'II' }, cols, 'cohort')).toThrow(
      /only eq, ne, in and not-in/,
    );
  });

  it('refuses filters on record identifiers and over-deep trees', () => {
    expect(() => compileFilter({ column: 'patient_id', op: 'eq', value: 'P-1' }, cols, 'cohort')).toThrow(
      /record identifier/,
    );
    let deep: Parameters<typeof compileFilter>[0] = { column: 'age', op: 'gt', value: 1 };
    for (let i = 0; i < 20; i++) deep = { not: deep! };
    expect(() => compileFilter(deep, cols, 'cohort')).toThrow(/filter too large/);
  });
});
