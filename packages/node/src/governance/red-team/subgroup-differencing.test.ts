/**
 * Red team, class 4 of issue #14 on `validate`'s subgroups: the researcher validates the same frozen model
 * twice with a subgroup column, first `sex`, then `sex_registry`, a second categorical column that agrees
 * with `sex` on every record but the target's. The main release is the same both times; only the subgroup
 * level `F` differs, by the target alone. Released both, the level's event counts differ by the target's
 * outcome.
 *
 * The defence: each subgroup level's cells (its records per outcome and per merged score group) name their
 * records like the main release's cells, and the node's ledger audits them, so no pair of releases that
 * puts the target alone in the span of the released record sets gets out (FH_ERR_DIFFERENCING, no data in
 * the refusal). Since validate 1.6.0 the main release's score groups are built from the levels' parts (one
 * common partition), so the first, ordinary subgroup analysis is released (validate-subgroups-ledger.test.ts)
 * while the pair still never gets out.
 *
 * Each attack is run twice: without the ledger (the control: the derivation recovers the outcome) and with it.
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

const COLUMNS: ColumnSpec[] = [
  { name: 'x1', type: 'numeric' },
  { name: 'sex', type: 'categorical', levels: ['F', 'M'] },
  { name: 'sex_registry', type: 'categorical', levels: ['F', 'M'] },
  { name: 'tox', type: 'integer', min: 0, max: 1 },
];
const predict = (x1: number) => 1 / (1 + Math.exp(-(-0.5 + 0.9 * x1)));
function centre(seed: number): Row[] {
  const u = uniform(seed);
  return Array.from({ length: 300 }, () => {
    const x1 = Math.round(normal(u) * 1000) / 1000;
    const sex = u() < 0.5 ? 'F' : 'M';
    return { x1, sex, sex_registry: sex, tox: u() < predict(x1) ? 1 : 0 };
  });
}
/** The target: a patient of the first centre recorded F in `sex` and M in `sex_registry`, outcome `tox`. */
function federation(tox: number): Row[][] {
  const data = [centre(501), centre(502), centre(503)];
  data[0]![0] = { x1: 0.2, sex: 'F', sex_registry: 'M', tox };
  return data;
}
const params = (subgroup: string) => ({
  dataset: 'd',
  outcome: 'tox',
  model: { formula: '~ x1', coefficients: { '(Intercept)': -0.5, x1: 0.9 } },
  scoreResolution: 0.01,
  subgroup,
});
const study = { releaseSubgroupAnalyses: true };
type Sub = { subgroups: { levels: Array<{ level: string; events: number }> | null } };
const eventsF = (o: Awaited<ReturnType<typeof federate>>) =>
  resultOf<Sub>(o).subgroups.levels!.find((l) => l.level === 'F')!.events;

async function attack(tox: number, ledger: boolean) {
  const fed = await buildNodes('d', COLUMNS, federation(tox), { ledger });
  try {
    const a = await federate('validate', params('sex'), fed.nodes, { study });
    const b = await federate('validate', params('sex_registry'), fed.nodes, { study });
    return { a, b };
  } finally {
    fed.close();
  }
}

describe('red team: two subgroup columns that differ in one patient (validate)', () => {
  it('without the ledger the pair gives the outcome away (the attack is real)', async () => {
    for (const tox of [0, 1]) {
      const { a, b } = await attack(tox, false);
      expect(eventsF(a) - eventsF(b)).toBe(tox);
    }
  });

  it('with the ledger the pair never gets out, and a refusal carries no data', async () => {
    for (const tox of [0, 1]) {
      const { a, b } = await attack(tox, true);
      expect(a.kind === 'result' && b.kind === 'result').toBe(false);
      for (const o of [a, b]) {
        if (o.kind !== 'refused') continue;
        expect(o.body.code).toBe('FH_ERR_DIFFERENCING');
        expect(JSON.stringify(o.body)).not.toMatch(/score|outcome|level|group|\d{2,}/);
        expect(JSON.stringify(o.body)).not.toMatch(/\bF\b|\bM\b|sex/);
      }
    }
  });
});
