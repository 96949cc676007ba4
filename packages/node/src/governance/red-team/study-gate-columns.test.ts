/**
 * Red team, class 9: a column read through a feature the study gate does not see (an offset() in a
 * validate model, a strata() term, a filter deep in the parameters) escapes the study's variable list.
 * Every algorithm's columns come from one function (columns-read.ts, wrapped around each `variables` by
 * defineAlgorithm), used by the hub's study check and by the node's study gate alike.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAlgorithm, listAlgorithms, validate } from '@fedhub/algorithms';
import {
  DisclosurePolicySchema,
  type RunAssignment,
  type StudyDescriptor,
  studyRefusal,
} from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../../datasets/duckdb-store.js';
import { executeRun } from '../../executor.js';

/** A filter that reads `column` three levels down. */
const deepFilter = (column: string) => ({
  and: [{ column: 'age', op: 'ge', value: 18 }, { not: { or: [{ column, op: 'is-missing' }] } }],
});

/**
 * Per algorithm: parameters that use every column-reading feature it has, and every column they read.
 * An algorithm added to the registry without an entry here fails the first test.
 */
const CASES: Record<string, { params: unknown; columns: string[] }> = {
  summary: {
    params: { dataset: 'd', columns: ['c_col1', 'c_col2'], filter: deepFilter('c_filter') },
    columns: ['c_col1', 'c_col2', 'c_filter', 'age'],
  },
  crosstab: {
    params: { dataset: 'd', rows: 'c_rows', cols: 'c_cols', filter: deepFilter('c_filter') },
    columns: ['c_rows', 'c_cols', 'c_filter', 'age'],
  },
  chisq: {
    params: { dataset: 'd', rows: 'c_rows', cols: 'c_cols', filter: deepFilter('c_filter') },
    columns: ['c_rows', 'c_cols', 'c_filter', 'age'],
  },
  quantiles: {
    params: { dataset: 'd', column: 'c_col', filter: deepFilter('c_filter') },
    columns: ['c_col', 'c_filter', 'age'],
  },
  ttest: {
    params: { dataset: 'd', column: 'c_col', group: 'c_group', filter: deepFilter('c_filter') },
    columns: ['c_col', 'c_group', 'c_filter', 'age'],
  },
  km: {
    params: {
      dataset: 'd',
      time: 'c_time',
      event: 'c_event',
      group: 'c_group',
      strata: 'c_strata',
      filter: deepFilter('c_filter'),
    },
    columns: ['c_time', 'c_event', 'c_group', 'c_strata', 'c_filter', 'age'],
  },
  glm: {
    params: {
      dataset: 'd',
      formula: 'c_y ~ c_x * factor(c_f) + offset(log(c_off))',
      weights: 'c_w',
      filter: deepFilter('c_filter'),
    },
    columns: ['c_y', 'c_x', 'c_f', 'c_off', 'c_w', 'c_filter', 'age'],
  },
  coxph: {
    params: {
      dataset: 'd',
      formula: 'Surv(c_time, c_event) ~ c_x + factor(c_f) + offset(c_off) + strata(c_strata)',
      filter: deepFilter('c_filter'),
      // the clusters of the robust standard errors are read like a model column
      cluster: 'c_cluster',
    },
    columns: ['c_time', 'c_event', 'c_x', 'c_f', 'c_off', 'c_strata', 'c_filter', 'c_cluster', 'age'],
  },
  validate: {
    params: {
      dataset: 'd',
      outcome: 'c_y',
      model: { formula: '~ c_x + factor(c_f) + offset(c_off)', coefficients: { '(Intercept)': 0 } },
      filter: deepFilter('c_filter'),
    },
    columns: ['c_y', 'c_x', 'c_f', 'c_off', 'c_filter', 'age'],
  },
  'validate-survival': {
    params: {
      dataset: 'd',
      time: 'c_time2',
      event: 'c_event2',
      model: {
        formula: 'Surv(c_time, c_event) ~ c_x + offset(c_off) + strata(c_fstrata)',
        coefficients: { c_x: 1 },
      },
      strata: 'c_strata',
      filter: deepFilter('c_filter'),
    },
    columns: [
      'c_time2',
      'c_event2',
      'c_time',
      'c_event',
      'c_x',
      'c_off',
      'c_fstrata',
      'c_strata',
      'c_filter',
      'age',
    ],
  },
  'drl-survey': {
    params: {
      dataset: 'd',
      columns: {
        exam: 'c_exam',
        phantom: 'c_ph',
        age: 'c_age',
        weight: 'c_wt',
        ctdivol: 'c_ct',
        dlp: 'c_dlp',
      },
      filter: deepFilter('c_filter'),
    },
    columns: ['c_exam', 'c_ph', 'c_age', 'c_wt', 'c_ct', 'c_dlp', 'c_filter', 'age'],
  },
  'radiomics-extract': {
    params: { roi: 'GTV', output: 'features', join: { dataset: 'd', column: 'c_key' } },
    columns: ['c_key'],
  },
  'dvh-extract': {
    params: { output: 'dvh', join: { dataset: 'd', column: 'c_key' } },
    columns: ['c_key'],
  },
  lkb: {
    params: {
      dataset: 'd',
      patient: 'c_patient',
      dose: 'c_dose',
      volume: 'c_volume',
      outcome: 'c_outcome',
      filter: deepFilter('c_filter'),
    },
    columns: ['c_patient', 'c_dose', 'c_volume', 'c_outcome', 'c_filter', 'age'],
  },
  'dvh-bands': {
    params: {
      dataset: 'd',
      patient: 'c_patient',
      dose: 'c_dose',
      volume: 'c_volume',
      filter: deepFilter('c_filter'),
    },
    columns: ['c_patient', 'c_dose', 'c_volume', 'c_filter', 'age'],
  },
  'validate-imaging': {
    params: {
      model: {
        onnx: `sha256:${'0'.repeat(64)}`,
        imaging: {
          preprocessing: { size: [16, 16, 8], crop: 'centre' },
          output: { task: 'classification' },
        },
      },
      cohort: { dataset: 'd', patient: 'c_patient', label: 'c_label', filter: deepFilter('c_filter') },
    },
    columns: ['c_patient', 'c_label', 'c_filter', 'age'],
  },
  ping: { params: {}, columns: [] },
};

