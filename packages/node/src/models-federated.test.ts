/**
 * The federated GLM over three DuckDB-backed nodes with secure aggregation, against R's glm() on the
 * pooled rows (reference numbers from packages/stats/scripts/make-fixtures.R).
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
const dir = mkdtempSync(join(tmpdir(), 'fedhub-glm-'));
const nodes: LocalNode[] = [];

interface RFit {
  name: string;
  formula: string;
  family: 'gaussian' | 'binomial' | 'poisson';
  weights: string;
  names: string[];
  estimate: number[];
  se: number[];
  deviance: number;
  null_deviance?: number;
  nullDeviance?: number;
  aic: number;
  [k: string]: unknown;
}

// levels and ranges declared, as a node's dictionary must for tables (levels come from the dictionary)
const DICTIONARY: ColumnSpec[] = [
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

beforeAll(async () => {
  const lines = readFileSync(join(fixtures, 'cohort.csv'), 'utf8').trim().split('\n');
  const header = lines[0]!;
  const centres = [...new Set(lines.slice(1).map((l) => l.split(',')[0]!))].sort();
  for (const c of centres) {
    const file = join(dir, `${c}.csv`);
    writeFileSync(
      file,
      `${header}\n${lines
        .slice(1)
        .filter((l) => l.startsWith(`${c},`))
        .join('\n')}\n`,
    );
    const datasets = await DatasetStore.open([
      { name: 'cohort', file, format: 'csv', columns: DICTIONARY, onInvalid: 'reject' },
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

const fits = (JSON.parse(readFileSync(join(fixtures, 'glm.json'), 'utf8')) as { fits: RFit[] }).fits;

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/**
 * The nodes under a policy that allows cells of one record: for validations whose score histograms or
 * risk groups have a small cell at a centre (the default policy refuses them, as the tests below check),
 * to compare the numbers with R.
 */
const permissive = () => nodes.map((n) => ({ ...n, policy: { ...n.policy, minCellCount: 1 } }));

interface RCox {
  name: string;
  formula: string;
  ties: 'efron' | 'breslow';
  names: string[];
  coef: number[];
  se: number[];
  loglik: number[];
  concordance: number;
}
const cox = JSON.parse(readFileSync(join(fixtures, 'cox.json'), 'utf8')) as {
  resolution: number;
  fits: RCox[];
};

describe('federated coxph with secure aggregation equals R coxph on the pooled, coarsened data', () => {
  for (const fit of cox.fits) {
    it(`${fit.name}: ${fit.formula}`, async () => {
      const formula = fit.formula.replace('Surv(tc,', 'Surv(months,');
      const params = { dataset: 'cohort', formula, ties: fit.ties, timeResolution: cox.resolution };
      const { result } = await runLocalFederation('coxph', params, nodes);
      const r = result as {
        coefficients: Array<{ term: string; estimate: number; stdError: number }>;
        loglik: number[];
        concordance: { value: number };
      };
      expect(r.coefficients.map((c) => c.term)).toEqual(fit.names);
      r.coefficients.forEach((c, j) => {
        expect(rel(c.estimate, fit.coef[j]!)).toBeLessThan(1e-6);
        expect(rel(c.stdError, fit.se[j]!)).toBeLessThan(1e-6);
      });
      expect(rel(r.loglik[1]!, fit.loglik[1]!)).toBeLessThan(1e-10);
      // Harrell's C from linear predictors binned at 200 levels
      expect(Math.abs(r.concordance.value - fit.concordance)).toBeLessThan(5e-3);
    });
  }
});

