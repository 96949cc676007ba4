/**
 * The federated chi-square test over three DuckDB-backed nodes with missing values in both columns,
 * against R's chisq.test(table(arm, response)) (missing dropped), with useNA = "ifany" (kept as a
 * level), and fisher.test on the pooled table (packages/stats/scripts/make-chisq-missing-fixture.R).
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
const dir = mkdtempSync(join(tmpdir(), 'fedhub-chisq-'));
const nodes: LocalNode[] = [];
const ref = JSON.parse(readFileSync(join(fixtures, 'chisq-missing.json'), 'utf8')) as {
  dropped: { statistic: number; df: number; p: number; counts: number[]; n: number; fisherP: number };
  kept: { statistic: number; df: number; p: number; n: number };
  rows: string[];
  cols: string[];
  smallExpected: number;
  smallExpectedKept: number;
};
const DICTIONARY: ColumnSpec[] = [
  { name: 'centre', type: 'categorical' },
  { name: 'arm', type: 'categorical', levels: ['drug', 'placebo'] },
  { name: 'response', type: 'categorical', levels: ['complete', 'none', 'partial'] },
];
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

beforeAll(async () => {
  const lines = readFileSync(join(fixtures, 'chisq-missing.csv'), 'utf8').trim().split('\n');
  for (const c of ['A', 'B', 'C']) {
    const file = join(dir, `${c}.csv`);
    writeFileSync(file, `${lines[0]}\n${lines.filter((l) => l.startsWith(`${c},`)).join('\n')}\n`);
    const datasets = await DatasetStore.open([
      { name: 'trial', file, format: 'csv', columns: DICTIONARY, onInvalid: 'reject' },
    ]);
    nodes.push({
      id: crypto.randomUUID(),
      name: `Centre ${c}`,
      datasets,
      keys: generateNodeKeys(),
      // every cell of this small table is released exactly, so the test sees R's table
      policy: DisclosurePolicySchema.parse({ minCellCount: 1 }),
    });
  }
});
afterAll(() => {
  for (const n of nodes) n.datasets.close();
  rmSync(dir, { recursive: true, force: true });
});

interface ChisqResult {
  rows: string[];
  cols: string[];
  counts: number[][];
  total: number;
  missingDropped: number;
  test: { statistic: number; df: number; pValue: number };
  fisher: { pValue: number } | null;
  warnings: Array<{ code: string; message: string }>;
}

describe('federated chisq with missing values equals R', () => {
  it('drops missing values by default (R chisq.test(table(...))) and gives fisher.test on request', async () => {
    const { result } = await runLocalFederation(
      'chisq',
      { dataset: 'trial', rows: 'arm', cols: 'response', exact: true },
      nodes,
    );
    const r = result as unknown as ChisqResult;
    expect(r.rows).toEqual(ref.rows);
    expect(r.cols).toEqual(ref.cols);
    expect(r.counts.flat()).toEqual(ref.dropped.counts);
    expect(r.total).toBe(ref.dropped.n);
    expect(r.missingDropped).toBe(ref.kept.n - ref.dropped.n);
    expect(rel(r.test.statistic, ref.dropped.statistic)).toBeLessThan(1e-12);
    expect(r.test.df).toBe(ref.dropped.df);
    expect(rel(r.test.pValue, ref.dropped.p)).toBeLessThan(1e-9);
    expect(rel(r.fisher!.pValue, ref.dropped.fisherP)).toBeLessThan(1e-9);
    expect(r.warnings.map((w) => w.code)).toEqual(['FH_WARN_MISSING_DROPPED']);
    expect(r.warnings[0]!.message).toMatch(/20 records/);
  });
  it('keepMissing counts them as a level (R useNA = "ifany") and warns of expected counts under 5', async () => {
    const { result } = await runLocalFederation(
      'chisq',
      { dataset: 'trial', rows: 'arm', cols: 'response', keepMissing: true },
      nodes,
    );
    const r = result as unknown as ChisqResult;
    expect(r.total).toBe(ref.kept.n);
    expect(rel(r.test.statistic, ref.kept.statistic)).toBeLessThan(1e-12);
    expect(r.test.df).toBe(ref.kept.df);
    expect(rel(r.test.pValue, ref.kept.p)).toBeLessThan(1e-9);
    expect(r.fisher).toBeNull();
    const small = r.warnings.find((w) => w.code === 'FH_WARN_SMALL_EXPECTED');
    expect(small?.message).toMatch(new RegExp(`under 5: ${ref.smallExpectedKept} of 12 cells`));
  });
});
