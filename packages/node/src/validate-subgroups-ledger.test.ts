/**
 * `validate` with `subgroup` under the node's privacy ledger (every real node): the main release's score
 * groups are built from the levels' parts (one common partition of the score grid, subgroups.ts), so an
 * ordinary subgroup analysis is released: the node's linear auditor finds no set of fewer records than the
 * minimum cell count in the span of the main release's and the levels' record sets. (Before validate 1.6.0
 * each level was merged on its own, and the first validation by `sex` of this federation was refused with
 * the rule `linear`.) Since 1.7.0 every partition of one model on one selection is a coarsening of the plain
 * one, so validations of one model with different groupings (plain, by sex, by stage, in any order) are
 * released too (before, plain then by sex was refused with FH_ERR_DIFFERENCING). The differencing attack
 * on subgroups stays refused: governance/red-team/subgroup-differencing.test.ts.
 */
import type { ColumnSpec } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { buildNodes, federate, type Row, resultOf } from './governance/red-team/attack-harness.js';

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
  { name: 'stage', type: 'categorical', levels: ['I', 'II', 'III'] },
  { name: 'tox', type: 'integer', min: 0, max: 1 },
];
const predict = (x1: number) => 1 / (1 + Math.exp(-(-0.5 + 0.9 * x1)));
/** 300 records; `missing`: the share of records whose sex and stage are missing (one more part each). */
function centre(seed: number, missing = 0): Row[] {
  const u = uniform(seed);
  return Array.from({ length: 300 }, () => {
    const x1 = Math.round(normal(u) * 1000) / 1000;
    const sex = u() < 0.5 ? 'F' : 'M';
    const r = u();
    const stage = r < 0.4 ? 'I' : r < 0.7 ? 'II' : 'III';
    const gone = u() < missing;
    return { x1, sex: gone ? null : sex, stage: gone ? null : stage, tox: u() < predict(x1) ? 1 : 0 };
  });
}
const params = (subgroup?: string) => ({
  dataset: 'd',
  outcome: 'tox',
  model: { formula: '~ x1', coefficients: { '(Intercept)': -0.5, x1: 0.9 } },
  scoreResolution: 0.01,
  ...(subgroup ? { subgroup } : {}),
});
const study = { releaseSubgroupAnalyses: true };
type Result = {
  pooled: { n: number; auc: number };
  subgroups: {
    centresWithheld: number;
    levels: Array<{ level: string; n: number; auc: number; calibrationSlope: number | null }> | null;
  };
};

describe('validate by a subgroup with the ledger on (3 x 300 synthetic federation)', () => {
  for (const [column, levels] of [
    ['sex', 2],
    ['stage', 3],
  ] as const)
    it(`by ${column} (${levels} levels): released, and released again when repeated`, async () => {
      const fed = await buildNodes('d', COLUMNS, [centre(701), centre(702), centre(703)], { ledger: true });
      try {
        const a = await federate('validate', params(column), fed.nodes, { study });
        expect(a.kind === 'refused' ? a.body : null).toBeNull();
        const r = resultOf<Result>(a);
        expect(r.pooled.n).toBe(900);
        expect(r.subgroups.centresWithheld).toBe(0);
        expect(r.subgroups.levels).toHaveLength(levels);
        for (const l of r.subgroups.levels!) {
          expect(l.auc).toBeGreaterThan(0.5);
          expect(l.calibrationSlope).toBeGreaterThan(0);
        }
        // the same validation again adds no new record set: it passes
        const b = await federate('validate', params(column), fed.nodes, { study });
        expect(resultOf<Result>(b).subgroups.levels).toEqual(r.subgroups.levels);
      } finally {
        fed.close();
      }
    });

  it('records with a missing subgroup value too sparse for a common partition: the table is withheld, the main release is out', async () => {
    // one record in ten without sex (about 30 per centre, 12 of them events): no run of at most 0.3 in
    // predicted probability holds 0 or at least 5 of them at every score, at any centre; each centre merges
    // its main release on its own and withholds its subgroup block (fail closed, never a ledger refusal)
    const data = [centre(701, 0.1), centre(702, 0.1), centre(703, 0.1)];
    const fed = await buildNodes('d', COLUMNS, data, { ledger: true });
    try {
      const r = resultOf<Result>(await federate('validate', params('sex'), fed.nodes, { study }));
      expect(r.pooled.n).toBe(900);
      expect(r.subgroups.levels).toBeNull();
      expect(r.subgroups.centresWithheld).toBe(3);
    } finally {
      fed.close();
    }
  });

  // validate 1.7.0: every partition of one model on one selection is a coarsening of the plain one (P0), so
  // two validations with different groupings differ by unions of whole P0 groups, each at least the minimum
  // cell count; the node's linear auditor finds nothing small in the span of both and releases the second
  // (before, plain then by sex was refused with FH_ERR_DIFFERENCING)
  for (const seq of [
    [undefined, 'sex'],
    ['sex', undefined],
    ['sex', 'stage'],
    ['stage', 'sex'],
    [undefined, 'sex', 'stage'],
  ] as const)
    it(`the same model validated ${seq.map((c) => c ?? 'plain').join(', then ')}: every one released`, async () => {
      const fed = await buildNodes('d', COLUMNS, [centre(701), centre(702), centre(703)], { ledger: true });
      try {
        for (const column of seq) {
          const a = await federate('validate', params(column), fed.nodes, { study });
          expect(a.kind === 'refused' ? a.body : null).toBeNull();
          const r = resultOf<Result>(a);
          expect(r.pooled.n).toBe(900);
          if (column) expect(r.subgroups.centresWithheld).toBe(0);
        }
      } finally {
        fed.close();
      }
    });
});
