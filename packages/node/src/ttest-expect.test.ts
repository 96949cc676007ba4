/**
 * The t-test's one-sided alternatives, mu and the paired test over three DuckDB-backed nodes with secure
 * aggregation, against R's t.test on the pooled rows (packages/stats/scripts/make-ttest-expect-fixture.R).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateNodeKeys } from '@fedhub/crypto';
import { type ColumnSpec, DisclosurePolicySchema } from '@fedhub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from './datasets/duckdb-store.js';
import { type LocalNode, runLocalFederation } from './local-federation.js';

const fixtures = fileURLToPath(new URL('../../stats/fixtures/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fedhub-ttest-expect-'));
const cohortNodes: LocalNode[] = [];

const COHORT: ColumnSpec[] = [
  { name: 'centre', type: 'categorical', levels: ['A', 'B', 'C'] },
  { name: 'age', type: 'numeric', resolution: 0.001 },
  { name: 'sex', type: 'categorical', levels: ['F', 'M'] },
  { name: 'stage', type: 'categorical', levels: ['I', 'II', 'III', 'IV'] },
  { name: 'dose_gy', type: 'numeric', resolution: 0.001 },
  { name: 'toxicity', type: 'integer', min: 0, max: 1 },
  { name: 'events', type: 'integer' },
  { name: 'exposure', type: 'numeric' },
  { name: 'months', type: 'numeric', min: 0, max: 240 },
  { name: 'dead', type: 'integer' },
  { name: 'w', type: 'numeric' },
  { name: 'score', type: 'numeric' },
];

async function splitByCentre(csv: string, columns: ColumnSpec[], out: LocalNode[], tag: string) {
  const lines = readFileSync(join(fixtures, csv), 'utf8').trim().split('\n');
  const centres = [...new Set(lines.slice(1).map((l) => l.split(',')[0]!))].sort();
  for (const c of centres) {
    const file = join(dir, `${tag}-${c}.csv`);
    writeFileSync(file, `${lines[0]}\n${lines.filter((l) => l.startsWith(`${c},`)).join('\n')}\n`);
    const datasets = await DatasetStore.open([
      { name: 'd', file, format: 'csv', columns, onInvalid: 'reject' },
    ]);
    out.push({
      id: crypto.randomUUID(),
      name: `Centre ${c}`,
      datasets,
      keys: generateNodeKeys(),
      policy: DisclosurePolicySchema.parse({}),
    });
  }
}

beforeAll(async () => {
  await splitByCentre('cohort.csv', COHORT, cohortNodes, 'cohort');
});
afterAll(() => {
  for (const n of cohortNodes) n.datasets.close();
  rmSync(dir, { recursive: true, force: true });
});

const fx = JSON.parse(readFileSync(join(fixtures, 'ttest-expect.json'), 'utf8'), (_k, v) =>
  v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
) as {
  cases: Array<{
    name: string;
    column: string;
    group?: string;
    pairedWith?: string;
    pooled?: boolean;
    alternative: string;
    mu: number;
    confLevel: number;
    statistic: number;
    df: number;
    p: number;
    ciLower: number;
    ciUpper: number;
    estimate: number;
  }>;
};
const close = (a: number | null, b: number) =>
  Number.isFinite(b) ? Math.abs(a! - b) <= 1e-9 * Math.max(1, Math.abs(b)) : a === null;

describe('federated t-tests (one-sided, paired) equal R t.test', () => {
  for (const ref of fx.cases) {
    it(ref.name, async () => {
      const { name: _, statistic, df, p, ciLower, ciUpper, estimate, ...args } = ref;
      const { result, transcript } = await runLocalFederation(
        'ttest',
        { dataset: 'd', ...args },
        cohortNodes,
      );
      // the result crosses JSON (an infinite interval end becomes null)
      const r = JSON.parse(JSON.stringify(result)) as Record<string, number | null>;
      expect(close(r['statistic']!, statistic)).toBe(true);
      expect(close(r['df']!, df)).toBe(true);
      expect(Math.abs(r['pValue']! - p)).toBeLessThan(1e-9);
      expect(close(r['ciLower']!, ciLower)).toBe(true);
      expect(close(r['ciUpper']!, ciUpper)).toBe(true);
      expect(close(r['difference']!, estimate)).toBe(true);
      for (const round of transcript)
        for (const payload of round) expect(payload).not.toHaveProperty('additive');
    });
  }
  it('refuses both or neither of group and pairedWith', async () => {
    await expect(runLocalFederation('ttest', { dataset: 'd', column: 'age' }, cohortNodes)).rejects.toThrow(
      /give either .*group.* or .*pairedWith/,
    );
  });
});
