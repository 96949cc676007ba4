/**
 * The terminal rendering of a `validate-survival` result, from a real run of the algorithm over three
 * in-process nodes (so the formatter reads the shape the algorithm actually returns).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNodeKeys } from '@fedhub/crypto';
import { DatasetStore, type LocalNode, runLocalFederation } from '@fedhub/node';
import { DisclosurePolicySchema, type Json, type TaskDetail } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTaskOutcome } from './format-result.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-format-'));
const nodes: LocalNode[] = [];
beforeAll(async () => {
  for (const [i, centre] of DEMO_CENTRES.slice(0, 3).entries()) {
    const file = join(dir, `c${i}.csv`);
    writeFileSync(file, toCsv(generateCohort(centre, 200, 60 + i)));
    const datasets = await DatasetStore.open([
      { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
    ]);
    nodes.push({
      id: `n${i}`,
      name: centre.name,
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

const task = (result: Json) =>
  ({
    id: 't',
    status: 'completed',
    algorithm: (result as { algorithm: string }).algorithm,
    result,
    runs: [],
  }) as unknown as TaskDetail;

describe('formatTaskOutcome', () => {
  it('renders a histogram whose bins the nodes merged, saying which requested bins were merged', async () => {
    // ages under 19 are rare at every centre: the first bin [0, 19) is merged with [19, 40)
    const { result } = await runLocalFederation(
      'summary',
      { dataset: 'cohort', columns: ['age'], bins: { age: { breaks: [0, 19, 40, 60, 80, 120] } } },
      nodes,
    );
    const h = (result as { columns: Array<{ histogram: { mergedBins: Array<{ bins: number[] }> } }> })
      .columns[0]!.histogram;
    const out = formatTaskOutcome(task(result));
    expect(out).toContain('Histogram of age');
    for (const m of h.mergedBins) expect(out).toContain(`bins ${m.bins[0]}–${m.bins[1]} merged`);
    expect(h.mergedBins.length).toBeGreaterThan(0);
  });

  it("renders a survival validation as a table of Harrell's C per centre and pooled", async () => {
    const { result } = await runLocalFederation(
      'validate-survival',
      {
        dataset: 'cohort',
        model: { formula: 'Surv(months, dead) ~ age + sex', coefficients: { age: 0.02, sexM: 0.3 } },
        timeResolution: 3,
      },
      nodes,
    );
    const r = result as { pooled: { concordance: number; concordant: number } };
    const out = formatTaskOutcome(task(result));
    expect(out).toContain('Validation of a frozen survival model on Surv(months, dead), over 3 centres');
    for (const c of DEMO_CENTRES.slice(0, 3)) expect(out).toContain(c.name);
    const c = Number(r.pooled.concordance.toPrecision(4)).toString();
    expect(out.split('\n').find((l) => l.startsWith('pooled'))).toContain(` ${c} `);
    expect(out).toContain(`${r.pooled.concordant} concordant`);
    expect(out).not.toContain('NaN');
  });
  it('renders a validation with its subgroup table (levels pooled over every centre)', async () => {
    const { result } = await runLocalFederation(
      'validate',
      {
        dataset: 'cohort',
        outcome: 'toxicity',
        model: { formula: '~ age + dose_gy', coefficients: { '(Intercept)': -4, age: 0.02, dose_gy: 0.03 } },
        subgroup: 'sex',
      },
      nodes,
    );
    const r = result as {
      subgroups: { levels: Array<{ level: string; n: number; auc: number; calibrationSlope: number }> };
    };
    const out = formatTaskOutcome(task(result));
    expect(out).toContain('Subgroups by sex (pooled over every centre):');
    expect(out).toContain('calib. slope');
    for (const l of r.subgroups.levels) {
      const row = out.split('\n').find((x) => x.startsWith(`${l.level} `));
      expect(row).toContain(` ${l.n} `);
      expect(row).toContain(` ${Number(l.auc.toPrecision(4))} `);
      expect(row).toContain(` ${Number(l.calibrationSlope.toPrecision(4))} `);
    }
    // calibration-in-the-large on the logit scale, in fixed decimals (a refit model gives ~1e-9, not 0)
    const pooled = out.split('\n').find((x) => x.startsWith('pooled'))!;
    expect(pooled.trim().split(/\s+/).at(-1)).toMatch(/^-?\d+\.\d{3}$/);
    expect(out).not.toMatch(/\d\.\d+e-\d\d/);
    expect(out).not.toContain('NaN');
  });
  it("adds Uno's C and the time-dependent AUC table when asked", async () => {
    const { result } = await runLocalFederation(
      'validate-survival',
      {
        dataset: 'cohort',
        model: { formula: 'Surv(months, dead) ~ age + sex', coefficients: { age: 0.02, sexM: 0.3 } },
        timeResolution: 3,
        aucTimes: [12, 24, 100000],
      },
      nodes,
    );
    const out = formatTaskOutcome(task(result));
    expect(out).toMatch(
      /Uno's C \(pooled, censoring weights 1\/G², survival::concordance timewt = "n\/G2"\): 0\.\d+/,
    );
    expect(out).toContain('Time-dependent AUC (cumulative cases, dynamic controls, IPCW; Blanche 2013):');
    // time, AUC, its standard error and 95% CI, cases, controls, the time it is exact at
    expect(
      out.split('\n').some((l) => /^\s*12\s+0\.\d+\s+0\.\d+\s+0\.\d+ to 0\.\d+\s+\d+\s+\d+\s+\d+/.test(l)),
    ).toBe(true);
    expect(out).toContain('AUC(t) standard error as timeROC (iid = TRUE)');
    expect(out).toContain('not estimable (no event before, or none after)');
    expect(out).not.toContain('NaN');
  });
  it("names the strata of Uno's C, and a model stratified by centre", async () => {
    const params = {
      dataset: 'cohort',
      model: { formula: 'Surv(months, dead) ~ age + sex', coefficients: { age: 0.02, sexM: 0.3 } },
      timeResolution: 3,
    };
    const stratified = formatTaskOutcome(
      task((await runLocalFederation('validate-survival', { ...params, strata: 'sex' }, nodes)).result),
    );
    expect(stratified).toContain('pairs within strata of sex');
    expect(stratified).toMatch(
      /Uno's C \(pooled, censoring weights 1\/G² with G per stratum of sex, .*\): 0\.\d+/,
    );
    const byCentre = formatTaskOutcome(
      task(
        (await runLocalFederation('validate-survival', { ...params, adjustForCentre: true }, nodes)).result,
      ),
    );
    expect(byCentre).toContain('pairs within each centre (a model stratified by centre)');
    expect(byCentre).toMatch(/Uno's C \(pooled, censoring weights 1\/G² with G per centre, .*\): 0\.\d+/);
    expect(byCentre).not.toContain('NaN');
  });
  it('renders a GLM with robust standard errors and likelihood-ratio tests of its terms', async () => {
    const { result } = await runLocalFederation(
      'glm',
      {
        dataset: 'cohort',
        formula: 'toxicity ~ age + sex + dose_gy',
        family: 'quasibinomial',
        robust: 'cluster-centre',
        anova: true,
      },
      nodes,
      { maxRounds: 200 },
    );
    const r = result as { robust: { clusters: number }; anova: Array<{ term: string; df: number }> };
    expect(r.anova.map((a) => a.term)).toEqual(['age', 'sex', 'dose_gy']);
    expect(r.robust.clusters).toBe(3);
    const out = formatTaskOutcome(task(result));
    expect(out).toContain('family = quasibinomial(logit)');
    expect(out).toContain('Cluster-robust standard errors, the centre as the cluster (3 clusters):');
    expect(out).toContain('Analysis of deviance, terms added sequentially');
    const sexRow = out.split('\n').find((l) => l.startsWith('sex ') && !l.includes(' to '));
    expect(sexRow).toMatch(/^sex\s+1\s/);
    expect(out).toContain('t value');
    expect(out).not.toContain('NaN');
  });
  it('says when the intervals are profile-likelihood ones', async () => {
    const { result } = await runLocalFederation(
      'glm',
      { dataset: 'cohort', formula: 'toxicity ~ age + sex', family: 'binomial', ci: 'profile' },
      nodes,
      { maxRounds: 200 },
    );
    const out = formatTaskOutcome(task(result));
    expect(out).toContain('profile 95% CI');
    expect(out).toContain('Intervals: profile likelihood, as R confint(fit)');
    expect(out).not.toContain('NaN');
  });
  it('renders quantiles with their order-statistic intervals', async () => {
    const { result } = await runLocalFederation(
      'quantiles',
      { dataset: 'cohort', column: 'age', probs: [0.25, 0.5], ci: true },
      nodes.map((n) => ({ ...n, policy: { ...n.policy, minCellCount: 1 } })),
    );
    const out = formatTaskOutcome(task(result));
    expect(out).toContain('95% CI (order statistics)');
    expect(out.split('\n').some((l) => /^\s*0\.5\s+\S+\s+\S+ to \S+\s+0\.9\d+/.test(l))).toBe(true);
    expect(out).not.toContain('NaN');
  });
  it("renders coxph's per-term Wald tests and the proportional-hazards test", async () => {
    const { result } = await runLocalFederation(
      'coxph',
      { dataset: 'cohort', formula: 'Surv(months, dead) ~ age + sex', timeResolution: 3, phTest: 'km' },
      nodes,
    );
    const out = formatTaskOutcome(task(result));
    expect(out).toContain('Event times coarsened up to multiples of 3 (timeResolution');
    expect(out).toContain("Wald tests per term (all of a factor's levels together):");
    expect(out).toContain('Proportional-hazards test (cox.zph, transform "km"):');
    expect(out.split('\n').some((l) => /^GLOBAL\s+\S+\s+2\s/.test(l))).toBe(true);
    expect(out).not.toContain('NaN');
  });
  it("renders coxph's robust standard errors and its survival curves with merged intervals marked", async () => {
    const { result } = await runLocalFederation(
      'coxph',
      {
        dataset: 'cohort',
        formula: 'Surv(months, dead) ~ age + sex',
        timeResolution: 1,
        cluster: 'centre',
        survivalCurves: ['means', 'age=60; sex=M'],
      },
      nodes,
    );
    const r = result as unknown as {
      survivalCurves: { mergedTimes: number; curves: Array<{ coarsened: boolean[]; start: number[] }> };
    };
    const out = formatTaskOutcome(task(result));
    expect(out).toContain('Robust standard errors (the centre as the cluster, 3 clusters):');
    expect(out).toContain("Predicted survival, at the model's means:");
    expect(out).toContain('Predicted survival, age=60; sex=M:');
    // the default policy merges the sparse late event times: shown as (start, end]
    expect(r.survivalCurves.mergedTimes).toBeGreaterThan(0);
    expect(out).toMatch(/event times merged into intervals of at least \d+ events/);
    const j = r.survivalCurves.curves[0]!.coarsened.indexOf(true);
    expect(out).toContain(`(${r.survivalCurves.curves[0]!.start[j]}, `);
    expect(out).not.toContain('NaN');
  });
  it('renders a one-sided paired t-test with its infinite interval end', async () => {
    const { result } = await runLocalFederation(
      'ttest',
      { dataset: 'cohort', column: 'dose_gy', pairedWith: 'age', alternative: 'greater' },
      nodes,
    );
    const out = formatTaskOutcome(task(JSON.parse(JSON.stringify(result)) as Json));
    expect(out).toContain('Paired t-test: dose_gy and age');
    expect(out).toContain('alternative: the mean difference is greater than 0');
    expect(out).toMatch(/mean difference dose_gy − age = \S+ \(95% CI \S+ to Inf\)/);
  });
});
