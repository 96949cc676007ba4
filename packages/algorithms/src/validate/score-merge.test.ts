/**
 * Node-side merging of score bins: every released (outcome, group) count passes the policy, a score that
 * sets one patient apart leaves a short group (refused by the gate), nothing merges where nothing needs to, and the pooled AUC of smooth
 * scores stays within 1e-3 of the exact AUC of the unmerged predictions.
 */
import { aucFromHistograms } from '@fedhub/stats';
import { describe, expect, it } from 'vitest';
import {
  MAX_GROUP_SPAN,
  MAX_GROUPS_PER_CLASS,
  mergeAdjacentBins,
  mergedHistogram,
  mergeScoreBins,
} from './score-merge.js';

/** A deterministic uniform sequence (linear congruential), so each run sees the same patients. */
function uniform(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
}
function normal(u: () => number) {
  return Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** A typical logistic model at one centre: linear predictor from two covariates, outcome drawn from it. */
function centre(seed: number, n: number) {
  const u = uniform(seed);
  const y = new Float64Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const eta = -1 + 0.9 * normal(u) + 0.5 * normal(u);
    p[i] = 1 / (1 + Math.exp(-eta));
    y[i] = u() < p[i]! ? 1 : 0;
  }
  return { y, p };
}

/** Exact AUC (Mann–Whitney, ties 1/2) over every pair. */
function exactAuc(y: Float64Array, p: Float64Array) {
  let s = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++)
    if (y[i] === 1)
      for (let j = 0; j < y.length; j++)
        if (y[j] === 0) {
          pairs++;
          s += p[i]! > p[j]! ? 1 : p[i] === p[j] ? 0.5 : 0;
        }
  return s / pairs;
}

const GRID = { width: 0.001, bins: 1001 };

describe('mergeAdjacentBins', () => {
  it('closes groups at k records from both ends inwards, folds short runs into a neighbour, and leaves a run short past the span', () => {
    expect(mergeAdjacentBins([1, 4, 0, 0, 0, 0, 3, 2], 5, 100)).toEqual([
      { from: 0, to: 1, n: 5 },
      { from: 6, to: 7, n: 5 },
    ]);
    expect(mergeAdjacentBins([5, 0, 2, 3, 0, 1], 5, 100)).toEqual([{ from: 0, to: 5, n: 11 }]);
    // the record at bin 9 lies more than 4 bins from its group's first: both stay short
    expect(mergeAdjacentBins([2, 0, 0, 0, 0, 0, 0, 0, 0, 1], 5, 4)).toEqual([
      { from: 0, to: 0, n: 2 },
      { from: 9, to: 9, n: 1 },
    ]);
    // a short run cut by the span joins the full group below when that group's span allows
    expect(mergeAdjacentBins([5, 1, 0, 0, 0, 0, 2, 0], 5, 6)).toEqual([{ from: 0, to: 6, n: 8 }]);
    expect(mergeAdjacentBins([0, 0], 5, 4)).toEqual([]);
  });
});

