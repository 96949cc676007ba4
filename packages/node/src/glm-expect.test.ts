/**
 * The GLM's additions over three DuckDB-backed nodes with secure aggregation, against R on the pooled rows
 * (packages/stats/scripts/make-glm-expect-fixture.R): quasi families, the negative binomial over uneven
 * centres (MASS::glm.nb), sequential likelihood-ratio tests (anova(fit, test = "Chisq")), and robust
 * (sandwich::vcovHC HC0) and cluster-robust by centre (vcovCL) standard errors.
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
const dir = mkdtempSync(join(tmpdir(), 'fedhub-glm-expect-'));
const cohortNodes: LocalNode[] = [];
const nbNodes: LocalNode[] = [];

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
const NEGBIN: ColumnSpec[] = [
  { name: 'centre', type: 'categorical', levels: ['A', 'B', 'C'] },
  { name: 'x', type: 'numeric', resolution: 0.001 },
  { name: 'grp', type: 'categorical', levels: ['a', 'b', 'c'] },
  { name: 'expo', type: 'numeric' },
  { name: 'y', type: 'integer' },
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
  await splitByCentre('negbin.csv', NEGBIN, nbNodes, 'nb');
});
afterAll(() => {
  for (const n of [...cohortNodes, ...nbNodes]) n.datasets.close();
  rmSync(dir, { recursive: true, force: true });
});

interface FitRef {
  name: string;
  formula: string;
  family: string;
  weights: string;
  names: string[];
  estimate: number[];
  se: number[];
  p: number[];
  deviance: number;
  nullDeviance: number;
  dispersion: number;
  theta?: number;
  seTheta?: number;
  aic?: number | null;
}
const fx = JSON.parse(readFileSync(join(fixtures, 'glm-expect.json'), 'utf8')) as {
  families: FitRef[];
  negativeBinomial: FitRef;
  anova: Array<{
    name: string;
    formula: string;
    family: string;
    weights: string;
    terms: string[];
    df: number[];
    deviance: number[];
    p: number[];
  }>;
  robust: Array<{
    name: string;
    formula: string;
    family: string;
    weights: string;
    hc0: number[];
    cluster: number[];
  }>;
};
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

interface Result {
  family: string;
  statistic: string;
  coefficients: Array<{ term: string; estimate: number; stdError: number; pValue: number }>;
  deviance: number;
  nullDeviance: number;
  dispersion: number;
  aic: number | null;
  theta?: number;
  seTheta?: number;
  robust?: {
    type: string;
    clusters?: number;
    covariance: number[];
    coefficients: Array<{ stdError: number }>;
  };
  anova?: Array<{ term: string; df: number; deviance: number; pValue: number }>;
}
const params = (f: { formula: string; family: string; weights: string }, extra: object = {}) => ({
  dataset: 'd',
  formula: f.formula,
  family: f.family,
  ...(f.weights ? { weights: f.weights } : {}),
  ...extra,
});
/** every model round crossed the hub masked: no node's partial in the clear */
function masked(transcript: unknown[][]): void {
  for (const round of transcript.slice(1))
    for (const payload of round) expect(payload).not.toHaveProperty('additive');
}

describe('federated quasi families and negative binomial equal R', () => {
  for (const ref of fx.families) {
    it(`${ref.name}: ${ref.formula}`, async () => {
      const { result, transcript } = await runLocalFederation('glm', params(ref), cohortNodes);
      const r = result as unknown as Result;
      expect(r.family).toBe(ref.family);
      expect(r.statistic).toBe('t');
      r.coefficients.forEach((c, j) => {
        expect(rel(c.estimate, ref.estimate[j]!)).toBeLessThan(1e-6);
        expect(rel(c.stdError, ref.se[j]!)).toBeLessThan(1e-6);
        expect(rel(c.pValue, ref.p[j]!)).toBeLessThan(1e-5);
      });
      expect(rel(r.dispersion, ref.dispersion)).toBeLessThan(1e-8);
      expect(r.aic).toBeNull();
      masked(transcript);
    });
  }
  it(`negative binomial: ${fx.negativeBinomial.formula} over centres of 900, 400 and 150 rows`, async () => {
    const ref = fx.negativeBinomial;
    const { result, transcript } = await runLocalFederation('glm', params(ref), nbNodes, { maxRounds: 200 });
    const r = result as unknown as Result;
    expect(r.family).toBe('negative.binomial');
    expect(r.coefficients.map((c) => c.term)).toEqual(ref.names);
    expect(rel(r.theta!, ref.theta!)).toBeLessThan(1e-7);
    expect(rel(r.seTheta!, ref.seTheta!)).toBeLessThan(1e-5);
    r.coefficients.forEach((c, j) => {
      expect(rel(c.estimate, ref.estimate[j]!)).toBeLessThan(1e-7);
      expect(rel(c.stdError, ref.se[j]!)).toBeLessThan(1e-7);
    });
    expect(rel(r.deviance, ref.deviance)).toBeLessThan(1e-7);
    expect(rel(r.nullDeviance, ref.nullDeviance)).toBeLessThan(1e-7);
    expect(rel(r.aic!, ref.aic!)).toBeLessThan(1e-9);
    masked(transcript);
  });
});

describe('federated likelihood-ratio tests equal anova(fit, test = "Chisq")', () => {
  for (const ref of fx.anova) {
    it(`${ref.name}: ${ref.formula}`, async () => {
      const { result, transcript } = await runLocalFederation(
        'glm',
        params(ref, { anova: true }),
        cohortNodes,
        {
          maxRounds: 200,
        },
      );
      const a = (result as unknown as Result).anova!;
      expect(a.map((x) => x.term)).toEqual(ref.terms);
      expect(a.map((x) => x.df)).toEqual(ref.df);
      a.forEach((x, k) => {
        expect(Math.abs(x.deviance - ref.deviance[k]!)).toBeLessThan(1e-6);
        expect(rel(x.pValue, ref.p[k]!)).toBeLessThan(1e-4);
      });
      masked(transcript);
    });
  }
});

describe('federated robust standard errors equal sandwich::vcovHC / vcovCL(cluster = ~centre)', () => {
  for (const ref of fx.robust) {
    for (const kind of ['HC0', 'cluster-centre', 'cluster-column'] as const) {
      it(`${ref.name} ${kind}: ${ref.formula}`, async () => {
        const extra = { robust: kind, ...(kind === 'cluster-column' ? { clusterColumn: 'centre' } : {}) };
        const { result, transcript } = await runLocalFederation('glm', params(ref, extra), cohortNodes);
        const rob = (result as unknown as Result).robust!;
        expect(rob.type).toBe(kind);
        const want = kind === 'HC0' ? ref.hc0 : ref.cluster;
        rob.covariance.forEach((v, k) => {
          expect(Math.abs(v - want[k]!)).toBeLessThan(1e-6 * Math.abs(want[k]!) + 1e-12);
        });
        if (kind !== 'HC0') expect(rob.clusters).toBe(3);
        masked(transcript);
      });
    }
  }
});
