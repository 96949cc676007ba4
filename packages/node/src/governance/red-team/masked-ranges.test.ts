/**
 * Red team, issue #14 ("ranges still from the data"): three rounds used to send a node's range in the
 * clear. `validate-survival` (range round) and `coxph` (lp-range round) sent the node's smallest and
 * largest linear predictor rounded outwards to 0.1; `quantiles` (no declared min/max) each node's extremes
 * rounded outwards to a power of ten. A frozen model with a coefficient that only the target's covariates
 * activate puts the target at one end, and the released end told the target's score, so a covariate.
 *
 * Now each node only marks, in a masked vector over a public grid, the cells where its tails of at least
 * the minimum cell count end (masked-range.ts): each test shows what the old clear value would have told (the old rule applied
 * to the same rows), then that the hub's stored payloads of the new round hold no number but the policy's
 * minimum cell count besides the masked vector, that they and the pooled sums are the same whatever the
 * target's value, and that the range the hub uses does not reach the target.
 */
import {
  MASKED_FIELD,
  type NodePart,
  RANGE_GRID_CELLS,
  RANGE_GRID_EDGES,
  sumAdditive,
} from '@fedhub/algorithms';
import type { ColumnSpec, Json } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { buildNodes, federate, type Row, resultOf } from './attack-harness.js';

/** What the hub stored of one round: each payload's clear part, and the sum of the masked vectors. */
interface Seen {
  clear: Json[];
  sum: number[];
}

function seenOf(payloads: Json[]): Seen {
  const parts: NodePart[] = payloads.map((payload, i) => ({ nodeId: `n${i}`, nodeName: `N${i}`, payload }));
  return {
    clear: payloads.map((p) => {
      const { [MASKED_FIELD]: masked, ...rest } = p as Record<string, Json>;
      // the vector is masked: a packed string, not the node's counts
      expect(typeof masked).toBe('string');
      return rest as Json;
    }),
    sum: Array.from(sumAdditive(parts)),
  };
}

/** Deterministic survival rows: ages 40..75, months 1..100, a third of them deaths; `flag` 0. */
function centre(seed: number, n = 60): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    months: 1 + ((i * 13 + seed * 7) % 100),
    dead: (i + seed) % 3 === 0 ? 1 : 0,
    flag: 0,
    age: Math.round((40 + ((i * 37 + seed * 11) % 350) / 10) * 10) / 10,
  }));
}
const SURVIVAL: ColumnSpec[] = [
  { name: 'months', type: 'numeric', min: 0, max: 120 },
  { name: 'dead', type: 'integer', min: 0, max: 1 },
  { name: 'flag', type: 'integer', min: 0, max: 1 },
  { name: 'age', type: 'numeric', min: 18, max: 100, resolution: 0.1 },
];
/** Three centres; the target (first centre, first row) flagged, with the age the attacker wants. */
function withTarget(age: number): Row[][] {
  const data = [centre(1), centre(2), centre(3)];
  data[0]![0] = { ...data[0]![0]!, flag: 1, age };
  return data;
}

