import type { ColumnSpec } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
// the real parameter schemas, as the hub advertises them (z.toJSONSchema of each algorithm's zod schema)
import { listAlgorithms } from '../../../algorithms/src/registry.js';
import { ValidateImagingParamsSchema } from '../../../algorithms/src/validate-imaging/params.js';
import { columnFits, columnLevels, formulaFactors, pickableColumns, unknownFormulaNames } from './columns.js';
import { type FieldKind, fieldKind, type JsonSchemaNode } from './field-kind.js';
import { buildParams, chosenDataset, type FormValues, valuesFromParams } from './params-values.js';

const schemaOf = (name: string) =>
  listAlgorithms()
    .find((a) => a.name === name)!
    .paramsJsonSchema() as JsonSchemaNode;
const kindOf = (algorithm: string, param: string): FieldKind =>
  fieldKind(param, schemaOf(algorithm).properties![param]!);

const cohort: ColumnSpec[] = [
  { name: 'patient_id', type: 'categorical', identifier: true },
  { name: 'age', type: 'numeric', unit: 'a', min: 18, max: 100 },
  { name: 'sex', type: 'categorical', levels: ['F', 'M'] },
  { name: 'stage', type: 'categorical', levels: ['I', 'II', 'III', 'IV'] },
  { name: 'dose_gy', type: 'numeric', unit: 'Gy', min: 20, max: 90 },
  { name: 'fractions', type: 'integer', min: 1, max: 45 },
  { name: 'toxicity', type: 'integer', min: 0, max: 1 },
  { name: 'months', type: 'numeric', min: 0, max: 240 },
  { name: 'dead', type: 'integer', min: 0, max: 1 },
];

describe('fieldKind: widgets from schema metadata', () => {
  it('gives the parameters that needed typed JSON a proper widget', () => {
    expect(kindOf('summary', 'bins')).toEqual({ kind: 'bins', of: 'columns' });
    expect(kindOf('validate', 'model')).toEqual({ kind: 'model', modelOf: 'glm' });
    expect(kindOf('validate-survival', 'model')).toEqual({ kind: 'model', modelOf: 'coxph' });
    expect(kindOf('glm', 'ref')).toEqual({ kind: 'factor-levels', of: 'formula' });
    expect(kindOf('ttest', 'levels')).toEqual({ kind: 'levels', of: 'group', count: 2 });
    expect(kindOf('km', 'filter')).toEqual({ kind: 'filter' });
    expect(kindOf('quantiles', 'probs')).toEqual({ kind: 'list', item: 'number' });
    expect(kindOf('glm', 'control').kind).toBe('object');
  });
  it('gives column parameters the column kind their metadata declares', () => {
    expect(kindOf('km', 'time')).toEqual({ kind: 'column', columnKind: 'time' });
    expect(kindOf('km', 'event')).toEqual({ kind: 'column', columnKind: 'event' });
    expect(kindOf('km', 'group')).toEqual({ kind: 'column', columnKind: 'categorical' });
    expect(kindOf('validate', 'outcome')).toEqual({ kind: 'column', columnKind: 'binary' });
    expect(kindOf('crosstab', 'rows')).toEqual({ kind: 'column', columnKind: 'categorical' });
    expect(kindOf('summary', 'columns')).toEqual({ kind: 'columns', columnKind: 'numeric' });
    expect(kindOf('glm', 'formula')).toEqual({ kind: 'formula' });
    expect(kindOf('glm', 'dataset')).toEqual({ kind: 'dataset' });
  });
  it('reads no description: a described column without metadata is plain text', () => {
    expect(fieldKind('time', { type: 'string', description: 'Follow-up time column' })).toEqual({
      kind: 'text',
    });
    expect(fieldKind('x', { type: 'string', columnKind: 'numeric' })).toEqual({
      kind: 'column',
      columnKind: 'numeric',
    });
  });
  it('leaves JSON typing only to expert settings, in every algorithm', () => {
    // validate-imaging's settings have widgets now (the model from the registry, the cohort's dataset,
    // columns and filter, the thresholds as lists): only these two stay JSON
    const expert = new Set(['drl-survey.references', 'radiomics-extract.settings']);
    for (const a of listAlgorithms())
      for (const [p, s] of Object.entries((a.paramsJsonSchema() as JsonSchemaNode).properties ?? {})) {
        const k = fieldKind(p, s as JsonSchemaNode);
        if (k.kind === 'json') expect(expert, `${a.name}.${p} is typed as JSON`).toContain(`${a.name}.${p}`);
      }
  });
});

