import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupMembers, mergeScoreBins } from '@fedhub/algorithms';
import { afterAll, describe, expect, it } from 'vitest';
import { CELLS_KEY, DEFAULT_CELLS_STATE_LIMIT, PrivacyLedger } from './privacy-ledger.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-ledger-cells-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mulberry(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('privacy ledger: many validations of one dataset', () => {
  it('admits 300 distinct model validations of a 20,000-record dataset that disclose nothing', () => {
    // 20,000 records over categorical covariates (stage 1-4, sex, 5 centres, 10 age bands: 400 patterns
    // of ~50 records): a model's score, a filter's selection and so every score group are unions of
    // whole patterns, so no group of fewer than 5 records can ever be determined
    const N = 20_000;
    const rnd = mulberry(14);
    const stage = Int8Array.from({ length: N }, () => Math.floor(rnd() * 4));
    const sex = Int8Array.from({ length: N }, () => (rnd() < 0.5 ? 0 : 1));
    const centre = Int8Array.from({ length: N }, () => Math.floor(rnd() * 5));
    const band = Int8Array.from({ length: N }, () => Math.floor(rnd() * 10));
    const y = Float64Array.from({ length: N }, () => (rnd() < 0.3 ? 1 : 0));
    const ledger = new PrivacyLedger(join(dir, 'validations'));
    const partitions = new Set<string>();
    let released = 0;
    for (let v = 0; v < 300; v++) {
      // a selection: one centre left out, or one sex, or stages from some stage on
      const kind = v % 3;
      const c = Math.floor(rnd() * 5);
      const on: number[] = [];
      for (let i = 0; i < N; i++)
        if (kind === 0 ? centre[i] !== c : kind === 1 ? sex[i] === v % 2 : stage[i]! >= c % 3) on.push(i);
      const w = [rnd() * 0.8, rnd() * 0.5, rnd() * 0.3 - 0.15, rnd() * 0.2];
      const p = Float64Array.from(on, (i) => {
        const eta =
          -1 + w[0]! * (stage[i]! - 1.5) + w[1]! * sex[i]! + w[2]! * centre[i]! + w[3]! * (band[i]! - 4.5);
        return 1 / (1 + Math.exp(-eta));
      });
      const merged = mergeScoreBins(
        Float64Array.from(on, (i) => y[i]!),
        p,
        { width: 0.001, bins: 1001 },
        5,
      );
      const cells = groupMembers(merged).map((m) => Int32Array.from(m, (j) => on[j]!).sort());
      partitions.add(cells.map((c) => c.join(',')).join('|'));
      ledger.admitRows([{ namespace: 'cohort\u0000#', rows: Int32Array.from(on) }], 10, undefined, {
        sets: cells.map((rows) => ({ namespace: `cohort\u0000${CELLS_KEY}`, rows })),
        minGroup: 5,
      });
      released++;
    }
    expect(released).toBe(300);
    expect(partitions.size).toBe(300);
    const bytes = ledger.cellsStateBytes('cohort');
    expect(bytes).toBeLessThan(DEFAULT_CELLS_STATE_LIMIT / 16);
    ledger.close();
  });
});
