/**
 * Logistic NTCP on a DVH metric computed at the node (issue 17): three in-process nodes hold analytic
 * phantom patients (RT Dose with a linear gradient over a sphere named "rectum", mapped to TG-263
 * `Rectum`) and an outcomes table; `dvh-extract` computes gEUD (n = 0.25) and the mean dose per patient
 * into a derived dataset joined to the outcomes, and the existing `glm` fits
 * `y ~ geud_n_0_25` (binomial) on it. The fit must equal R's `glm` on the same per-patient values:
 * `fixtures/ntcp-logistic/data.csv` holds the values the nodes computed (checked here against the nodes'
 * tables again, so the fixture cannot drift from the pipeline) and `fixtures/ntcp-logistic/r-glm.json`
 * R's fit, made by `scripts/make-ntcp-logistic-fixture.R`. To remake the data file after a change to the
 * DVH engine: `FEDHUB_WRITE_FIXTURE=1 npx vitest run packages/node/src/ntcp-logistic.test.ts` (from the root), then the
 * R script.
 *
 * Validation of NTCP models across the centres, with the existing `validate`: dvh-extract computes at each
 * node the gEUD and a frozen LKB model's probability (metric NTCP_LKB(TD50=38,m=0.2,n=0.25)); `validate`
 * then takes a frozen logistic formula on the gEUD, and the LKB probability as a score column. The AUC and
 * Brier score per centre and pooled equal R's on the same values (`scripts/make-ntcp-validate-fixture.R`,
 * `fixtures/ntcp-logistic/r-validate.json`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImagingSeries, ImagingSource } from '@fedhub/algorithms';
import { generateNodeKeys } from '@fedhub/crypto';
import { DisclosurePolicySchema } from '@fedhub/protocol';
import { type Shape, writePhantom } from '@fedhub/rt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from './datasets/duckdb-store.js';
import { type LocalNode, runLocalFederation } from './local-federation.js';

const FIXTURES = new URL('../fixtures/ntcp-logistic/', import.meta.url);
const NODES = 3;
const PATIENTS = 16;
const dir = mkdtempSync(join(tmpdir(), 'fedhub-ntcp-'));
const nodes: LocalNode[] = [];
const organ: Shape = { kind: 'sphere', centre: [0, 0, 0], radius: 10 };

// patient dose level and a complication drawn once from a fixed linear congruential sequence (so the
// outcome depends on dose but is not separable, and the data are the same on every run)
const level = (n: number, i: number) => 22 + 2.1 * i + 1.3 * n;
function outcomes(): number[][] {
  let s = 20_171;
  const u = () => {
    s = (s * 48_271) % 2_147_483_647;
    return s / 2_147_483_647;
  };
  return Array.from({ length: NODES }, (_, n) =>
    Array.from({ length: PATIENTS }, (_, i) => (u() < 1 / (1 + Math.exp(-(level(n, i) - 36) / 5)) ? 1 : 0)),
  );
}

function imagingOf(n: number): ImagingSource {
  const files = new Map<string, Uint8Array[]>();
  const series: ImagingSeries[] = [];
  for (let i = 0; i < PATIENTS; i++) {
    const id = `N${n}P${i}`;
    // a steeper gradient for later patients, so gEUD and mean dose are not proportional
    const { files: rt } = writePhantom({
      patientId: id,
      structures: [{ name: 'rectum', shape: organ }],
      dose: (p) => level(n, i) + (0.4 + 0.05 * i) * p[1] + 0.3 * p[2],
    });
    files.set(`${id}/dose`, [rt[0]!.bytes]);
    files.set(`${id}/rs`, [rt[1]!.bytes]);
    for (const [uid, modality] of [
      [`${id}/dose`, 'RTDOSE'],
      [`${id}/rs`, 'RTSTRUCT'],
    ] as const)
      series.push({
        patientPseudonym: id,
        studyInstanceUid: `${id}/study`,
        seriesInstanceUid: uid,
        modality,
      });
  }
  return {
    series: async () => series,
    files: async (uid) => files.get(uid) ?? [],
    structureNames: { rectum: 'Rectum' },
  };
}

beforeAll(async () => {
  const y = outcomes();
  for (let n = 0; n < NODES; n++) {
    const file = join(dir, `outcomes-${n}.csv`);
    writeFileSync(file, `patient_id,y\n${y[n]!.map((v, i) => `N${n}P${i},${v}`).join('\n')}\n`);
    nodes.push({
      id: crypto.randomUUID(),
      name: `Centre ${n + 1}`,
      datasets: await DatasetStore.open([
        {
          name: 'outcomes',
          file,
          format: 'csv',
          columns: [
            { name: 'patient_id', type: 'categorical', identifier: true },
            { name: 'y', type: 'integer' },
          ],
          onInvalid: 'reject',
        },
      ]),
      keys: generateNodeKeys(),
      policy: DisclosurePolicySchema.parse({ minCellCount: 3, minSubsetSize: 5 }),
      floors: { minNodes: 1, minOrganisations: 1 },
      imaging: imagingOf(n),
    });
  }
}, 120_000);
afterAll(() => {
  for (const n of nodes) n.datasets.close();
  rmSync(dir, { recursive: true, force: true });
});

interface RFit {
  coefficients: Array<{ term: string; estimate: number; stdError: number; z: number; pValue: number }>;
  deviance: number;
  nullDeviance: number;
  aic: number;
  ciLower: number[];
  ciUpper: number[];
}

describe('logistic NTCP on a DVH metric computed at the node', () => {
  it("equals R's glm on the per-patient gEUD the nodes computed", async () => {
    const extract = await runLocalFederation(
      'dvh-extract',
      {
        output: 'dvh',
        metrics: ['gEUD(n=0.25)'],
        join: { dataset: 'outcomes', column: 'patient_id' },
        samples: 100_000,
      },
      nodes,
      { secureAggregation: false },
    );
    expect(extract.result).toMatchObject({ processed: NODES * PATIENTS, patients: NODES * PATIENTS });

    // the per-patient values the nodes hold (read here only to tie the committed fixture to the pipeline)
    const rows: string[] = [];
    for (const [n, node] of nodes.entries()) {
      const { data } = await node.datasets
        .get('dvh')
        .readColumns(['patient_id', 'structure', 'geud_n_0_25', 'mean_gy', 'y'], undefined, {
          groupKeys: ['patient_id'],
        });
      (data.patient_id as string[]).forEach((id, r) => {
        expect((data.structure as string[])[r]).toBe('Rectum');
        rows.push(
          [
            `Centre ${n + 1}`,
            id,
            (data.geud_n_0_25 as Float64Array)[r]!.toPrecision(17),
            (data.mean_gy as Float64Array)[r]!.toPrecision(17),
            (data.y as Float64Array)[r],
          ].join(','),
        );
      });
    }
    const csv = `centre,patient,geud_n_0_25,mean_gy,y\n${rows.sort().join('\n')}\n`;
    const dataFile = new URL('data.csv', FIXTURES);
    if (process.env.FEDHUB_WRITE_FIXTURE === '1') writeFileSync(dataFile, csv);
    const committed = readFileSync(dataFile, 'utf8').trim().split('\n').slice(1);
    const ours = csv.trim().split('\n').slice(1);
    expect(ours.length).toBe(committed.length);
    ours.forEach((line, k) => {
      const [c, p, g, m, y] = line.split(',');
      const [c2, p2, g2, m2, y2] = committed[k]!.split(',');
      expect([c, p, y]).toEqual([c2, p2, y2]);
      expect(Math.abs(Number(g) / Number(g2) - 1)).toBeLessThan(1e-12);
      expect(Math.abs(Number(m) / Number(m2) - 1)).toBeLessThan(1e-12);
    });

    const { result } = await runLocalFederation(
      'glm',
      { dataset: 'dvh', formula: 'y ~ geud_n_0_25', family: 'binomial' },
      nodes,
      { secureAggregation: false },
    );
    const fit = result as unknown as {
      coefficients: Array<{
        term: string;
        estimate: number;
        stdError: number;
        pValue: number;
        ciLower: number;
        ciUpper: number;
      }>;
      deviance: number;
      nullDeviance: number;
      aic: number;
      n: number;
    };
    const R = JSON.parse(readFileSync(new URL('r-glm.json', FIXTURES), 'utf8')) as RFit;
    expect(fit.n).toBe(NODES * PATIENTS);
    expect(fit.coefficients.map((c) => c.term)).toEqual(R.coefficients.map((c) => c.term));
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-12, Math.abs(b));
    fit.coefficients.forEach((c, j) => {
      const r = R.coefficients[j]!;
      expect(rel(c.estimate, r.estimate)).toBeLessThan(1e-6);
      expect(rel(c.stdError, r.stdError)).toBeLessThan(1e-6);
      expect(rel(c.pValue, r.pValue)).toBeLessThan(1e-5);
      // Wald intervals as confint.default
      expect(rel(c.ciLower, R.ciLower[j]!)).toBeLessThan(1e-6);
      expect(rel(c.ciUpper, R.ciUpper[j]!)).toBeLessThan(1e-6);
    });
    expect(rel(fit.deviance, R.deviance)).toBeLessThan(1e-8);
    expect(rel(fit.nullDeviance, R.nullDeviance)).toBeLessThan(1e-8);
    expect(rel(fit.aic, R.aic)).toBeLessThan(1e-8);
    // and the slope is an NTCP dose response: the complication grows with gEUD
    expect(fit.coefficients[1]!.estimate).toBeGreaterThan(0);
  }, 300_000);
});

interface RValidation {
  pooled: { n: number; events: number; auc: number; brier: number };
  centres: Record<string, { n: number; events: number; auc: number; brier: number }>;
}

describe('validation of NTCP models across centres', () => {
  it('a frozen logistic formula on gEUD and a frozen LKB model: AUC and Brier per centre equal R', async () => {
    await runLocalFederation(
      'dvh-extract',
      {
        output: 'dvh_validation',
        metrics: ['gEUD(n=0.25)', 'NTCP_LKB(TD50=38,m=0.2,n=0.25)'],
        join: { dataset: 'outcomes', column: 'patient_id' },
        samples: 100_000,
      },
      nodes,
      { secureAggregation: false },
    );
    const R = JSON.parse(readFileSync(new URL('r-validate.json', FIXTURES), 'utf8')) as Record<
      'logistic' | 'lkb',
      RValidation
    >;
    // cells of one patient allowed, so that no score bin is merged and the numbers compare with R exactly
    const permissive = nodes.map((n) => ({ ...n, policy: { ...n.policy, minCellCount: 1 } }));
    const models = {
      logistic: { formula: '~ geud_n_0_25', coefficients: { '(Intercept)': -9, geud_n_0_25: 0.25 } },
      lkb: { score: 'ntcp_lkb_td50_38_m_0_2_n_0_25' },
    } as const;
    for (const name of ['logistic', 'lkb'] as const) {
      const { result } = await runLocalFederation(
        'validate',
        { dataset: 'dvh_validation', outcome: 'y', model: models[name], scoreResolution: 0.0001 },
        permissive,
      );
      const v = result as unknown as {
        pooled: { n: number; events: number; auc: number; brier: number };
        perCentre: Array<{ centre: string; n: number; events: number; auc: number; brier: number }>;
      };
      const ref = R[name];
      expect([v.pooled.n, v.pooled.events]).toEqual([ref.pooled.n, ref.pooled.events]);
      // AUC from score histograms at 1e-4 (exact unless two patients share a bin); Brier from bin means
      expect(Math.abs(v.pooled.auc - ref.pooled.auc)).toBeLessThan(1e-9);
      expect(Math.abs(v.pooled.brier - ref.pooled.brier)).toBeLessThan(1e-4);
      expect(v.perCentre.map((c) => c.centre).sort()).toEqual(Object.keys(ref.centres).sort());
      for (const c of v.perCentre) {
        const rc = ref.centres[c.centre]!;
        expect([c.n, c.events]).toEqual([rc.n, rc.events]);
        expect(Math.abs(c.auc - rc.auc)).toBeLessThan(1e-9);
        expect(Math.abs(c.brier - rc.brier)).toBeLessThan(1e-4);
      }
    }
  }, 120_000);
});
