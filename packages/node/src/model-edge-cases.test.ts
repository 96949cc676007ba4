/**
 * Edge cases a statistician tries, through three DuckDB-backed nodes, against R
 * (packages/stats/scripts/make-edge-fixture.R): a Gaussian GLM with zero prior weights, covariates in
 * extreme units (about 5e6 and 5e-7) in GLMs and Cox, perfect separation in a binomial GLM and a
 * monotone likelihood in Cox, which must be reported as coded warnings, not passed silently.
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
const dir = mkdtempSync(join(tmpdir(), 'fedhub-edge-'));
const nodes: LocalNode[] = [];
interface GlmRef {
  name: string;
  names: string[];
  estimate: number[];
  se: number[];
  deviance: number;
  aic: number;
  dfResidual: number;
  dispersion: number;
  aicPositiveWeights: number;
  missingDropped?: number;
  warnings: string[];
}
interface CoxRef {
  name: string;
  names: string[];
  coef: number[];
  se: number[];
  loglik: number[];
  warnings: string[];
}
const ref = JSON.parse(readFileSync(join(fixtures, 'edge-cases.json'), 'utf8'), (_k, v) =>
  v === 'Infinity' ? Number.POSITIVE_INFINITY : v,
) as { glm: GlmRef[]; cox: CoxRef[] };
const glmRef = (name: string) => ref.glm.find((f) => f.name === name)!;
const coxRef = (name: string) => ref.cox.find((f) => f.name === name)!;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// levels and the time range declared, as a node's dictionary must for factors, strata and event times
const DICTIONARY: ColumnSpec[] = [
  { name: 'centre', type: 'categorical', levels: ['A', 'B', 'C'] },
  ...['x', 'z', 'big', 'tiny', 'y', 'w', 'ymiss'].map((name) => ({ name, type: 'numeric' as const })),
  { name: 'time', type: 'numeric', min: 0, max: 240 },
  ...['ybin', 'sep', 'grp', 'status', 'mono'].map((name) => ({
    name,
    type: 'integer' as const,
    min: 0,
    max: 1,
  })),
];

beforeAll(async () => {
  const lines = readFileSync(join(fixtures, 'edge-cases.csv'), 'utf8').trim().split('\n');
  for (const c of ['A', 'B', 'C']) {
    const file = join(dir, `${c}.csv`);
    writeFileSync(file, `${lines[0]}\n${lines.filter((l) => l.startsWith(`${c},`)).join('\n')}\n`);
    const datasets = await DatasetStore.open([
      { name: 'edge', file, format: 'csv', columns: DICTIONARY, onInvalid: 'reject' },
    ]);
    nodes.push({
      id: crypto.randomUUID(),
      name: `Centre ${c}`,
      datasets,
      keys: generateNodeKeys(),
      policy: DisclosurePolicySchema.parse({}),
    });
  }
});
afterAll(() => {
  for (const n of nodes) n.datasets.close();
  rmSync(dir, { recursive: true, force: true });
});

interface GlmResult {
  coefficients: Array<{ term: string; estimate: number; stdError: number }>;
  deviance: number;
  aic: number | null;
  dfResidual: number;
  dispersion: number;
  converged: boolean;
  warnings: Array<{ code: string; message: string }>;
}
interface CoxResult {
  coefficients: Array<{ term: string; estimate: number; stdError: number }>;
  loglik: number[];
  converged: boolean;
  warnings: Array<{ code: string; message: string }>;
}

function expectGlmEqualsR(r: GlmResult, f: GlmRef, tol: number) {
  expect(r.coefficients.map((c) => c.term)).toEqual(f.names);
  r.coefficients.forEach((c, j) => {
    expect(rel(c.estimate, f.estimate[j]!)).toBeLessThan(tol);
    expect(rel(c.stdError, f.se[j]!)).toBeLessThan(tol);
  });
  expect(rel(r.deviance, f.deviance)).toBeLessThan(tol);
  expect(r.dfResidual).toBe(f.dfResidual);
  expect(rel(r.dispersion, f.dispersion)).toBeLessThan(tol);
}

describe('GLM edge cases equal R', () => {
  it('Gaussian with some zero prior weights fits as R (AIC of the weighted rows: R says Inf)', async () => {
    const { result } = await runLocalFederation(
      'glm',
      { dataset: 'edge', formula: 'y ~ x + z', family: 'gaussian', weights: 'w' },
      nodes,
    );
    const r = result as unknown as GlmResult;
    const f = glmRef('gaussian zero weights');
    expectGlmEqualsR(r, f, 1e-9);
    expect(f.aic).toBe(Number.POSITIVE_INFINITY);
    expect(rel(r.aic!, f.aicPositiveWeights)).toBeLessThan(1e-9);
    expect(r.warnings.map((w) => w.code)).not.toContain('FH_WARN_SEPARATION');
  });
  it('covariates in extreme units (5e6, 5e-7) fit as R, Gaussian and binomial', async () => {
    for (const [formula, family, name] of [
      ['y ~ big + tiny', 'gaussian', 'gaussian extreme units'],
      ['ybin ~ big + tiny', 'binomial', 'binomial extreme units'],
    ] as const) {
      const { result } = await runLocalFederation('glm', { dataset: 'edge', formula, family }, nodes);
      const r = result as unknown as GlmResult;
      expectGlmEqualsR(r, glmRef(name), 1e-7);
      expect(r.warnings).toEqual([]);
    }
  });
  it('perfect separation is reported as R reports it: a coded warning, not converged', async () => {
    const { result } = await runLocalFederation(
      'glm',
      { dataset: 'edge', formula: 'sep ~ x + z', family: 'binomial' },
      nodes,
    );
    const r = result as unknown as GlmResult;
    expect(glmRef('binomial separation').warnings).toContain(
      'glm.fit: fitted probabilities numerically 0 or 1 occurred',
    );
    const codes = r.warnings.map((w) => w.code);
    expect(codes).toContain('FH_WARN_SEPARATION');
    expect(r.warnings.find((w) => w.code === 'FH_WARN_SEPARATION')!.message).toMatch(/numerically 0 or 1/);
  });
});

describe('GLM rows dropped for missing values', () => {
  it('are counted as R counts them (na.action) and said in a coded warning', async () => {
    const { result } = await runLocalFederation(
      'glm',
      { dataset: 'edge', formula: 'ymiss ~ x + z', family: 'gaussian' },
      nodes,
    );
    const r = result as unknown as GlmResult & { missingDropped: { dropped: number; nodesWithFew: number } };
    const f = glmRef('gaussian with missing outcomes');
    expectGlmEqualsR(r, f, 1e-9);
    expect(r.missingDropped.dropped).toBe(f.missingDropped);
    expect(r.missingDropped.nodesWithFew).toBe(0);
    const w = r.warnings.find((x) => x.code === 'FH_WARN_MISSING_DROPPED');
    expect(w?.message).toMatch(
      new RegExp(`^Records with a missing value were dropped: ${f.missingDropped} records`),
    );
  });
});

describe('Cox edge cases equal R', () => {
  it('covariates in extreme units fit as R', async () => {
    const { result } = await runLocalFederation(
      'coxph',
      { dataset: 'edge', formula: 'Surv(time, status) ~ big + tiny', ties: 'breslow', timeResolution: 1 },
      nodes,
    );
    const r = result as unknown as CoxResult;
    const f = coxRef('cox extreme units');
    r.coefficients.forEach((c, j) => {
      expect(rel(c.estimate, f.coef[j]!)).toBeLessThan(1e-7);
      expect(rel(c.stdError, f.se[j]!)).toBeLessThan(1e-7);
    });
    expect(r.warnings).toEqual([]);
  });
  it('strata() written first, and strata(a, b), as R', async () => {
    for (const [formula, name] of [
      ['Surv(time, status) ~ strata(centre) + x + z', 'cox strata first'],
      ['Surv(time, status) ~ x + strata(centre, grp)', 'cox strata of two variables'],
    ] as const) {
      const { result } = await runLocalFederation(
        'coxph',
        { dataset: 'edge', formula, ties: 'breslow', timeResolution: 1 },
        nodes,
      );
      const r = result as unknown as CoxResult;
      const f = coxRef(name);
      expect(r.coefficients.map((c) => c.term)).toEqual(f.names);
      r.coefficients.forEach((c, j) => {
        expect(rel(c.estimate, f.coef[j]!)).toBeLessThan(1e-9);
        expect(rel(c.stdError, f.se[j]!)).toBeLessThan(1e-9);
      });
      expect(rel(r.loglik[1]!, f.loglik[1]!)).toBeLessThan(1e-12);
    }
  });
  it('a monotone likelihood is not "converged": coded warning naming the term', async () => {
    const { result } = await runLocalFederation(
      'coxph',
      { dataset: 'edge', formula: 'Surv(time, mono) ~ grp + x', ties: 'breslow', timeResolution: 1 },
      nodes,
    );
    const r = result as unknown as CoxResult;
    expect(coxRef('cox monotone likelihood').warnings[0]).toMatch(/Loglik converged before variable +1 ;/);
    expect(r.converged).toBe(false);
    expect(r.warnings.map((w) => w.code)).toEqual(['FH_WARN_INFINITE_ESTIMATE']);
    expect(r.warnings[0]!.message).toMatch(/grp/);
    expect(r.warnings[0]!.message).not.toMatch(/\bx\b/);
  });
});
