/**
 * An opt-in differentially private release on a real local federation: three DuckDB-backed nodes, two
 * under differential privacy (one Laplace, one discrete Gaussian) and one exact. The pooled result lists
 * each noisy node's noise description and differs from the exact pooled result by no more than the noise
 * allows; the exact node contributes its exact counts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNodeKeys } from '@fedhub/crypto';
import { DisclosurePolicySchema } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../datasets/duckdb-store.js';
import { type LocalNode, runLocalFederation } from '../local-federation.js';
import { BudgetLedger } from './budget-ledger.js';
import { PrivacyConfigSchema } from './dp-config.js';
import { QuotaLedger } from './quota-ledger.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-dp-fed-'));
const policy = DisclosurePolicySchema.parse({});
const exactNodes: LocalNode[] = [];
const dpNodes: LocalNode[] = [];
const closers: Array<() => void> = [];
const MECHANISMS = ['laplace', 'discrete-gaussian', null] as const;

beforeAll(async () => {
  for (const [i, centre] of DEMO_CENTRES.slice(0, 3).entries()) {
    const file = join(dir, `c${i}.csv`);
    writeFileSync(file, toCsv(generateCohort(centre, 250, 100 + i)));
    const datasets = await DatasetStore.open([
      { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
    ]);
    closers.push(() => datasets.close());
    const base = { id: `node-${i}`, name: centre.name, datasets, keys: generateNodeKeys(), policy };
    exactNodes.push(base);
    const mechanism = MECHANISMS[i];
    if (!mechanism) {
      dpNodes.push(base);
      continue;
    }
    const budget = new BudgetLedger(join(dir, `node-${i}`));
    const quota = new QuotaLedger(join(dir, `node-${i}`));
    closers.push(() => {
      budget.close();
      quota.close();
    });
    const config = PrivacyConfigSchema.parse({
      differential: [
        {
          dataset: 'cohort',
          mechanism,
          budget: { epsilon: 3, delta: 1e-5 },
          perRelease: { epsilon: 1, delta: 1e-6 },
        },
      ],
    });
    dpNodes.push({ ...base, privacy: { config, budget, quota } });
  }
});
afterAll(() => {
  for (const c of closers) c();
  rmSync(dir, { recursive: true, force: true });
});

describe('differential privacy on a local federation', () => {
  it('pools noisy crosstab cells within the noise of the exact table and lists the noise per node', async () => {
    const params = { dataset: 'cohort', rows: 'sex', cols: 'stage' };
    const exact = (await runLocalFederation('crosstab', params, exactNodes)).result as {
      total: number;
      counts: number[][];
      privacy?: unknown;
    };
    const noisy = (await runLocalFederation('crosstab', params, dpNodes, { studyId: 'study-1' })).result as {
      total: number;
      counts: number[][];
      privacy: Array<{
        node: string;
        mechanism: string;
        epsilon: number;
        delta: number;
        components: Array<{ sd: number }>;
      }>;
    };
    expect(exact.privacy).toBeUndefined();
    expect(exact.total).toBe(750);
    expect(noisy.privacy.map((p) => [p.node, p.mechanism, p.epsilon, p.delta])).toEqual([
      [DEMO_CENTRES[0]!.name, 'laplace', 1, 0],
      [DEMO_CENTRES[1]!.name, 'discrete-gaussian', 1, 1e-6],
    ]);
    // 15 cells (2 sexes + missing, 4 stages + missing) of noise per noisy node, clamped at zero
    const sd = Math.sqrt(noisy.privacy.reduce((s, p) => s + 15 * p.components[0]!.sd ** 2, 0));
    expect(Math.abs(noisy.total - exact.total)).toBeLessThan(6 * sd + 40);
    // 30 noisy cells all landing on their exact values has probability far below 1e-9
    expect(JSON.stringify(noisy.counts)).not.toBe(JSON.stringify(exact.counts));
  });

  it("refuses once the dataset's budget is spent, whichever the study: 1 (study-1) + 2 x 1 (study-2) fit a budget of 3, a third study gets nothing", async () => {
    const params = { dataset: 'cohort', columns: ['dose_gy'] };
    for (let i = 0; i < 2; i++)
      await expect(
        runLocalFederation('summary', params, dpNodes, { studyId: 'study-2' }),
      ).resolves.toBeDefined();
    await expect(
      runLocalFederation('summary', params, dpNodes, { studyId: 'study-3' }),
    ).rejects.toMatchObject({
      code: 'FH_ERR_NODE_REFUSED',
      details: { code: 'FH_ERR_BUDGET_EXHAUSTED' },
    });
  });
});