describe('red team: the range round of validate-survival (a crafted frozen model)', () => {
  // flag sets the target 1000 above everyone; age then reads off its score to the score resolution
  const params = {
    dataset: 'd',
    time: 'months',
    event: 'dead',
    model: { formula: '~ flag + age', coefficients: { flag: 1000, age: 1 } },
    scoreResolution: 0.1,
    timeResolution: 1,
  };

  it("the old round's clear maximum told the target's age; the masked round tells nothing of it", async () => {
    const seen: Array<{ range: Seen; concordanceInput: Json | null; outcome: string }> = [];
    for (const age of [47.3, 71.8]) {
      const rows = withTarget(age);
      // the old rule (validate-survival 1.4.0) on the first centre's rows: its largest score on the grid,
      // rounded outwards to 0.1, in the clear
      const q = rows[0]!.map((r) => Math.round((1000 * (r.flag as number) + (r.age as number)) / 0.1));
      const oldMax = Math.ceil(Math.max(...q)) * 0.1;
      expect(oldMax - 1000).toBeCloseTo(age, 9);

      const fed = await buildNodes('d', SURVIVAL, rows);
      try {
        let range: Seen | null = null;
        let concordanceInput: Json | null = null;
        const got = await federate('validate-survival', params, fed.nodes, {
          onRound: (round, _input, payloads) => {
            if (round === 2) range = seenOf(payloads);
          },
          onInput: (round, input) => {
            if (round === 3) concordanceInput = input;
          },
        });
        seen.push({ range: range!, concordanceInput, outcome: got.kind });
      } finally {
        fed.close();
      }
    }
    const [a, b] = seen;
    // the hub stores, per node, the masked vector and two data-free fields
    for (const c of a!.range.clear) expect(c).toEqual({ rangeOf: 'risk score', minCellCount: 5 });
    expect(a!.range.sum).toHaveLength(RANGE_GRID_CELLS);
    // the same stored payloads and the same pooled counts whatever the target's age
    expect(b!.range).toEqual(a!.range);
    // per cell, how many of the three nodes have a tail of at least 5 records ending there: no count
    expect(a!.range.sum.reduce((x, y) => x + y, 0)).toBe(6);
    // the score grid the hub asks for: the same, on public grid edges, and far below the target's score
    expect(b!.concordanceInput).toEqual(a!.concordanceInput);
    const input = a!.concordanceInput as { lo: number; bins: number };
    const hi = (input.lo + input.bins - 1) * 0.1;
    expect(hi).toBeLessThan(100);
    expect(RANGE_GRID_EDGES.some((e) => Math.abs(e - hi) < 1e-9)).toBe(true);
    // this crafted model then isolates the target's score group in the concordance round: refused there
    // (score-merge), whatever the age, the refusal carrying no data
    expect([a!.outcome, b!.outcome]).toEqual(['refused', 'refused']);
  });
});

describe('red team: the lp-range round of coxph (crafted data: one patient at the extreme)', () => {
  it("the old round's clear maximum told the extreme patient's age; the masked round does not reach it", async () => {
    const rows = [centre(1), centre(2), centre(3)];
    // deaths rise with age, so the fitted coefficient is clearly positive; the target is the oldest by far
    for (const c of rows) for (const r of c) r.dead = (r.age as number) > 58 ? 1 : (r.dead as number);
    const targetAge = 97.3;
    rows[0]![0] = { ...rows[0]![0]!, age: targetAge, dead: 1 };
    const fed = await buildNodes('d', SURVIVAL, rows);
    try {
      let range: Seen | null = null;
      let grid: { min: number; width: number; bins: number } | null = null;
      const got = await federate('coxph', { dataset: 'd', formula: 'Surv(months, dead) ~ age' }, fed.nodes, {
        onRound: (_round, input, payloads) => {
          const phase = (input as { phase: string }).phase;
          if (phase === 'lp-range') range = seenOf(payloads);
          if (phase === 'concordance') grid = (input as { scoreGrid: typeof grid }).scoreGrid;
        },
      });
      expect(got.kind).toBe('result');
      const beta = resultOf<{ coefficients: Array<{ estimate: number }> }>(got).coefficients[0]!.estimate;
      expect(beta).toBeGreaterThan(0);
      // the old rule (coxph 1.4.0): the first centre's largest linear predictor rounded up to 0.1, in the
      // clear; with the released coefficient it gives the target's age to within 0.1 / beta
      const oldMax = Math.ceil(beta * targetAge * 10) / 10;
      expect(Math.abs(oldMax / beta - targetAge)).toBeLessThanOrEqual(0.1 / beta);
      // now: the masked vector and data-free fields only
      for (const c of range!.clear) expect(c).toEqual({ rangeOf: 'linear predictor', minCellCount: 5 });
      expect(range!.sum.reduce((x, y) => x + y, 0)).toBe(6);
      // the concordance grid runs between public grid edges and ends below the target's score: the target
      // is in the open-ended end bin with the other records of its node's upper tail
      const g = grid!;
      const max = g.min + g.width * (g.bins - 1);
      for (const e of [g.min, max]) expect(RANGE_GRID_EDGES.some((x) => Math.abs(x - e) < 1e-9)).toBe(true);
      expect(max).toBeLessThan(beta * targetAge);
      // the second-oldest patient anywhere is 74.9: the grid's end tells nothing finer than the public cell
      expect(max).toBeGreaterThanOrEqual(beta * 70);
    } finally {
      fed.close();
    }
  });
});