describe('federated glm with secure aggregation equals R on the pooled data', () => {
  for (const fit of fits) {
    it(`${fit.name}: ${fit.formula}`, async () => {
      const params = {
        dataset: 'cohort',
        formula: fit.formula,
        family: fit.family,
        ...(fit.weights ? { weights: fit.weights } : {}),
      };
      const { result, transcript } = await runLocalFederation('glm', params, nodes);
      const r = result as {
        coefficients: Array<{ term: string; estimate: number; stdError: number }>;
        deviance: number;
        nullDeviance: number;
        aic: number;
      };
      expect(r.coefficients.map((c) => c.term)).toEqual(fit.names);
      r.coefficients.forEach((c, j) => {
        expect(rel(c.estimate, fit.estimate[j]!)).toBeLessThan(1e-6);
        expect(rel(c.stdError, fit.se[j]!)).toBeLessThan(1e-6);
      });
      expect(rel(r.deviance, fit.deviance)).toBeLessThan(1e-8);
      expect(rel(r.aic, fit.aic)).toBeLessThan(1e-8);
      const rNull = (fit.null_deviance ?? fit.nullDeviance) as number;
      expect(rel(r.nullDeviance, rNull)).toBeLessThan(1e-8);
      // every model round crossed the hub masked: no node's partial in the clear
      for (const round of transcript.slice(1))
        for (const payload of round) expect(payload).not.toHaveProperty('additive');
    });
  }
});

describe('per-centre glm fits (forest plot of centres) equal R glm at each centre', () => {
  const ref = JSON.parse(readFileSync(join(fixtures, 'glm-per-centre.json'), 'utf8')) as {
    formula: string;
    centres: Record<string, { n: number; names: string[]; estimate: number[]; se: number[] }>;
  };
  const params = { dataset: 'cohort', formula: ref.formula, family: 'binomial', perCentre: true };

  it('releases each centre its own coefficients beside the pooled fit, where the study allows it', async () => {
    const { result, transcript } = await runLocalFederation('glm', params, nodes);
    const r = result as {
      coefficients: Array<{ term: string }>;
      perCentre: Array<{
        centre: string;
        n: number;
        coefficients: Array<{ term: string; estimate: number; stdError: number }>;
      }>;
    };
    expect(r.perCentre.map((c) => c.centre)).toEqual(Object.keys(ref.centres).map((c) => `Centre ${c}`));
    for (const c of r.perCentre) {
      const want = ref.centres[c.centre.replace('Centre ', '')]!;
      expect(c.n).toBe(want.n);
      expect(c.coefficients.map((x) => x.term)).toEqual(want.names);
      c.coefficients.forEach((x, j) => {
        expect(rel(x.estimate, want.estimate[j]!)).toBeLessThan(1e-6);
        expect(rel(x.stdError, want.se[j]!)).toBeLessThan(1e-6);
      });
    }
    expect(r.coefficients.map((c) => c.term)).toEqual(ref.centres.A!.names);
    // the pooled rounds stayed masked; only the last round carries each centre's own table
    for (const round of transcript.slice(1, -1))
      for (const payload of round) expect(payload).not.toHaveProperty('coefficients');
  });

  it('is refused in a study that does not allow per-node breakdowns', async () => {
    const study = {
      id: crypto.randomUUID(),
      title: 'pooled only',
      status: 'active' as const,
      nodeIds: nodes.map((n) => n.id),
      minNodes: 1,
      variables: null,
      algorithms: null,
      startsAt: null,
      endsAt: null,
      releasePerNodeBreakdown: false,
    };
    await expect(runLocalFederation('glm', params, nodes, { study, studyId: study.id })).rejects.toThrow(
      /does not allow per-node breakdowns/,
    );
  });
});

interface RKm {
  strata: string[];
  time: number[];
  nRisk: number[];
  nEvent: number[];
  surv: number[];
  stdErrLogS: number[];
  lower: number[];
  upper: number[];
  median: number[];
}
const kmRef = JSON.parse(readFileSync(join(fixtures, 'km.json'), 'utf8')) as {
  overall: RKm;
  bySex: RKm;
  logrankStage: { chisq: number; df: number; p: number; observed: number[]; expected: number[] };
  logrankSexStrataCentre: { chisq: number; observed: number[]; expected: number[] };
};

type KmCurve = {
  group: string;
  time: number[];
  nRisk: number[];
  nEvent: number[];
  surv: number[];
  stdErrLogSurv: number[];
  lower: Array<number | null>;
  upper: Array<number | null>;
  median: number | null;
};
type KmResult = {
  curves: KmCurve[];
  logRank: { chisq: number; df: number; pValue: number; observed: number[]; expected: number[] } | null;
  mergedBins: number;
};