describe('mergeScoreBins', () => {
  it('releases only (outcome, group) counts of at least the minimum cell count, at the group means', () => {
    const { y, p } = centre(1, 300);
    const m = mergeScoreBins(y, p, GRID, 5);
    for (const g of m.groups) {
      expect(g.n).toBeGreaterThanOrEqual(5);
      expect((g.to - g.from) * GRID.width).toBeLessThanOrEqual(MAX_GROUP_SPAN + 1e-12);
    }
    const h = mergedHistogram(y, m, GRID.bins);
    for (const c of h) expect(c === 0 || c >= 5).toBe(true);
    expect(h.reduce((a, b) => a + b, 0)).toBe(300);
    // every record carries its group's mean; the means are those of the records
    const total = m.groups.reduce((a, g) => a + g.mean * g.n, 0);
    expect(Math.abs(total - p.reduce((a, b) => a + b, 0))).toBeLessThan(1e-9);
    // deterministic
    expect(mergeScoreBins(y, p, GRID, 5)).toEqual(m);
  });

  it('merges nothing where every bin already passes, and keeps scores on the grid exactly', () => {
    const y = new Float64Array(40);
    const p = new Float64Array(40);
    for (let i = 0; i < 40; i++) {
      y[i] = i % 2;
      p[i] = [0.1, 0.3, 0.5, 0.7][Math.floor(i / 10)]!;
    }
    const m = mergeScoreBins(y, p, GRID, 5);
    expect(m.groups.map((g) => g.from === g.to)).toEqual(Array(8).fill(true));
    expect(Array.from(m.p)).toEqual(Array.from(p));
  });

  it('leaves a patient whom a crafted model scores apart in a short group (declared, so refused)', () => {
    const { y, p } = centre(2, 60);
    for (let i = 0; i < 60; i++) p[i] = 0.2 + (i % 4) / 20;
    p[0] = 0.9; // the target, alone at the top
    const m = mergeScoreBins(y, p, GRID, 5);
    const target = m.groups.find((g) => g.from <= 900 && g.to >= 900)!;
    expect(target).toMatchObject({ outcome: y[0], n: 1 });
    // the rest passes
    expect(m.groups.filter((g) => g !== target).every((g) => g.n >= 5)).toBe(true);
  });

  /** |pooled AUC from the merged histograms - exact pooled AUC| for 3 centres of n, and whether all passed. */
  function aucError(seed: number, n: number) {
    const centres = [centre(seed + 1, n), centre(seed + 2, n), centre(seed + 3, n)];
    const pooled = new Float64Array(2 * GRID.bins);
    let passed = true;
    for (const c of centres) {
      const m = mergeScoreBins(c.y, c.p, GRID, 5);
      passed &&= m.groups.every((g) => g.n >= 5);
      const h = mergedHistogram(c.y, m, GRID.bins);
      for (let b = 0; b < h.length; b++) pooled[b]! += h[b]!;
    }
    const all = {
      y: Float64Array.from(centres.flatMap((c) => Array.from(c.y))),
      p: Float64Array.from(centres.flatMap((c) => Array.from(c.p))),
    };
    return { diff: Math.abs(aucFromHistograms(pooled, GRID.bins).auc - exactAuc(all.y, all.p)), passed };
  }

  it('keeps the pooled AUC of smooth scores near the exact AUC: 3 centres of 300 (39 federations), of 600 (10)', () => {
    const at300 = Array.from({ length: 39 }, (_, i) => aucError(10 * (i + 1), 300));
    const diffs = at300.map((r) => r.diff).sort((a, b) => a - b);
    const within = diffs.filter((d) => d < 1e-3).length;
    // the typical model passes the policy at every centre of nearly every federation
    expect(at300.filter((r) => r.passed).length).toBeGreaterThanOrEqual(35);
    expect(diffs[19]!).toBeLessThan(5e-4); // median
    expect(within).toBeGreaterThanOrEqual(35);
    expect(diffs.at(-1)!).toBeLessThan(2e-3);
    const at600 = Array.from({ length: 10 }, (_, i) => aucError(1000 + 10 * i, 600));
    for (const r of at600) expect(r.diff).toBeLessThan(1e-3);
    // the figures, for docs/privacy.md
    console.log(
      `300 per centre: median ${diffs[19]!.toExponential(2)}, max ${diffs.at(-1)!.toExponential(2)}, ${within}/39 within 1e-3, ${at300.filter((r) => r.passed).length}/39 pass; 600 per centre: max ${Math.max(...at600.map((r) => r.diff)).toExponential(2)}`,
    );
  });
});

describe('mergeScoreBins at large sizes', () => {
  it('keeps at most 100 groups per class, the AUC within 1e-3 of the exact one (20,000 records at one centre)', () => {
    const { y, p } = centre(77, 20_000);
    const m = mergeScoreBins(y, p, GRID, 5);
    for (const c of [0, 1])
      expect(m.groups.filter((g) => g.outcome === c).length).toBeLessThanOrEqual(MAX_GROUPS_PER_CLASS);
    const hist = mergedHistogram(y, m, GRID.bins);
    const got = aucFromHistograms(hist, GRID.bins).auc;
    // the exact AUC by ranks (every pair would be 10^8 comparisons)
    const order = Array.from(p.keys()).sort((a, b) => p[a]! - p[b]!);
    let rankSum = 0;
    let ones = 0;
    for (let k = 0; k < order.length; ) {
      let e = k;
      while (e < order.length && p[order[e]!] === p[order[k]!]) e++;
      const mid = (k + 1 + e) / 2;
      for (let j = k; j < e; j++)
        if (y[order[j]!] === 1) {
          rankSum += mid;
          ones++;
        }
      k = e;
    }
    const zeros = y.length - ones;
    const exact = (rankSum - (ones * (ones + 1)) / 2) / (ones * zeros);
    console.log(
      `20,000 records, ${m.groups.length} groups: |AUC - exact| = ${Math.abs(got - exact).toExponential(2)}`,
    );
    expect(Math.abs(got - exact)).toBeLessThan(1e-3);
  });
});
