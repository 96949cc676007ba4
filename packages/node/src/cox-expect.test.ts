/**
 * coxph's per-term Wald tests and cox.zph's proportional-hazards test over three DuckDB-backed nodes with
 * secure aggregation, against R on the pooled, coarsened rows (packages/stats/scripts/make-cox-expect-fixture.R).
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
const dir = mkdtempSync(join(tmpdir(), 'fedhub-cox-expect-'));
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

const fx = JSON.parse(readFileSync(join(fixtures, 'cox-expect.json'), 'utf8')) as {
  resolution: number;
  fits: Array<{
    name: string;
    formula: string;
    ties: 'efron' | 'breslow';
    terms: string[];
    waldChisq: number[];
    waldDf: number[];
    zph: Array<{ transform: 'km' | 'identity'; terms: string[]; chisq: number[]; df: number[] }>;
  }>;
};
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
type Row = { term: string; chisq: number; df: number; pValue: number };

describe('federated coxph term tests and cox.zph equal R', () => {
  for (const ref of fx.fits) {
    for (const z of ref.zph) {
      it(`${ref.name} (${z.transform}): ${ref.formula}`, async () => {
        const params = {
          dataset: 'd',
          formula: ref.formula.replace('Surv(tc,', 'Surv(months,'),
          ties: ref.ties,
          timeResolution: fx.resolution,
          phTest: z.transform,
        };
        const { result, transcript } = await runLocalFederation('coxph', params, cohortNodes);
        const r = result as { termTests: Row[]; proportionalHazards: { transform: string; table: Row[] } };
        expect(r.termTests.map((t) => t.term)).toEqual(ref.terms);
        r.termTests.forEach((t, k) => {
          expect(rel(t.chisq, ref.waldChisq[k]!)).toBeLessThan(1e-6);
          expect(t.df).toBe(ref.waldDf[k]);
        });
        expect(r.proportionalHazards.transform).toBe(z.transform);
        expect(r.proportionalHazards.table.map((t) => t.term)).toEqual(z.terms);
        r.proportionalHazards.table.forEach((t, k) => {
          expect(rel(t.chisq, z.chisq[k]!)).toBeLessThan(1e-6);
          expect(t.df).toBe(z.df[k]);
        });
        for (const round of transcript.slice(1))
          for (const payload of round) expect(payload).not.toHaveProperty('additive');
      });
    }
  }
});
