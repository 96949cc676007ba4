/**
 * Class 4 (issue #14), linear combination: four releases, every pair of them at least 10 records apart,
 * with S1 - S2 - S4 + S3 = the target alone. With Q = {age >= a, bmi >= b} (the target in it):
 * S1 = {age >= a}, S2 = {age >= a, bmi < b}, S4 = {bmi >= b}, S3 = {bmi >= b, age < a} + the target
 * (selected as the only patient over 99.8). The exact query auditor refuses the release that would
 * complete the combination, whichever it is; the others are answered.
 */
import type { Filter } from '@fedhub/protocol';
import { DEMO_CENTRES, generateCohort } from '@fedhub/testkit';
import { describe, expect, it } from 'vitest';
import { attackNode, releasedSum } from './ledger-harness.js';

// no missing age, bmi or dose: the attack needs the filters to partition the rows exactly
const rows = generateCohort(DEMO_CENTRES[1]!, 300, 33).map((r) => ({
  ...r,
  age: Math.min((r.age as number | null) ?? 50, 95),
  bmi: (r.bmi as number | null) ?? 25,
  dose_gy: (r.dose_gy as number | null) ?? 60,
}));
const target = rows[0]!;
target.age = 99.9;
target.bmi = 59.9;
const quantile = (xs: number[], q: number) => [...xs].sort((x, y) => x - y)[Math.floor(q * xs.length)]!;
const a = quantile(
  rows.map((r) => r.age as number),
  0.6,
);
const b = quantile(
  rows.map((r) => r.bmi as number),
  0.6,
);
const F: Record<'S1' | 'S2' | 'S3' | 'S4', Filter> = {
  S1: { column: 'age', op: 'ge', value: a },
  S2: {
    and: [
      { column: 'age', op: 'ge', value: a },
      { column: 'bmi', op: 'lt', value: b },
    ],
  },
  S3: {
    and: [
      { column: 'bmi', op: 'ge', value: b },
      {
        or: [
          { column: 'age', op: 'lt', value: a },
          { column: 'age', op: 'gt', value: 99.8 },
        ],
      },
    ],
  },
  S4: { column: 'bmi', op: 'ge', value: b },
};
const member: Record<keyof typeof F, (r: (typeof rows)[number]) => boolean> = {
  S1: (r) => (r.age as number) >= a,
  S2: (r) => (r.age as number) >= a && (r.bmi as number) < b,
  S3: (r) => (r.bmi as number) >= b && ((r.age as number) < a || (r.age as number) > 99.8),
  S4: (r) => (r.bmi as number) >= b,
};

describe('red team: a linear combination of four releases, each pair >= 10 records apart', () => {
  it('is built so that no pairwise rule sees it', () => {
    const keys = Object.keys(F) as Array<keyof typeof F>;
    for (const x of keys)
      for (const y of keys) {
        if (x >= y) continue;
        const d = rows.filter((r) => member[x](r) !== member[y](r)).length;
        expect(d, `${x} vs ${y}`).toBeGreaterThanOrEqual(10);
      }
    // S1 - S2 - S4 + S3 is the target alone
    for (const r of rows) {
      const c = +member.S1(r) - +member.S2(r) - +member.S4(r) + +member.S3(r);
      expect(c).toBe(r === target ? 1 : 0);
    }
  });

  for (const order of [
    ['S1', 'S2', 'S4', 'S3'],
    ['S3', 'S4', 'S1', 'S2'],
  ] as Array<Array<keyof typeof F>>)
    it(`refuses the release that completes it (order ${order.join(', ')})`, async () => {
      const node = await attackNode(rows);
      try {
        const sums: Partial<Record<keyof typeof F, number | null>> = {};
        for (const [i, s] of order.entries()) {
          const out = await node.ask('summary', { dataset: 'cohort', columns: ['dose_gy'], filter: F[s] });
          sums[s] = releasedSum(out, 'dose_gy');
          if (i < 3) expect(out.outcome, s).toBe('completed');
          else expect(out.error?.code, s).toBe('FH_ERR_DIFFERENCING');
        }
        const all = Object.values(sums).every((x) => x !== null && x !== undefined);
        const derived = all ? sums.S1! - sums.S2! - sums.S4! + sums.S3! : null;
        // were all four released, the target's dose would be their combination
        expect(derived === null ? null : Math.abs(derived - (target.dose_gy as number)) < 1e-6).toBeNull();
      } finally {
        node.close();
      }
    });
});
