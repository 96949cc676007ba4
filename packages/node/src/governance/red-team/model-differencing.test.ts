/**
 * Red team, classes 2 and 4 of issue #14 (model differencing): the researcher validates two frozen models
 * that differ only in one patient's score (a coefficient on a column that is non-zero for that patient
 * alone). Both models pass the cell checks: the patient's score moves from one dense region to another.
 * Released both, the two results differ by what that one patient contributes, and the direction of the
 * change in AUC (or Harrell's C) gives the patient's outcome: a class-1 patient (an event) moved up the
 * score makes the model look better, a class-0 patient (a censored one) worse.
 *
 * The defence: every released per-group count declares its records (score groups per class, merged time
 * points, Hosmer–Lemeshow groups) and the node's privacy ledger audits them like selections; the second
 * model's groups differ from the first's by the patient alone, so that patient's record is in the span of
 * the released record sets and the second validation is refused, whatever the outcome (the refusal
 * carries no data). An ordinary validation still passes.
 *
 * Each attack is run twice: without the node's ledger (the control: the derivation recovers the outcome,
 * so the attack is real) and with it (refused for either outcome).
 */
import type { ColumnSpec } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { buildNodes, federate, type Row, resultOf } from './attack-harness.js';

function uniform(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
}
const normal = (u: () => number) => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());

describe('red team: two frozen logistic models that differ in one patient’s score (validate)', () => {
  const COLUMNS: ColumnSpec[] = [
    { name: 'x1', type: 'numeric' },
    { name: 'flag', type: 'integer', min: 0, max: 1 },
    { name: 'tox', type: 'integer', min: 0, max: 1 },
  ];
  const predict = (x1: number) => 1 / (1 + Math.exp(-(-1 + 0.9 * x1)));
  function centre(seed: number): Row[] {
    const u = uniform(seed);
    return Array.from({ length: 300 }, () => {
      const x1 = Math.round(normal(u) * 1000) / 1000;
      return { x1, flag: 0, tox: u() < predict(x1) ? 1 : 0 };
    });
  }
  /** The target: a patient of the first centre with a low score (x1 = -1, p = 0.15), outcome `tox`. */
  function federation(tox: number): Row[][] {
    const data = [centre(401), centre(402), centre(403)];
    data[0]![0] = { x1: -1, flag: 1, tox };
    return data;
  }
  const model = (flag: number) => ({
    dataset: 'd',
    outcome: 'tox',
    // flag moves the target alone from p = 0.15 to p = 0.62, among many patients on both sides
    model: { formula: '~ x1 + flag', coefficients: { '(Intercept)': -1, x1: 0.9, flag } },
    scoreResolution: 0.001,
  });

  /** The attack: the sign of the change in AUC is the target's outcome. */
  async function attack(tox: number, ledger: boolean) {
    const fed = await buildNodes('d', COLUMNS, federation(tox), { ledger });
    try {
      const a = await federate('validate', model(0), fed.nodes);
      const b = await federate('validate', model(2.8), fed.nodes);
      return { a, b };
    } finally {
      fed.close();
    }
  }

  it('without the ledger the pair gives the outcome away (the attack is real)', async () => {
    for (const tox of [0, 1]) {
      const { a, b } = await attack(tox, false);
      const auc = (o: typeof a) => resultOf<{ pooled: { auc: number } }>(o).pooled.auc;
      expect(auc(b) > auc(a) ? 1 : 0).toBe(tox);
    }
  });

  it('with the ledger the second model is refused, for either outcome, and the refusal carries no data', async () => {
    for (const tox of [0, 1]) {
      const { a, b } = await attack(tox, true);
      // the first, ordinary validation passes
      expect(a.kind).toBe('result');
      expect(b.kind === 'refused' && b.body.code).toBe('FH_ERR_DIFFERENCING');
      expect(JSON.stringify(b.kind === 'refused' && b.body)).not.toMatch(/score|outcome|group|\d{2,}/);
    }
  });

  it('the same model validated again is released again (its record sets add nothing)', async () => {
    const fed = await buildNodes('d', COLUMNS, federation(1), { ledger: true });
    try {
      const a = await federate('validate', model(0), fed.nodes);
      const again = await federate('validate', model(0), fed.nodes);
      expect(resultOf<{ pooled: { auc: number } }>(again).pooled.auc).toBe(
        resultOf<{ pooled: { auc: number } }>(a).pooled.auc,
      );
    } finally {
      fed.close();
    }
  });
});

describe('red team: two frozen Cox risk scores that differ in one patient’s score (validate-survival)', () => {
  const COLUMNS: ColumnSpec[] = [
    { name: 'x1', type: 'numeric' },
    { name: 'flag', type: 'integer', min: 0, max: 1 },
    { name: 'months', type: 'numeric', min: 0, max: 120 },
    { name: 'dead', type: 'integer', min: 0, max: 1 },
  ];
  function cohort(seed: number): Row[] {
    const u = uniform(seed);
    return Array.from({ length: 300 }, () => {
      const x1 = Math.round(normal(u) * 1000) / 1000;
      const t = -Math.log(u()) * 40 * Math.exp(-0.5 * x1);
      const c = 10 + 100 * u();
      return { x1, flag: 0, months: Math.round(Math.min(t, c) * 10) / 10, dead: t <= c ? 1 : 0 };
    });
  }
  /** The target: a patient with a low score (x1 = -1) who died, or was censored, at 20.3 months. */
  function federation(dead: number): Row[][] {
    const data = [cohort(411), cohort(412), cohort(413)];
    data[0]![0] = { x1: -1, flag: 1, months: 20.3, dead };
    return data;
  }
  const model = (flag: number) => ({
    dataset: 'd',
    time: 'months',
    event: 'dead',
    // flag moves the target alone from -0.5 to +0.7 in the linear predictor, among many on both sides
    model: { formula: '~ x1 + flag', coefficients: { x1: 0.5, flag } },
    timeResolution: 1,
    scoreResolution: 0.01,
  });

  async function attack(dead: number, ledger: boolean) {
    const fed = await buildNodes('d', COLUMNS, federation(dead), { ledger });
    try {
      const a = await federate('validate-survival', model(0), fed.nodes);
      const b = await federate('validate-survival', model(1.2), fed.nodes);
      return { a, b };
    } finally {
      fed.close();
    }
  }
  const c = (o: Awaited<ReturnType<typeof attack>>['a']) =>
    resultOf<{ pooled: { concordance: number } }>(o).pooled.concordance;

  it('without the ledger the pair gives the outcome away (the attack is real)', async () => {
    for (const dead of [0, 1]) {
      const { a, b } = await attack(dead, false);
      expect(c(b) > c(a) ? 1 : 0).toBe(dead);
    }
  });

  it('with the ledger the second risk score is refused, for either outcome', async () => {
    for (const dead of [0, 1]) {
      const { a, b } = await attack(dead, true);
      expect(a.kind).toBe('result');
      expect(b.kind === 'refused' && b.body.code).toBe('FH_ERR_DIFFERENCING');
      expect(JSON.stringify(b.kind === 'refused' && b.body)).not.toMatch(/score|stratum|time point|\d{2,}/);
    }
  });
});