describe('federated Kaplan–Meier and log-rank equal R survfit/survdiff on the binned pooled data', () => {
  const exactPolicy = () => nodes.map((n) => ({ ...n, policy: { ...n.policy, minCellCount: 1 } }));
  function compareCurve(got: KmCurve, ref: RKm, label: string) {
    // the released curve lists the event times (censorings are released as their own counts)
    const idx = ref.strata.map((s, i) => (s === label && ref.nEvent[i]! > 0 ? i : -1)).filter((i) => i >= 0);
    expect(got.time).toEqual(idx.map((i) => ref.time[i]));
    expect(got.nRisk).toEqual(idx.map((i) => ref.nRisk[i]));
    idx.forEach((i, k) => {
      expect(Math.abs(got.surv[k]! - ref.surv[i]!)).toBeLessThan(1e-9);
      expect(Math.abs(got.stdErrLogSurv[k]! - ref.stdErrLogS[i]!)).toBeLessThan(1e-9);
      if (got.lower[k] !== null) expect(Math.abs(got.lower[k]! - ref.lower[i]!)).toBeLessThan(1e-9);
      if (got.upper[k] !== null) expect(Math.abs(got.upper[k]! - ref.upper[i]!)).toBeLessThan(1e-9);
    });
  }
  it('overall curve', async () => {
    const { result } = await runLocalFederation(
      'km',
      { dataset: 'cohort', time: 'months', event: 'dead', timeResolution: cox.resolution },
      exactPolicy(),
    );
    const r = result as unknown as KmResult;
    expect(r.mergedBins).toBe(0);
    compareCurve(r.curves[0]!, kmRef.overall, 'all');
    expect(r.curves[0]!.median).toBe(kmRef.overall.median[0]);
  });
  it('curves by sex and the log-rank test by stage and by sex stratified by centre', async () => {
    const bySex = (
      await runLocalFederation(
        'km',
        { dataset: 'cohort', time: 'months', event: 'dead', group: 'sex', timeResolution: cox.resolution },
        exactPolicy(),
      )
    ).result as unknown as KmResult;
    compareCurve(bySex.curves[0]!, kmRef.bySex, 'sex=F');
    compareCurve(bySex.curves[1]!, kmRef.bySex, 'sex=M');
    const stage = (
      await runLocalFederation(
        'km',
        { dataset: 'cohort', time: 'months', event: 'dead', group: 'stage', timeResolution: cox.resolution },
        exactPolicy(),
      )
    ).result as unknown as KmResult;
    expect(rel(stage.logRank!.chisq, kmRef.logrankStage.chisq)).toBeLessThan(1e-9);
    expect(stage.logRank!.observed).toEqual(kmRef.logrankStage.observed);
    const strat = (
      await runLocalFederation(
        'km',
        {
          dataset: 'cohort',
          time: 'months',
          event: 'dead',
          group: 'sex',
          strata: 'centre',
          timeResolution: cox.resolution,
        },
        exactPolicy(),
      )
    ).result as unknown as KmResult;
    expect(rel(strat.logRank!.chisq, kmRef.logrankSexStrataCentre.chisq)).toBeLessThan(1e-9);
  });
  it('merges time bins whose released totals fall under the minimum cell count', async () => {
    const { result } = await runLocalFederation(
      'km',
      { dataset: 'cohort', time: 'months', event: 'dead', group: 'sex', timeResolution: cox.resolution },
      nodes,
    );
    const r = result as unknown as KmResult;
    expect(r.mergedBins).toBeGreaterThan(0);
    for (const c of r.curves) {
      for (let k = 0; k < c.nEvent.length; k++) expect(c.nEvent[k] === 0 || c.nEvent[k]! >= 5).toBe(true);
    }
  });
});

