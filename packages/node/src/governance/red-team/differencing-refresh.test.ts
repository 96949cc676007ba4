/**
 * Class 4 (issue #14), refresh: the same query before and after the node's file gains one patient. Rows
 * are identified by a keyed hash of the record identifier, not by their position in one version of the
 * file, so the two releases are compared: the second is refused. A refresh that only reorders the file is
 * the same rows: the same query is answered again.
 */
import { DEMO_CENTRES, generateCohort } from '@fedhub/testkit';
import { describe, expect, it } from 'vitest';
import { attackNode, releasedSum } from './ledger-harness.js';

const before = generateCohort(DEMO_CENTRES[2]!, 200, 5);
const newcomer = generateCohort(DEMO_CENTRES[2]!, 1, 77, 'NEW')[0]!;
const query = { dataset: 'cohort', columns: ['dose_gy', 'age'] };

describe('red team: the same query before and after the file gains one patient', () => {
  it("refuses the second release, which would give the newcomer's dose", async () => {
    const node = await attackNode(before);
    try {
      const first = await node.ask('summary', query);
      expect(first.outcome).toBe('completed');
      // the file is rewritten in another order: the same patients, the same answer is allowed
      await node.refresh([...before].reverse());
      expect((await node.ask('summary', query)).outcome).toBe('completed');
      await node.refresh([...before, newcomer]);
      const second = await node.ask('summary', query);
      const s = releasedSum(second, 'dose_gy');
      const derived = s === null ? null : s - releasedSum(first, 'dose_gy')!;
      expect(derived === null ? null : Math.abs(derived - (newcomer.dose_gy as number)) < 1e-6).toBeNull();
      expect(second.error?.code).toBe('FH_ERR_DIFFERENCING');
    } finally {
      node.close();
    }
  });

  it('keeps row identities across a restart of the node (ledger reopened)', async () => {
    const node = await attackNode(before);
    const dir = node.dir;
    try {
      expect((await node.ask('summary', query)).outcome).toBe('completed');
    } finally {
      node.store.close();
      node.ledger.close();
    }
    const again = await attackNode([...before, newcomer], { dir });
    try {
      expect((await again.ask('summary', query)).error?.code).toBe('FH_ERR_DIFFERENCING');
    } finally {
      again.close();
    }
  });
});
