/**
 * Red team, class 2 of issue #14 (score bins): `validate` under the default policy (5/10/0.33/10, three
 * nodes). Each node merges adjacent score bins of each outcome until every released count passes
 * (packages/algorithms/src/validate/score-merge.ts). A typical validation is now released, its AUC
 * within 1e-3 of the exact pooled AUC; a frozen model that scores one patient apart is still refused,
 * and under a policy that allows cells of one record the same model gives the patient's outcome away
 * (so the refusal is what protects).
 */
import type { ColumnSpec } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { buildNodes, federate, type Row } from './attack-harness.js';

const COLUMNS: ColumnSpec[] = [
  { name: 'x1', type: 'numeric' },
  { name: 'x2', type: 'numeric' },
  { name: 'tox', type: 'integer', min: 0, max: 1 },
];

function uniform(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
}
const normal = (u: () => number) => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());

const COEF = { '(Intercept)': -1, x1: 0.9, x2: 0.5 };
const predict = (r: Row) =>
  1 / (1 + Math.exp(-(COEF['(Intercept)'] + COEF.x1 * Number(r.x1) + COEF.x2 * Number(r.x2))));

/** 300 patients at a centre: two covariates, the outcome drawn from the model being validated. */
function centre(seed: number): Row[] {
  const u = uniform(seed);
  return Array.from({ length: 300 }, () => {
    const r: Row = { x1: Math.round(normal(u) * 1000) / 1000, x2: Math.round(normal(u) * 1000) / 1000 };
    r.tox = u() < predict(r) ? 1 : 0;
    return r;
  });
}

function exactAuc(rows: Row[]) {
  const pos = rows.filter((r) => r.tox === 1).map(predict);
  const neg = rows.filter((r) => r.tox === 0).map(predict);
  let s = 0;
  for (const a of pos) for (const b of neg) s += a > b ? 1 : a === b ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

const PARAMS = {
  dataset: 'd',
  outcome: 'tox',
  model: { formula: '~ x1 + x2', coefficients: COEF },
  scoreResolution: 0.001,
};

describe('red team: validate under the default policy, with score bins merged at the node', () => {
  it('releases a typical validation of 3 x 300 patients, its pooled AUC within 1e-3 of the exact AUC', async () => {
    const data = [centre(101), centre(102), centre(103)];
    // with the node's privacy ledger: the score groups' records are audited too (model-differencing.test.ts)
    const fed = await buildNodes('d', COLUMNS, data, { ledger: true });
    try {
      const got = await federate('validate', PARAMS, fed.nodes);
      expect(got.kind).toBe('result');
      const r = (
        got as unknown as { result: { pooled: { auc: number; n: number; hosmerLemeshow: { n: number[] } } } }
      ).result.pooled;
      expect(r.n).toBe(900);
      expect(Math.abs(r.auc - exactAuc(data.flat()))).toBeLessThan(1e-3);
      // every risk group is a union of whole merged groups: no group of fewer than 5 anywhere
      for (const n of r.hosmerLemeshow.n) expect(n).toBeGreaterThanOrEqual(5);
    } finally {
      fed.close();
    }
  });

  it('refuses a frozen model that scores one patient apart; with cells of one allowed it gives the outcome away', async () => {
    // x1 = 1 for the target only, 0 to 0.3 for everyone else: the model gives the target 0.9, everyone
    // else 0.2 to 0.42; the top risk group then holds the target alone
    const data: Row[][] = [centre(201), centre(202), centre(203)].map((rows) =>
      rows.map((r, i) => ({ ...r, x1: (i % 4) / 10 })),
    );
    data[0]![0] = { x1: 1, x2: 0, tox: 1 };
    const coefficients = { '(Intercept)': Math.log(0.2 / 0.8), x1: Math.log(9) - Math.log(0.25) };
    const params = { ...PARAMS, model: { formula: '~ x1', coefficients } };
    const open = await buildNodes('d', COLUMNS, data, { policy: { minCellCount: 1 } });
    try {
      const got = await federate('validate', params, open.nodes);
      const hl = (
        got as unknown as { result: { pooled: { hosmerLemeshow: { n: number[]; observed: number[] } } } }
      ).result.pooled.hosmerLemeshow;
      // the top risk group holds the target alone: its observed count is the target's outcome
      expect(hl.n.at(-1)).toBe(1);
      expect(hl.observed.at(-1)).toBe(1);
    } finally {
      open.close();
    }
    const fed = await buildNodes('d', COLUMNS, data);
    try {
      const got = await federate('validate', params, fed.nodes);
      expect(got.kind === 'refused' && got.body.code).toBe('FH_ERR_SMALL_CELL');
      // the refusal says nothing of the score, the group or the outcome
      expect(JSON.stringify(got.kind === 'refused' && got.body)).not.toMatch(/score bins|outcome 1|\d{2,}/);
    } finally {
      fed.close();
    }
  });
});

describe('red team: validate-survival under the default policy, score groups and time points merged', () => {
  const SURV: ColumnSpec[] = [
    { name: 'x1', type: 'numeric' },
    { name: 'months', type: 'numeric', min: 0, max: 120 },
    { name: 'dead', type: 'integer', min: 0, max: 1 },
  ];
  function cohort(seed: number): Row[] {
    const u = uniform(seed);
    return Array.from({ length: 300 }, () => {
      const x1 = Math.round(normal(u) * 1000) / 1000;
      const t = -Math.log(u()) * 40 * Math.exp(-0.5 * x1);
      const c = 10 + 100 * u();
      return { x1, months: Math.round(Math.min(t, c) * 10) / 10, dead: t <= c ? 1 : 0 };
    });
  }
  const params = {
    dataset: 'd',
    time: 'months',
    event: 'dead',
    model: { formula: '~ x1', coefficients: { x1: 0.5 } },
    timeResolution: 1,
    scoreResolution: 0.01,
  };

  it('releases a typical validation of 3 x 300 patients', async () => {
    const fed = await buildNodes('d', SURV, [cohort(301), cohort(302), cohort(303)], { ledger: true });
    try {
      const got = await federate('validate-survival', params, fed.nodes);
      expect(got.kind).toBe('result');
      const c = (got as unknown as { result: { pooled: { concordance: number } } }).result.pooled.concordance;
      expect(c).toBeGreaterThan(0.55);
    } finally {
      fed.close();
    }
  });

  it('refuses a frozen risk score that sets one patient apart (its pairs would order that patient)', async () => {
    const data = [cohort(311), cohort(312), cohort(313)];
    data[0]![0] = { x1: 40, months: 7.3, dead: 1 };
    const fed = await buildNodes('d', SURV, data);
    try {
      const got = await federate('validate-survival', params, fed.nodes);
      expect(got.kind === 'refused' && got.body.code).toBe('FH_ERR_SMALL_CELL');
      expect(JSON.stringify(got.kind === 'refused' && got.body)).not.toMatch(/scores|stratum|time point/);
    } finally {
      fed.close();
    }
  });
});
