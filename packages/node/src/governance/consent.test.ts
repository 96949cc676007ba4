import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crosstab, summary } from '@fedhub/algorithms';
import { DisclosurePolicySchema } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../datasets/duckdb-store.js';
import { executeRun } from '../executor.js';
import { openStudy } from './study-gate.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-consent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rows = generateCohort(DEMO_CENTRES[1]!, 120, 11);
const objector = rows[17]!;

function run(store: DatasetStore, algorithm: typeof summary | typeof crosstab, params: unknown) {
  return executeRun(
    {
      runId: crypto.randomUUID(),
      taskId: crypto.randomUUID(),
      ...openStudy(crypto.randomUUID(), ['n']),
      algorithm: algorithm.name,
      version: algorithm.version,
      digest: algorithm.digest,
      params: params as never,
      round: 1,
      attempt: 1,
      input: null,
      leaseExpiresAt: new Date().toISOString(),
      leaseMs: 30000,
      peers: [],
    },
    {
      node: { id: 'n', name: 'Hospital B' },
      policy: DisclosurePolicySchema.parse({ minCellCount: 1 }),
      floors: { minNodes: 1, minOrganisations: 1 } /* a one-node test of another rule */,
      datasets: store,
    },
  );
}

describe('consent opt-out', () => {
  it('gives every result exactly as if the opted-out patient were not in the data', async () => {
    const full = join(dir, 'full.csv');
    const without = join(dir, 'without.csv');
    const list = join(dir, 'opt-out.txt');
    writeFileSync(full, toCsv(rows));
    writeFileSync(without, toCsv(rows.filter((r) => r !== objector)));
    writeFileSync(list, `# objections received\n${objector.patient_id}\nP-unknown\n`);
    const withList = await DatasetStore.open([
      {
        name: 'cohort',
        file: full,
        format: 'csv',
        columns: COHORT_DICTIONARY,
        onInvalid: 'reject',
        optOut: { file: list, column: 'patient_id' },
      },
    ]);
    const reference = await DatasetStore.open([
      { name: 'cohort', file: without, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
    ]);
    expect(withList.reports[0]).toMatchObject({ rows: 119, optedOut: 1 });
    const analyses = [
      [
        summary,
        {
          dataset: 'cohort',
          columns: ['age', 'dose_gy', 'bmi'],
          bins: { age: { from: 0, to: 120, width: 10 } },
        },
      ],
      [crosstab, { dataset: 'cohort', rows: 'stage', cols: 'sex' }],
      [
        summary,
        { dataset: 'cohort', columns: ['months'], filter: { column: 'sex', op: 'eq', value: objector.sex } },
      ],
    ] as const;
    for (const [alg, params] of analyses) {
      const a = await run(withList, alg, params);
      const b = await run(reference, alg, params);
      expect(a.outcome).toBe('completed');
      expect(a.payload).toEqual(b.payload);
    }
    withList.close();
    reference.close();
  });
});