describe('validate-imaging from widgets', () => {
  const imaging = {
    preprocessing: { size: [64, 64, 32], crop: 'structure' },
    output: { task: 'segmentation' },
  };
  it('picks the model from the registry and gives the cohort and thresholds widgets of their own', () => {
    expect(kindOf('validate-imaging', 'model')).toEqual({ kind: 'onnx-model' });
    const cohortKind = kindOf('validate-imaging', 'cohort');
    expect(cohortKind.kind).toBe('object');
    const sub = cohortKind.kind === 'object' ? cohortKind.fields.map(([f, fs]) => [f, fieldKind(f, fs)]) : [];
    expect(Object.fromEntries(sub)).toEqual({
      dataset: { kind: 'dataset' },
      patient: { kind: 'column', columnKind: 'key' },
      label: { kind: 'column', columnKind: 'binary' },
      filter: { kind: 'filter' },
    });
    expect(kindOf('validate-imaging', 'selection').kind).toBe('object');
    expect(kindOf('validate-imaging', 'thresholds').kind).toBe('object');
    expect(kindOf('validate-imaging', 'structure')).toEqual({ kind: 'text' });
  });
  it('builds parameters the algorithm accepts, and gives them back for edit and re-run', () => {
    const schema = schemaOf('validate-imaging');
    const v: FormValues = {
      model: { onnx: `sha256:${'a'.repeat(64)}`, registered: 'gtv-seg@2', imaging },
      'selection.modality': 'CT',
      'selection.seriesDescription': '*thorax*',
      'cohort.dataset': 'cohort',
      'cohort.patient': 'patient_id',
      'cohort.filter': { mode: 'rows', rows: [{ column: 'age', op: 'ge', value: '50' }] },
      structure: 'GTV',
      tolerances: '1, 2',
      'thresholds.dice': '0.7, 0.8',
    };
    expect(chosenDataset(schema, v)).toBe('cohort');
    const params = buildParams(schema, v, cohort);
    expect(params).toEqual({
      model: { onnx: `sha256:${'a'.repeat(64)}`, registered: 'gtv-seg@2', imaging },
      selection: { modality: 'CT', seriesDescription: '*thorax*' },
      cohort: {
        dataset: 'cohort',
        patient: 'patient_id',
        filter: { column: 'age', op: 'ge', value: 50 },
      },
      structure: 'GTV',
      tolerances: [1, 2],
      thresholds: { dice: [0.7, 0.8] },
    });
    expect(ValidateImagingParamsSchema.safeParse(params).success).toBe(true);
    expect(buildParams(schema, valuesFromParams(schema, params), cohort)).toEqual(params);
  });
  it('refuses a form without a model, naming the parameter', () => {
    expect(() =>
      buildParams(schemaOf('validate-imaging'), {
        'cohort.dataset': 'cohort',
        'cohort.patient': 'patient_id',
      }),
    ).toThrow(/^model: is required/);
  });
});

describe('column pickers and levels from the dictionary', () => {
  const names = (kind: Parameters<typeof pickableColumns>[1]) =>
    pickableColumns(cohort, kind).map((c) => c.name);
  it('filters by the declared type and range, never offering identifiers', () => {
    expect(names('event')).toEqual(['toxicity', 'dead']);
    expect(names('binary')).toEqual(['toxicity', 'dead']);
    expect(names('time')).toEqual(['age', 'dose_gy', 'fractions', 'toxicity', 'months', 'dead']);
    expect(names('categorical')).toEqual(['sex', 'stage', 'fractions', 'toxicity', 'dead']);
    expect(names('any')).not.toContain('patient_id');
    expect(columnFits(cohort[0]!, 'key')).toBe(true);
    expect(names('key')).toContain('patient_id');
  });
  it('gives every patient-key parameter a key picker, which offers identifier columns', () => {
    expect(kindOf('lkb', 'patient')).toEqual({ kind: 'column', columnKind: 'key' });
    expect(kindOf('dvh-bands', 'patient')).toEqual({ kind: 'column', columnKind: 'key' });
    for (const algorithm of ['dvh-extract', 'radiomics-extract']) {
      const join = kindOf(algorithm, 'join');
      const column = join.kind === 'object' ? join.fields.find(([f]) => f === 'column') : undefined;
      expect(column && fieldKind('column', column[1]), algorithm).toEqual({
        kind: 'column',
        columnKind: 'key',
      });
    }
  });
  it('takes levels from the dictionary: declared, boolean, or a small integer range', () => {
    expect(columnLevels(cohort[3]!)).toEqual(['I', 'II', 'III', 'IV']);
    expect(columnLevels({ name: 'b', type: 'boolean' })).toEqual(['false', 'true']);
    expect(columnLevels(cohort[6]!)).toEqual(['0', '1']);
    expect(columnLevels(cohort[1]!)).toBeNull();
  });
  it("finds a formula's factors and the names the dictionary lacks", () => {
    const f = 'toxicity ~ dose_gy + age + factor(stage) + sex + factor(fractions)';
    expect(formulaFactors(f, cohort).map((c) => c.name)).toEqual(['stage', 'sex', 'fractions']);
    expect(formulaFactors('Surv(months, dead) ~ age + strata(sex)', cohort)).toEqual([]);
    expect(unknownFormulaNames('toxicity ~ dose + log(age)', cohort)).toEqual(['dose']);
  });
});

