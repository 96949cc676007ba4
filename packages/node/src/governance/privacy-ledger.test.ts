import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summary } from '@fedhub/algorithms';
import { DisclosurePolicySchema, type Filter } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../datasets/duckdb-store.js';
import { executeRun } from '../executor.js';
import { PrivacyLedger } from './privacy-ledger.js';
import { openStudy } from './study-gate.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const policy = DisclosurePolicySchema.parse({});
const rows = generateCohort(DEMO_CENTRES[0]!, 200, 5);
const file = join(dir, 'cohort.csv');
writeFileSync(file, toCsv(rows));
const oldest = Math.max(...rows.map((r) => r.age as number));

async function release(
  store: DatasetStore,
  ledger: PrivacyLedger,
  filter?: Filter,
  studyId = crypto.randomUUID(),
) {
  const params = { dataset: 'cohort', columns: ['dose_gy'], ...(filter ? { filter } : {}) };
  return executeRun(
    {
      runId: crypto.randomUUID(),
      taskId: crypto.randomUUID(),
      ...openStudy(studyId, ['n']),
      algorithm: 'summary',
      version: summary.version,
      digest: summary.digest,
      params,
      round: 1,
      attempt: 1,
      input: null,
      leaseExpiresAt: new Date().toISOString(),
      leaseMs: 30000,
      peers: [],
    },
    {
      node: { id: 'n', name: 'Hospital A' },
      policy,
      datasets: store,
      ledger,
      floors: { minNodes: 1, minOrganisations: 1 } /* a one-node test of another rule */,
    },
  );
}

describe('privacy ledger', () => {
  it('refuses a query that differs from an earlier one by one patient, through any equivalent filter, across restarts', async () => {
    const ledgerDir = join(dir, 'node');
    let store = await DatasetStore.open([
      { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
    ]);
    let ledger = new PrivacyLedger(ledgerDir);
    expect((await release(store, ledger)).outcome).toBe('completed');
    const minusOne = await release(store, ledger, { column: 'age', op: 'lt', value: oldest });
    expect(minusOne.error?.code).toBe('FH_ERR_DIFFERENCING');
    // the refusal says which rule, not by how many records (that would answer the differencing question)
    expect(minusOne.error?.message).toBe(
      'Hospital A: The query differs from an earlier one by too few records (parameter dataset)',
    );
    // the same selection written differently, by another study, after the node restarts
    store.close();
    ledger.close();
    store = await DatasetStore.open([
      { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
    ]);
    ledger = new PrivacyLedger(ledgerDir);
    const equivalent = await release(store, ledger, { not: { column: 'age', op: 'ge', value: oldest } });
    expect(equivalent.error?.code).toBe('FH_ERR_DIFFERENCING');
    // the identical selection again reveals nothing new; a very different one is fine
    expect((await release(store, ledger)).outcome).toBe('completed');
    expect((await release(store, ledger, { column: 'age', op: 'lt', value: 60 })).outcome).toBe('completed');
    expect(ledger.releases().length).toBe(3);
    store.close();
    ledger.close();
  });
});
