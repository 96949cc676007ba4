/**
 * Red team, class 2 of issue #14 (histograms with caller-chosen bins): `summary` with bins merges them at
 * the nodes (round 1: each node's masked crossings of the requested boundaries; round 2: masked counts on
 * the common merged bins). A bin that holds one patient (a node's maximum, or one value bisected from both
 * sides) is no longer refused: it is merged with its neighbours, and no released count holds fewer than
 * the minimum cell count of any node's records. The caller learns which requested bins were merged.
 */
import type { ColumnSpec } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { buildNodes, federate, type Row, resultOf } from './attack-harness.js';

const COLUMNS: ColumnSpec[] = [{ name: 'dose', type: 'numeric', min: 0, max: 200, resolution: 0.1 }];

/** 40 doses per node, spread over [50, 80) on the 0.1 grid; the target (node 0) at 88.4 alone. */
function nodeRows(seed: number, target: boolean): Row[] {
  const rows = Array.from({ length: 40 }, (_, i) => ({
    dose: Math.round((50 + ((i * 7 + seed) % 300) / 10) * 10) / 10,
  }));
  if (target) rows[0] = { dose: 88.4 };
  return rows;
}

interface Hist {
  breaks: number[];
  counts: number[];
  below: number;
  above: number;
  requestedBreaks: number[];
  mergedBins: Array<{ bins: [number, number]; from: number | null; to: number | null }>;
}

async function histogram(breaks: number[], nodes: Awaited<ReturnType<typeof buildNodes>>['nodes']) {
  const got = await federate(
    'summary',
    { dataset: 'd', columns: ['dose'], bins: { dose: { breaks } } },
    nodes,
  );
  return resultOf<{ columns: Array<{ n: number; histogram: Hist }> }>(got).columns[0]!;
}

describe('red team: histogram bins merged at the node (summary)', () => {
  it('a bin holding one patient (a node maximum) is merged, not refused, and no count under 5 is released', async () => {
    const fed = await buildNodes('d', COLUMNS, [nodeRows(1, true), nodeRows(2, false), nodeRows(3, false)]);
    try {
      // [80, 90) holds the target alone; [50, 65) and [65, 80) are full at every node
      const c = await histogram([50, 65, 80, 90, 200], fed.nodes);
      const h = c.histogram;
      expect(h.requestedBreaks).toEqual([50, 65, 80, 90, 200]);
      // 80 is gone: [65, 90) is one bin, bins 2 and 3 merged ("bins 2–3 merged"); [90, 200] stays empty
      expect(h.breaks).toEqual([50, 65, 90, 200]);
      expect(h.mergedBins).toEqual([{ bins: [2, 3], from: 65, to: 90 }]);
      expect(h.counts[2]).toBe(0);
      expect(h.counts.reduce((a, b) => a + b, 0) + h.below + h.above).toBe(c.n);
      for (const n of [...h.counts, h.below, h.above]) expect(n === 0 || n >= 5).toBe(true);
    } finally {
      fed.close();
    }
  });

  it('bisecting one value from both sides yields nothing finer than merged bins', async () => {
    const fed = await buildNodes('d', COLUMNS, [nodeRows(1, true), nodeRows(2, false), nodeRows(3, false)]);
    try {
      // a narrow bin around the target, everything else wide: the target's bin is merged away each time
      for (const [lo, hi] of [
        [88, 89],
        [88.3, 88.5],
        [85, 95],
      ]) {
        const h = (await histogram([0, lo!, hi!, 200], fed.nodes)).histogram;
        // the bin [lo, hi) that holds the target alone is never released on its own
        expect(h.breaks.includes(lo!) && h.breaks.includes(hi!)).toBe(false);
        for (const n of [...h.counts, h.below, h.above]) expect(n === 0 || n >= 5).toBe(true);
      }
    } finally {
      fed.close();
    }
  });

  it('without merging (a policy of one record per cell) the same bins give the value away: the attack is real', async () => {
    const open = await buildNodes('d', COLUMNS, [nodeRows(1, true), nodeRows(2, false), nodeRows(3, false)], {
      policy: { minCellCount: 1 },
    });
    try {
      const h = (await histogram([0, 88.3, 88.5, 200], open.nodes)).histogram;
      expect(h.breaks).toEqual([0, 88.3, 88.5, 200]);
      expect(h.counts[1]).toBe(1);
      expect(h.mergedBins).toEqual([]);
    } finally {
      open.close();
    }
  });
});