describe('red team: the search range of quantiles without a declared min/max', () => {
  const COLUMNS: ColumnSpec[] = [{ name: 'dose', type: 'numeric', resolution: 0.1 }];
  /**
   * Per node 36 doses on the integers 50..61 (each at least 5 times pooled, so a quantile on one is
   * released) and 4 low ones in [2, 3); the target (first node) alone at `target`.
   */
  function doses(target: number): Row[][] {
    return [1, 2, 3].map((seed) =>
      Array.from({ length: 40 }, (_, i) => ({
        dose: seed === 1 && i === 39 ? target : i < 4 ? 2 + (seed * 4 + i) / 20 : 50 + (i % 12),
      })),
    );
  }
  /** R's type 7 (quantile(x, p)) on the pooled values. */
  function type7(values: number[], p: number): number {
    const x = [...values].sort((a, b) => a - b);
    const h = (x.length - 1) * p;
    const lo = Math.floor(h);
    return x[lo]! + (h - lo) * ((x[Math.min(x.length - 1, lo + 1)] ?? x[lo]!) - x[lo]!);
  }

  it("the old envelope told the target's order of magnitude; now the first round is the same whatever it is, and the quantiles stay exact", async () => {
    const probs = [0.1, 0.5, 0.9];
    const seen: Seen[] = [];
    for (const target of [987.6, 4321]) {
      const rows = doses(target);
      // the old rule (quantiles 1.2.0): the node's largest value rounded outwards to a power of ten
      const old = 10 ** Math.ceil(Math.log10(Math.max(...rows[0]!.map((r) => r.dose as number))));
      expect(old).toBe(10 ** Math.ceil(Math.log10(target)));
      const fed = await buildNodes('d', COLUMNS, rows);
      try {
        const got = await federate('quantiles', { dataset: 'd', column: 'dose', probs }, fed.nodes, {
          onRound: (round, _input, payloads) => {
            if (round === 1) seen.push(seenOf(payloads));
          },
        });
        expect(got.kind).toBe('result');
        const r = resultOf<{ quantiles: Array<{ value: number | null }> }>(got);
        const pooled = rows.flat().map((x) => x.dose as number);
        // the 10% quantile lies among the low doses below every node's tail cell: reached by widening the
        // search interval; each value equals R's type 7 on the pooled rows, released on the 0.1 resolution
        probs.forEach((p, i) => {
          expect(r.quantiles[i]!.value).not.toBeNull();
          expect(Math.abs(r.quantiles[i]!.value! - Math.round(type7(pooled, p) * 10) / 10)).toBeLessThan(
            1e-9,
          );
        });
        expect(type7(pooled, 0.1)).toBeLessThan(50);
      } finally {
        fed.close();
      }
    }
    for (const c of seen[0]!.clear)
      expect(c).toEqual({ declaredRange: null, minCellCount: 5, resolution: 0.1 });
    // n and the pooled marks: the same whatever the target's value
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[0]!.sum[0]).toBe(120);
    expect(seen[0]!.sum.slice(1).reduce((x, y) => x + y, 0)).toBe(6);
  });
});