describe('buildParams and valuesFromParams', () => {
  it('builds every formerly-JSON parameter from its widget', () => {
    const v: FormValues = {
      dataset: 'cohort',
      columns: ['age', 'dose_gy'],
      bins: {
        age: { mode: 'grid', from: '10', to: '100', width: '10' },
        sex: { mode: 'breaks', breaks: '1, 2' },
      },
      filter: {
        mode: 'rows',
        rows: [
          { column: 'age', op: 'ge', value: '50' },
          { column: 'stage', op: 'in', value: 'III, IV' },
        ],
      },
    };
    expect(buildParams(schemaOf('summary'), v, cohort)).toEqual({
      dataset: 'cohort',
      columns: ['age', 'dose_gy'],
      // bins of a column no longer chosen are dropped
      bins: { age: { from: 10, to: 100, width: 10 } },
      filter: {
        and: [
          { column: 'age', op: 'ge', value: 50 },
          { column: 'stage', op: 'in', values: ['III', 'IV'] },
        ],
      },
    });
    expect(
      buildParams(schemaOf('ttest'), {
        dataset: 'cohort',
        column: 'dose_gy',
        group: 'stage',
        levels: ['I', 'IV'],
      }),
    ).toEqual({ dataset: 'cohort', column: 'dose_gy', group: 'stage', levels: ['I', 'IV'] });
    expect(
      buildParams(schemaOf('glm'), {
        dataset: 'cohort',
        formula: 'toxicity ~ dose_gy + factor(stage)',
        family: 'binomial',
        ref: { stage: 'II' },
        'control.maxit': '50',
      }),
    ).toEqual({
      dataset: 'cohort',
      formula: 'toxicity ~ dose_gy + factor(stage)',
      family: 'binomial',
      ref: { stage: 'II' },
      control: { maxit: 50 },
    });
    expect(
      buildParams(schemaOf('validate'), {
        dataset: 'cohort',
        outcome: 'toxicity',
        model: { source: 'frozen', formula: '~ dose_gy', coefficients: { '(Intercept)': -3, dose_gy: 0.05 } },
      }),
    ).toEqual({
      dataset: 'cohort',
      outcome: 'toxicity',
      model: { formula: '~ dose_gy', coefficients: { '(Intercept)': -3, dose_gy: 0.05 } },
    });
    expect(
      buildParams(schemaOf('quantiles'), { dataset: 'cohort', column: 'age', probs: '0.1, 0.5,0.9' }),
    ).toEqual({
      dataset: 'cohort',
      column: 'age',
      probs: [0.1, 0.5, 0.9],
    });
  });
  it('names the parameter that is missing or malformed', () => {
    const km = schemaOf('km');
    expect(() => buildParams(km, { dataset: 'cohort', time: 'months' })).toThrow(/^event: is required/);
    expect(() => buildParams(km, { dataset: 'c', time: 't', event: 'e', confLevel: 'abc' })).toThrow(
      /confLevel/,
    );
    expect(() =>
      buildParams(
        km,
        {
          dataset: 'c',
          time: 't',
          event: 'e',
          filter: { mode: 'rows', rows: [{ column: 'age', op: 'ge', value: 'x' }] },
        },
        cohort,
      ),
    ).toThrow(/^filter: condition 1: "x" is not a number/);
    expect(() =>
      buildParams(schemaOf('ttest'), { dataset: 'c', column: 'x', group: 'g', levels: ['I', ''] }),
    ).toThrow(/^levels: choose 2 levels/);
    expect(() =>
      buildParams(schemaOf('summary'), {
        dataset: 'c',
        columns: ['age'],
        bins: { age: { mode: 'grid', from: '0', to: '10', width: '3' } },
      }),
    ).toThrow(/^bins\.age:/);
    expect(() =>
      buildParams(schemaOf('validate'), {
        dataset: 'c',
        outcome: 'y',
        model: { source: 'score', score: '' },
      }),
    ).toThrow(/^model: choose the score column/);
  });
  it('gives back the form values of earlier params (edit and re-run), for every algorithm example', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      [
        'summary',
        {
          dataset: 'cohort',
          columns: ['age'],
          bins: { age: { breaks: [18, 50, 100] } },
          filter: { column: 'sex', op: 'eq', value: 'F' },
        },
      ],
      [
        'glm',
        {
          dataset: 'cohort',
          formula: 'toxicity ~ age + stage',
          family: 'binomial',
          ref: { stage: 'III' },
          perCentre: true,
        },
      ],
      ['ttest', { dataset: 'cohort', column: 'age', group: 'stage', levels: ['I', 'II'], confLevel: 0.9 }],
      [
        'validate',
        {
          dataset: 'cohort',
          outcome: 'toxicity',
          model: { formula: '~ age', coefficients: { '(Intercept)': 1, age: 2 } },
          groups: 5,
        },
      ],
      [
        'km',
        {
          dataset: 'cohort',
          time: 'months',
          event: 'dead',
          filter: {
            or: [
              { column: 'age', op: 'lt', value: 40 },
              { column: 'age', op: 'gt', value: 80 },
            ],
          },
        },
      ],
      ['quantiles', { dataset: 'cohort', column: 'age', probs: [0.2, 0.8] }],
    ];
    for (const [algorithm, params] of cases) {
      const s = schemaOf(algorithm);
      expect(buildParams(s, valuesFromParams(s, params), cohort), algorithm).toEqual(params);
    }
  });
});
