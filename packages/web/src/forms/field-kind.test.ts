import type { ColumnSpec } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { buildParams, fieldKind, ParamsFormError, pickableColumns } from './field-kind.js';

// the shapes z.toJSONSchema gives for the km and summary parameters (see packages/algorithms)
const km = {
  type: 'object',
  required: ['dataset', 'time', 'event'],
  properties: {
    dataset: { type: 'string', description: 'Name of the dataset at each node' },
    time: { type: 'string', description: 'Follow-up time column' },
    event: { type: 'string', description: 'Event indicator column (1 = event, 0 = censored)' },
    group: { type: 'string', description: 'Categorical column: one curve per level' },
    confLevel: { type: 'number', default: 0.95 },
    filter: { $ref: '#/$defs/__schema0' },
  },
};

describe('fieldKind', () => {
  it('maps parameters to widgets', () => {
    expect(fieldKind('dataset', km.properties.dataset).kind).toBe('dataset');
    expect(fieldKind('time', km.properties.time)).toEqual({ kind: 'column', types: ['numeric', 'integer'] });
    expect(fieldKind('group', km.properties.group)).toEqual({
      kind: 'column',
      types: ['categorical', 'boolean', 'integer'],
    });
    expect(fieldKind('filter', km.properties.filter).kind).toBe('json');
    expect(fieldKind('family', { type: 'string', enum: ['gaussian', 'binomial'] })).toEqual({
      kind: 'enum',
      options: ['gaussian', 'binomial'],
    });
    expect(
      fieldKind('columns', {
        type: 'array',
        items: { type: 'string', description: 'Column name from the data dictionary' },
      }).kind,
    ).toBe('columns');
    expect(fieldKind('formula', { type: 'string' }).kind).toBe('formula');
  });
  it('never offers identifier columns', () => {
    const cols: ColumnSpec[] = [
      { name: 'patient_id', type: 'categorical', identifier: true },
      { name: 'sex', type: 'categorical', levels: ['F', 'M'] },
      { name: 'age', type: 'numeric' },
    ];
    expect(pickableColumns(cols, ['categorical']).map((c) => c.name)).toEqual(['sex']);
  });
});

describe('buildParams', () => {
  it('parses numbers and JSON and leaves out empty optional fields', () => {
    expect(
      buildParams(km, {
        dataset: 'cohort',
        time: 'months',
        event: 'dead',
        group: '',
        confLevel: '0.9',
        filter: '{"column":"age","op":"ge","value":50}',
      }),
    ).toEqual({
      dataset: 'cohort',
      time: 'months',
      event: 'dead',
      confLevel: 0.9,
      filter: { column: 'age', op: 'ge', value: 50 },
    });
  });
  it('names the parameter that is missing or malformed', () => {
    expect(() => buildParams(km, { dataset: 'cohort', time: 'months' })).toThrow(ParamsFormError);
    expect(() => buildParams(km, { dataset: 'cohort', time: 'months' })).toThrow(/^event: is required/);
    expect(() => buildParams(km, { dataset: 'c', time: 't', event: 'e', confLevel: 'abc' })).toThrow(
      /confLevel/,
    );
    expect(() => buildParams(km, { dataset: 'c', time: 't', event: 'e', filter: '{' })).toThrow(
      /filter: is not valid JSON/,
    );
  });
});