describe('federated DRL survey', () => {
  it('equals the pooled two-stage computation over 10 facilities, excluding a facility under the minimum', async () => {
    const { generateDoseRecords, DOSE_DICTIONARY, toCsv } = await import('@fedhub/testkit');
    const { quantileType7, median } = await import('@fedhub/dicom');
    const facilities: LocalNode[] = [];
    const rowsByFacility: Array<ReturnType<typeof generateDoseRecords>> = [];
    for (let i = 0; i < 10; i++) {
      const rows = generateDoseRecords(i === 9 ? 30 : 300, 500 + i, 0.7 + 0.06 * i, `F${i}`);
      rowsByFacility.push(rows);
      const file = join(dir, `dose-${i}.csv`);
      writeFileSync(file, toCsv(rows));
      const datasets = await DatasetStore.open([
        { name: 'dose', file, format: 'csv', columns: DOSE_DICTIONARY, onInvalid: 'reject' },
      ]);
      facilities.push({
        id: crypto.randomUUID(),
        name: `Facility ${i}`,
        datasets,
        keys: generateNodeKeys(),
        policy: DisclosurePolicySchema.parse({}),
      });
    }
    try {
      const { result } = await runLocalFederation('drl-survey', { dataset: 'dose', minN: 20 }, facilities);
      const r = result as {
        results: Array<{
          exam: string;
          group: string;
          phantom: string;
          quantity: string;
          drl: number;
          nFacilities: number;
          facilities: Array<{ facility: string }>;
          excludedFacilities: Array<{ facility: string }>;
        }>;
      };
      const chest = r.results.find(
        (x) => x.exam === 'chest' && x.group === 'adult' && x.quantity === 'ctdivol',
      )!;
      // pooled two-stage reference: per facility median of its chest CTDIvol, then the type-7 75th percentile
      const medians = rowsByFacility
        .map((rows) => rows.filter((row) => row.exam === 'chest').map((row) => row.ctdivol_mgy as number))
        .filter((v) => v.length >= 20)
        .map((v) => median(v));
      expect(chest.nFacilities).toBe(medians.length);
      expect(chest.drl).toBe(quantileType7(medians, 0.75));
      expect(chest.nFacilities).toBe(9);
      // Facility 9 (under minN) contributes nothing, and no facility says what it withheld (a count under minN)
      expect(chest.facilities.map((f) => f.facility)).not.toContain('Facility 9');
      expect(chest.excludedFacilities).toEqual([]);
      // head and body phantoms never mix
      expect(r.results.filter((x) => x.exam === 'head').every((x) => x.phantom === 'head16')).toBe(true);
    } finally {
      for (const f of facilities) f.datasets.close();
    }
  });
});

const desc = JSON.parse(readFileSync(join(fixtures, 'descriptive.json'), 'utf8')) as {
  probs: number[];
  ageQuantiles: number[];
  doseQuantiles: number[];
  welch: { statistic: number; df: number; p: number; ciLower: number; ciUpper: number };
  pooled: { statistic: number; df: number; p: number; ciLower: number; ciUpper: number };
  chisq2x2: { statistic: number; p: number };
  chisq2x2NoCorrect: { statistic: number; p: number };
  chisq4x2: { statistic: number; df: number; p: number };
};

