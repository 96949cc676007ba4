/**
 * Class 5 (issue #14): differential privacy that cannot be escaped.
 * - A new study brings no new budget: the budget is the node dataset's, over every study and researcher.
 * - A derived dataset joined to a DP dataset copies no DP-free data: exact algorithms on it are refused,
 *   and private releases from it spend the source's budget.
 * - Refusals cost budget and quota like releases: a check the researcher can observe (here the minimum
 *   subset size, computed on exact counts) cannot be asked for free, so it cannot be asked without end.
 */
import { DEMO_CENTRES, generateCohort } from '@fedhub/testkit';
import { describe, expect, it } from 'vitest';
import { attackNode } from './ledger-harness.js';

const rows = generateCohort(DEMO_CENTRES[0]!, 250, 13);
const DP = {
  differential: [
    {
      dataset: 'cohort',
      mechanism: 'laplace',
      budget: { epsilon: 1 },
      perRelease: { epsilon: 0.25 },
    },
  ],
  quota: { maxResultsPerStudy: 50 },
};
const SUMMARY = { dataset: 'cohort', columns: ['age'] };

describe('red team: escaping differential privacy', () => {
  it('a new study does not bring a new budget', async () => {
    const node = await attackNode(rows, { privacy: DP });
    try {
      const studies = Array.from({ length: 6 }, () => crypto.randomUUID());
      const codes = [];
      for (const s of studies) codes.push((await node.ask('summary', SUMMARY, s)).error?.code ?? 'released');
      // epsilon 1 in releases of 0.25: four releases, whichever the studies
      expect(codes).toEqual([
        'released',
        'released',
        'released',
        'released',
        'FH_ERR_BUDGET_EXHAUSTED',
        'FH_ERR_BUDGET_EXHAUSTED',
      ]);
      expect(node.privacy!.budget.spent('cohort').epsilon).toBeCloseTo(1, 9);
    } finally {
      node.close();
    }
  });

  it('a derived dataset inherits the DP requirement and spends the source budget', async () => {
    const node = await attackNode(rows, { privacy: DP });
    try {
      await node.store.registerDerived({
        name: 'copy',
        columns: [
          { name: 'patient_id', type: 'categorical', identifier: true },
          { name: 'flag', type: 'numeric', min: 0, max: 1 },
        ],
        rows: rows.map((r) => ({ patient_id: r.patient_id as string, flag: 1 })),
        join: { dataset: 'cohort', column: 'patient_id' },
      });
      // exact model on the copy: refused before any data is read, nothing charged
      const glm = await node.ask('glm', { dataset: 'copy', formula: 'dose_gy ~ age', family: 'gaussian' });
      expect(glm.error?.code).toBe('FH_ERR_DP_REQUIRED');
      expect(glm.payload).toBeNull();
      const exact = await node.ask('summary', { dataset: 'copy', columns: ['age'] });
      expect(exact.outcome).toBe('completed');
      // noised like the source, and charged to the source's budget
      expect((exact.payload as { privacy?: { epsilon: number } }).privacy?.epsilon).toBe(0.25);
      expect(node.privacy!.budget.spent('cohort').epsilon).toBeCloseTo(0.25, 9);
      expect(node.privacy!.budget.spent('copy').epsilon).toBe(0);
    } finally {
      node.close();
    }
  });

  it('refusals cost budget and quota: the small-subset oracle runs dry', async () => {
    const node = await attackNode(rows, { privacy: DP });
    try {
      const study = crypto.randomUUID();
      const codes = [];
      // a probe whose refusal depends on exact data (fewer than 10 records past a threshold?)
      for (let i = 0; i < 6; i++)
        codes.push(
          (
            await node.ask(
              'summary',
              { dataset: 'cohort', columns: ['age'], filter: { column: 'age', op: 'gt', value: 85 + i } },
              study,
            )
          ).error?.code ?? 'released',
        );
      // the first four were answered or refused at a price; then nothing more is read
      expect(codes.slice(4)).toEqual(['FH_ERR_BUDGET_EXHAUSTED', 'FH_ERR_BUDGET_EXHAUSTED']);
      expect(codes.slice(0, 4).some((c) => c === 'FH_ERR_SMALL_SUBSET')).toBe(true);
      expect(node.privacy!.budget.spent('cohort').epsilon).toBeCloseTo(1, 9);
      expect(node.privacy!.quota.used(study)).toBe(4);
    } finally {
      node.close();
    }
  });
});
