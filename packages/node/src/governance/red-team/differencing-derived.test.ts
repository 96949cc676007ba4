/**
 * Class 4 (issue #14), derived dataset: a derived dataset joined to the cohort (features for every patient
 * but the target) is no fresh ledger namespace: its rows are the cohort's rows, under the same identities.
 * A sum over it and the same sum over the cohort differ by the target alone: the second is refused.
 */
import { DEMO_CENTRES, generateCohort } from '@fedhub/testkit';
import { describe, expect, it } from 'vitest';
import { attackNode, releasedSum } from './ledger-harness.js';

const rows = generateCohort(DEMO_CENTRES[0]!, 150, 8);
const target = rows[17]!;

describe('red team: a derived dataset joined to the source', () => {
  it('shares the source namespace: the difference of the two sums is refused', async () => {
    const node = await attackNode(rows);
    try {
      await node.store.registerDerived({
        name: 'features',
        columns: [
          { name: 'patient_id', type: 'categorical', identifier: true },
          { name: 'feature', type: 'numeric' },
        ],
        rows: rows
          .filter((r) => r !== target)
          .map((r, i) => ({ patient_id: r.patient_id as string, feature: i })),
        join: { dataset: 'cohort', column: 'patient_id' },
      });
      const whole = await node.ask('summary', { dataset: 'cohort', columns: ['dose_gy'] });
      expect(whole.outcome).toBe('completed');
      const derived = await node.ask('summary', { dataset: 'features', columns: ['dose_gy'] });
      const s = releasedSum(derived, 'dose_gy');
      const value = s === null ? null : releasedSum(whole, 'dose_gy')! - s;
      expect(value === null ? null : Math.abs(value - (target.dose_gy as number)) < 1e-6).toBeNull();
      expect(derived.error?.code).toBe('FH_ERR_DIFFERENCING');
    } finally {
      node.close();
    }
  });
});
