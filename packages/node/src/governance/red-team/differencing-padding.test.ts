/**
 * Class 4 (issue #14), padding: the difference between two filters is padded with rows the aggregate drops
 * anyway (a missing dose), so the selections differ by 10 records while the sums of dose differ by the
 * target's dose alone. The ledger books the rows each sum actually used (per summed column), so the second
 * release is refused; were it released, the target's dose would be the difference of the two sums.
 */
import { type CohortRow, DEMO_CENTRES, generateCohort } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AttackNode, attackNode, releasedSum } from './ledger-harness.js';

const rows = generateCohort(DEMO_CENTRES[0]!, 200, 21).map(
  (r): CohortRow => ({
    ...r,
    age: Math.min(r.age as number, 90),
  }),
);
// the target: the only patient over 95; nine padding patients over 95 with no dose recorded
const target = rows[0]!;
target.age = 99.9;
for (let i = 1; i <= 9; i++) {
  rows[i]!.age = 95 + i * 0.4;
  rows[i]!.dose_gy = null;
}
const targetDose = target.dose_gy as number;

let node: AttackNode;
beforeAll(async () => {
  node = await attackNode(rows);
});
afterAll(() => node.close());

describe('red team: differencing padded with rows the aggregate drops', () => {
  it('refuses the padded difference of two dose sums', async () => {
    const all = await node.ask('summary', { dataset: 'cohort', columns: ['dose_gy'] });
    expect(all.outcome).toBe('completed');
    // 10 records fewer selected (passes a rule on the filter), but only the target's dose fewer summed
    const padded = await node.ask('summary', {
      dataset: 'cohort',
      columns: ['dose_gy'],
      filter: { column: 'age', op: 'lt', value: 95 },
    });
    const a = releasedSum(all, 'dose_gy')!;
    const b = releasedSum(padded, 'dose_gy');
    const derived = b === null ? null : a - b;
    expect(derived === null ? null : Math.abs(derived - targetDose) < 1e-6).toBeNull();
    expect(padded.error?.code).toBe('FH_ERR_DIFFERENCING');
    // the refusal carries no count
    expect(padded.error?.message).not.toMatch(/\d/);
  });

  it('books each summed column apart: a second column without gaps does not hide the padding', async () => {
    // age is present for the padding rows, dose is not: the union of rows used would differ by 10
    const fresh = await attackNode(rows);
    try {
      const all = await fresh.ask('summary', { dataset: 'cohort', columns: ['dose_gy', 'age'] });
      expect(all.outcome).toBe('completed');
      const padded = await fresh.ask('summary', {
        dataset: 'cohort',
        columns: ['dose_gy', 'age'],
        filter: { column: 'age', op: 'lt', value: 95 },
      });
      const b = releasedSum(padded, 'dose_gy');
      expect(b === null ? null : releasedSum(all, 'dose_gy')! - b).toBeNull();
      expect(padded.error?.code).toBe('FH_ERR_DIFFERENCING');
    } finally {
      fresh.close();
    }
  });
  it('refuses padding with rows a model weights zero', async () => {
    // the target (toxicity 1) and nine patients over 95 with toxicity 0, used as prior weights: the two
    // selections differ by 10 records, the weighted sums by the target alone
    const weighted = rows.map((r, i) => ({
      ...r,
      dose_gy: (r.dose_gy as number | null) ?? 60,
      toxicity: i === 0 ? 1 : i <= 9 ? 0 : 1,
    }));
    const fresh = await attackNode(weighted);
    try {
      const params = { dataset: 'cohort', formula: 'dose_gy ~ 1', family: 'gaussian', weights: 'toxicity' };
      const all = await fresh.ask('glm', params);
      expect(all.outcome).toBe('completed');
      const padded = await fresh.ask('glm', { ...params, filter: { column: 'age', op: 'lt', value: 95 } });
      const additive = (o: typeof all) => (o.payload as { additive?: number[] } | null)?.additive ?? null;
      const a = additive(all)!;
      const b = additive(padded);
      // with both partials, the target's dose is a ratio of two components of their difference
      const diff = b === null ? null : a.map((x, i) => x - b[i]!);
      const found =
        diff?.some((x) =>
          diff.some((y) => y !== 0 && Math.abs(x / y - (weighted[0]!.dose_gy as number)) < 1e-6),
        ) ?? null;
      expect(found).toBeNull();
      expect(padded.error?.code).toBe('FH_ERR_DIFFERENCING');
    } finally {
      fresh.close();
    }
  });
});