describe('federated quantiles and tests equal R on the pooled data', () => {
  it('type-7 quantiles of age and dose by bisection on masked counts', async () => {
    for (const [column, ref] of [
      ['age', desc.ageQuantiles],
      ['dose_gy', desc.doseQuantiles],
    ] as const) {
      // R's probs include 0 and 1 (min and max), which the federation never releases: compare the inner ones
      const inner = desc.probs.map((p, i) => [p, ref[i]!] as const).filter(([p]) => p > 0 && p < 1);
      // released on the dictionary's resolution (0.001 here); with a minimum cell count of 1 none is withheld
      const { result } = await runLocalFederation(
        'quantiles',
        { dataset: 'cohort', column, probs: inner.map(([p]) => p) },
        nodes.map((n) => ({ ...n, policy: { ...n.policy, minCellCount: 1 } })),
      );
      const r = result as {
        quantiles: Array<{ prob: number; value: number }>;
        tolerance: number;
        resolution: number;
      };
      expect(r.resolution).toBe(0.001);
      expect(r.quantiles).toHaveLength(5);
      for (const [i, q] of r.quantiles.entries())
        expect(Math.abs(q.value - inner[i]![1])).toBeLessThanOrEqual(0.0005 + r.tolerance * 2);
    }
    await expect(
      runLocalFederation('quantiles', { dataset: 'cohort', column: 'age', probs: [0.001] }, nodes),
    ).rejects.toThrow(/single patients' values/);
  });
  it('Welch and pooled t-tests of age by sex (R t.test)', async () => {
    for (const [pooled, ref] of [
      [false, desc.welch],
      [true, desc.pooled],
    ] as const) {
      const { result } = await runLocalFederation(
        'ttest',
        { dataset: 'cohort', column: 'age', group: 'sex', levels: ['F', 'M'], pooled },
        nodes,
      );
      const r = result as {
        statistic: number;
        df: number;
        pValue: number;
        ciLower: number;
        ciUpper: number;
        groups: Array<{ level: string }>;
      };
      expect(r.groups.map((g) => g.level)).toEqual(['F', 'M']);
      expect(rel(r.statistic, ref.statistic)).toBeLessThan(1e-9);
      expect(rel(r.df, ref.df)).toBeLessThan(1e-9);
      expect(rel(r.pValue, ref.p)).toBeLessThan(1e-7);
      expect(rel(r.ciLower, ref.ciLower)).toBeLessThan(1e-8);
    }
  });
  it('chi-square tests of sex x toxicity (Yates and not) and stage x toxicity (R chisq.test)', async () => {
    const yates = (
      await runLocalFederation('chisq', { dataset: 'cohort', rows: 'sex', cols: 'toxicity' }, nodes)
    ).result as { test: { statistic: number; pValue: number } };
    expect(rel(yates.test.statistic, desc.chisq2x2.statistic)).toBeLessThan(1e-10);
    const plain = (
      await runLocalFederation(
        'chisq',
        { dataset: 'cohort', rows: 'sex', cols: 'toxicity', correct: false },
        nodes,
      )
    ).result as { test: { statistic: number } };
    expect(rel(plain.test.statistic, desc.chisq2x2NoCorrect.statistic)).toBeLessThan(1e-10);
    const big = (
      await runLocalFederation('chisq', { dataset: 'cohort', rows: 'stage', cols: 'toxicity' }, nodes)
    ).result as { test: { statistic: number; df: number; pValue: number } };
    expect(rel(big.test.statistic, desc.chisq4x2.statistic)).toBeLessThan(1e-10);
    expect(big.test.df).toBe(3);
  });
});

describe('federated validation of a frozen score equals pROC and R glm on the pooled data', () => {
  it('AUC with DeLong CI, Brier, Hosmer–Lemeshow, calibration slope and in-the-large', async () => {
    const v = JSON.parse(readFileSync(join(fixtures, 'validation.json'), 'utf8')) as Record<
      string,
      number | number[]
    >;
    const params = {
      dataset: 'cohort',
      outcome: 'toxicity',
      model: { score: 'score' },
      scoreResolution: 0.001,
    };
    // under the default policy each node merges adjacent score bins until every count passes (score-merge.ts):
    // the validation is released, its AUC within 1e-3 of pROC's on the unmerged scores
    const merged = (await runLocalFederation('validate', params, nodes)).result as {
      pooled: { auc: number; n: number; hosmerLemeshow: { n: number[] } };
    };
    expect(Math.abs(merged.pooled.auc - (v.auc as number))).toBeLessThan(1e-3);
    expect(merged.pooled.n).toBe(1800);
    // below: a policy of one record per cell merges nothing, and every number equals R's
    const { result, transcript } = await runLocalFederation('validate', params, permissive());
    const r = result as {
      pooled: Record<string, number> & {
        hosmerLemeshow: { statistic: number; df: number; observed: number[] };
      };
      perCentre: Array<{ centre: string; auc: number }>;
    };
    expect(rel(r.pooled.auc!, v.auc as number)).toBeLessThan(1e-12);
    expect(rel(r.pooled.aucVariance!, v.delongVar as number)).toBeLessThan(1e-9);
    expect(rel(r.pooled.aucCiLower!, v.ciLower as number)).toBeLessThan(1e-9);
    expect(rel(r.pooled.brier!, v.brier as number)).toBeLessThan(1e-12);
    expect(rel(r.pooled.calibrationSlope!, v.calibrationSlope as number)).toBeLessThan(1e-7);
    expect(rel(r.pooled.calibrationSlopeStdError!, v.calibrationSlopeSe as number)).toBeLessThan(1e-6);
    expect(rel(r.pooled.calibrationInLarge!, v.calibrationInLarge as number)).toBeLessThan(1e-7);
    expect(rel(r.pooled.calibrationInLargeStdError!, v.calibrationInLargeSe as number)).toBeLessThan(1e-6);
    expect(r.pooled.hosmerLemeshow.observed).toEqual(v.hlObserved);
    expect(rel(r.pooled.hosmerLemeshow.statistic, v.hlStatistic as number)).toBeLessThan(1e-9);
    expect(r.perCentre.map((c) => c.centre)).toEqual(nodes.map((n) => n.name));
    // every pooled round crossed the hub masked
    for (const round of transcript.slice(1))
      for (const payload of round) expect(payload).not.toHaveProperty('additive');
  });
});

describe('validating a fitted glm on its own training data', () => {
  it('gives calibration slope 1 and calibration-in-the-large 0, as the logistic MLE guarantees', async () => {
    const formula = 'toxicity ~ age + sex + factor(stage) + dose_gy';
    const fit = (
      await runLocalFederation(
        'glm',
        { dataset: 'cohort', formula, family: 'binomial', control: { epsilon: 1e-14, maxit: 50 } },
        nodes,
      )
    ).result as {
      coefficients: Array<{ term: string; estimate: number }>;
    };
    const coefficients = Object.fromEntries(fit.coefficients.map((c) => [c.term, c.estimate]));
    const { result } = await runLocalFederation(
      'validate',
      {
        dataset: 'cohort',
        outcome: 'toxicity',
        model: { formula: '~ age + sex + factor(stage) + dose_gy', coefficients },
      },
      permissive(),
    );
    const r = result as { pooled: { calibrationSlope: number; calibrationInLarge: number; auc: number } };
    expect(Math.abs(r.pooled.calibrationSlope - 1)).toBeLessThan(1e-6);
    expect(Math.abs(r.pooled.calibrationInLarge)).toBeLessThan(1e-6);
    expect(r.pooled.auc).toBeGreaterThan(0.5);
  });
});

interface RConcordance {
  n: number;
  events: number;
  concordance: number;
  variance: number;
  concordant: number;
  discordant: number;
  tiedScore: number;
  tiedTime: number;
  tiedBoth: number;
}
type SurvivalPooled = RConcordance & { stdError: number; ciLower: number; ciUpper: number };

describe('federated survival validation (Harrell’s C) equals survival::concordance on the pooled, coarsened data', () => {
  const ref = JSON.parse(readFileSync(join(fixtures, 'survival-validation.json'), 'utf8')) as {
    timeResolution: number;
    scoreResolution: number;
    formula: string;
    terms: string[];
    coefficients: number[];
    pooled: RConcordance;
    stratifiedByCentre: RConcordance;
    perCentre: Record<string, RConcordance>;
    scoreColumn: RConcordance;
  };
  const model = {
    formula: ref.formula,
    coefficients: Object.fromEntries(ref.terms.map((t, j) => [t, ref.coefficients[j]!])),
  };
  function same(got: SurvivalPooled & { n: number; events: number }, want: RConcordance) {
    expect(got.n).toBe(want.n);
    expect(got.events).toBe(want.events);
    expect([got.concordant, got.discordant, got.tiedScore, got.tiedTime, got.tiedBoth]).toEqual([
      want.concordant,
      want.discordant,
      want.tiedScore,
      want.tiedTime,
      want.tiedBoth,
    ]);
    expect(Math.abs(got.concordance - want.concordance)).toBeLessThan(1e-9);
    expect(rel(got.variance, want.variance)).toBeLessThan(1e-9);
    expect(rel(got.stdError, Math.sqrt(want.variance))).toBeLessThan(1e-9);
    expect(got.ciLower).toBeLessThan(got.concordance);
    expect(got.ciUpper).toBeGreaterThan(got.concordance);
  }

  it('under the default policy: score groups and event times merged at each node, C within 1e-3 of R', async () => {
    const { result } = await runLocalFederation(
      'validate-survival',
      { dataset: 'cohort', model, timeResolution: ref.timeResolution, scoreResolution: ref.scoreResolution },
      nodes,
    );
    const r = (result as { pooled: SurvivalPooled }).pooled;
    expect(r.n).toBe(ref.pooled.n);
    expect(Math.abs(r.concordance - ref.pooled.concordance)).toBeLessThan(1e-3);
    expect(Math.abs(r.stdError - Math.sqrt(ref.pooled.variance))).toBeLessThan(1e-4);
  });

  // below: a policy of one record per cell merges nothing, and every count equals R's
  it('frozen Cox coefficients: pooled C with its standard error, and each centre’s own C', async () => {
    const { result, transcript } = await runLocalFederation(
      'validate-survival',
      {
        dataset: 'cohort',
        model,
        timeResolution: ref.timeResolution,
        scoreResolution: ref.scoreResolution,
      },
      permissive(),
    );
    const r = result as unknown as {
      time: string;
      event: string;
      pooled: SurvivalPooled;
      perCentre: Array<SurvivalPooled & { centre: string }>;
    };
    expect([r.time, r.event]).toEqual(['months', 'dead']);
    same(r.pooled, ref.pooled);
    expect(r.perCentre.map((c) => c.centre)).toEqual(Object.keys(ref.perCentre).map((c) => `Centre ${c}`));
    for (const c of r.perCentre) same(c, ref.perCentre[c.centre.replace('Centre ', '')]!);
    // the concordance partials crossed the hub masked
    for (const round of transcript.slice(2))
      for (const payload of round) expect(payload).not.toHaveProperty('additive');
  });

  it('stratified by centre (pairs within centres) and from a precomputed score column', async () => {
    const strat = (
      await runLocalFederation(
        'validate-survival',
        {
          dataset: 'cohort',
          model: { ...model, formula: `${ref.formula} + strata(centre)` },
          timeResolution: ref.timeResolution,
          scoreResolution: ref.scoreResolution,
        },
        permissive(),
      )
    ).result as unknown as { strata: string; pooled: SurvivalPooled };
    expect(strat.strata).toBe('centre');
    same(strat.pooled, ref.stratifiedByCentre);
    const score = (
      await runLocalFederation(
        'validate-survival',
        {
          dataset: 'cohort',
          time: 'months',
          event: 'dead',
          model: { score: 'score' },
          timeResolution: 1,
          scoreResolution: ref.scoreResolution,
        },
        permissive(),
      )
    ).result as unknown as { pooled: SurvivalPooled };
    same(score.pooled, ref.scoreColumn);
  });

  it('sends and releases no centre’s own C in a study without per-node breakdowns', async () => {
    const study = {
      id: crypto.randomUUID(),
      title: 'pooled only',
      status: 'active' as const,
      nodeIds: nodes.map((n) => n.id),
      minNodes: 1,
      variables: null,
      algorithms: null,
      startsAt: null,
      endsAt: null,
      releasePerNodeBreakdown: false,
    };
    const { result, transcript } = await runLocalFederation(
      'validate-survival',
      { dataset: 'cohort', model, timeResolution: ref.timeResolution, scoreResolution: ref.scoreResolution },
      permissive(),
      { study, studyId: study.id },
    );
    const r = result as unknown as { pooled: SurvivalPooled };
    expect(r).not.toHaveProperty('perCentre');
    same(r.pooled, ref.pooled);
    expect(JSON.stringify(transcript)).not.toContain('"centre"');
  });

  it('refuses a model whose coefficients miss a term, naming it, and a score grid too fine', async () => {
    const { dose_gy: _, ...partial } = model.coefficients;
    await expect(
      runLocalFederation(
        'validate-survival',
        { dataset: 'cohort', model: { ...model, coefficients: partial } },
        nodes,
      ),
    ).rejects.toThrow(/parameter model\.coefficients/);
    // a score grid finer than the partial may be is refused before any node sends it
    await expect(
      runLocalFederation(
        'validate-survival',
        { dataset: 'cohort', model, timeResolution: 1, scoreResolution: 1e-4 },
        nodes,
      ),
    ).rejects.toThrow(/too fine .* use a coarser scoreResolution/);
  });
});