describe('one column function, seen by the study gate at hub and node', () => {
  it('covers every registered algorithm', () => {
    const names = [...new Set(listAlgorithms().map((a) => a.name))].sort();
    expect(names.filter((n) => !(n in CASES))).toEqual([]);
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: variables() lists every column its parameters read`, () => {
      const algorithm = getAlgorithm(name)!;
      const parsed = algorithm.paramsSchema.safeParse(c.params);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const seen = algorithm.variables(parsed.data).columns;
      expect([...seen].sort()).toEqual([...new Set(c.columns)].sort());
      // the hub's check (protocol's studyRefusal, fed by the same variables()) refuses each column singly
      for (const col of c.columns) {
        const study: StudyDescriptor = {
          id: crypto.randomUUID(),
          title: 't',
          status: 'active',
          nodeIds: [],
          minNodes: 1,
          variables: [{ dataset: 'd', columns: c.columns.filter((x) => x !== col) }],
          algorithms: null,
          startsAt: null,
          endsAt: null,
          releasePerNodeBreakdown: false,
        };
        const refused = studyRefusal(
          study,
          {
            algorithm: name,
            version: algorithm.version,
            variables: algorithm.variables(parsed.data),
            nodeCount: 3,
          },
          new Date().toISOString(),
        );
        expect(refused?.code, `${name} without ${col}`).toBe('FH_ERR_OUTSIDE_STUDY');
      }
    });
  }
});

describe('an offset() column outside the study, through the node', () => {
  const NODE = crypto.randomUUID();
  const PEERS = [crypto.randomUUID(), crypto.randomUUID()];
  const dir = mkdtempSync(join(tmpdir(), 'fedhub-red-columns-'));
  let store: DatasetStore;
  beforeAll(async () => {
    const file = join(dir, 'cohort.csv');
    writeFileSync(file, toCsv(generateCohort(DEMO_CENTRES[0]!, 150, 5)));
    store = await DatasetStore.open([
      { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
    ]);
  });
  afterAll(() => {
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is refused before any data is read, naming the column but no value', async () => {
    const study: StudyDescriptor = {
      id: crypto.randomUUID(),
      title: 'Toxicity',
      status: 'active',
      nodeIds: [NODE, ...PEERS],
      minNodes: 3,
      // the study allows the outcome and the model's terms, not bmi
      variables: [{ dataset: 'cohort', columns: ['toxicity', 'dose_gy', 'age'] }],
      algorithms: [{ name: 'validate' }],
      startsAt: null,
      endsAt: null,
      releasePerNodeBreakdown: false,
    };
    const params = {
      dataset: 'cohort',
      outcome: 'toxicity',
      // bmi enters through offset(): the node would read it
      model: { formula: '~ dose_gy + age + offset(bmi)', coefficients: { '(Intercept)': -3, dose_gy: 0.05 } },
    };
    const run = {
      runId: crypto.randomUUID(),
      taskId: crypto.randomUUID(),
      studyId: study.id,
      study,
      algorithm: validate.name,
      version: validate.version,
      digest: validate.digest,
      params,
      round: 1,
      attempt: 1,
      input: validate.firstInput(validate.paramsSchema.parse(params)),
      leaseExpiresAt: new Date().toISOString(),
      leaseMs: 30000,
      peers: [NODE, ...PEERS].map((nodeId) => ({ nodeId, x25519: '', organisationId: nodeId })),
    } as RunAssignment;
    const o = await executeRun(run, {
      node: { id: NODE, name: 'Hospital A', organisationId: NODE },
      policy: DisclosurePolicySchema.parse({}),
      datasets: store,
    });
    expect(o.outcome).toBe('refused');
    expect(o.error?.code).toBe('FH_ERR_OUTSIDE_STUDY');
    expect(o.error?.message).toContain('"bmi"');
    expect(o.payload).toBeNull();
  });
});
