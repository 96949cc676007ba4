/**
 * coxph with a patient id clustering repeated rows, through a federation of three nodes (each centre's
 * patients at its own node), against R's coxph(..., cluster = patient_id) on the pooled, coarsened rows
 * (packages/stats/scripts/make-survival-strata-fixture.R, which writes the patient file). The cluster ids
 * never leave a node: each node sums its records' score residuals per patient and sends only the sum over
 * its patients of their outer products (secure-aggregated). Exact when every patient's rows lie at one node,
 * which no node can check without sharing ids: fedhub assumes it (docs/privacy.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLocalFederation } from '@fedhub/node';
import type { ColumnSpec } from '@fedhub/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  rel,
  STATS_FIXTURES,
  statsFixture,
  useReferenceFederation,
} from '../test-support/reference-federation.js';

const fed = useReferenceFederation();

interface ClusterRef {
  ties: 'efron' | 'breslow';
  names: string[];
  coef: number[];
  se: number[];
  robustSe: number[];
  robustScore: number;
}
const fx = statsFixture<{
  patients: { rows: number; patients: number; efron: ClusterRef; breslow: ClusterRef };
}>('survival-strata.json');

const COLUMNS: ColumnSpec[] = [
  { name: 'centre', type: 'categorical', levels: ['A', 'B', 'C'] },
  { name: 'patient_id', type: 'integer' },
  { name: 'age', type: 'numeric', resolution: 0.001 },
  { name: 'sex', type: 'categorical', levels: ['F', 'M'] },
  { name: 'months', type: 'numeric', min: 0, max: 240 },
  { name: 'dead', type: 'integer', min: 0, max: 1 },
];

interface Result {
  n: number;
  coefficients: Array<{ term: string; estimate: number; stdError: number }>;
  robust: {
    cluster: string;
    clusters: number;
    coefficients: Array<{ term: string; robustSe: number }>;
    score: { statistic: number | null };
  };
}

describe('coxph clustered by patient (repeated rows) across nodes equals coxph(..., cluster = patient_id)', () => {
  let nodes: Awaited<ReturnType<typeof fed.node>>[] = [];
  beforeAll(async () => {
    const lines = readFileSync(join(STATS_FIXTURES, 'patients.csv'), 'utf8').trim().split('\n');
    nodes = [];
    for (const c of ['A', 'B', 'C']) {
      const file = join(fed.dir, `patients-${c}.csv`);
      writeFileSync(file, `${lines[0]}\n${lines.filter((l) => l.startsWith(`${c},`)).join('\n')}\n`);
      nodes.push(await fed.node(`Centre ${c}`, 'patients', file, COLUMNS));
    }
  });
  const run = async (ties: 'efron' | 'breslow', extra: Record<string, unknown> = { cluster: 'patient_id' }) =>
    (
      await runLocalFederation(
        'coxph',
        { dataset: 'patients', formula: 'Surv(months, dead) ~ age + sex', ties, timeResolution: 1, ...extra },
        nodes,
      )
    ).result as unknown as Result;

  it.each(['efron', 'breslow'] as const)(
    '%s: coefficients, naive and cluster-robust SEs, robust score test to 1e-6',
    async (ties) => {
      const want = fx.patients[ties];
      const r = await run(ties);
      expect(r.n).toBe(fx.patients.rows);
      expect(r.robust.cluster).toBe('patient_id');
      // each patient's rows at one node: the clusters of all nodes are the patients
      expect(r.robust.clusters).toBe(fx.patients.patients);
      expect(r.coefficients.map((c) => c.term)).toEqual(want.names);
      r.coefficients.forEach((c, j) => {
        expect(rel(c.estimate, want.coef[j]!)).toBeLessThan(1e-6);
        expect(rel(c.stdError, want.se[j]!)).toBeLessThan(1e-6);
      });
      r.robust.coefficients.forEach((c, j) => {
        expect(rel(c.robustSe, want.robustSe[j]!)).toBeLessThan(1e-6);
      });
      expect(rel(r.robust.score.statistic!, want.robustScore)).toBeLessThan(1e-6);
    },
  );

  it("the patient clusters change the SEs: rows treated as independent (robust: true) do not give R's cluster SEs", async () => {
    const want = fx.patients.efron;
    const r = await run('efron', { robust: true });
    expect(r.robust.clusters).toBe(fx.patients.rows);
    expect(rel(r.robust.coefficients[1]!.robustSe, want.robustSe[1]!)).toBeGreaterThan(1e-3);
  });
});
