/**
 * Red team, class 3 of issue #14: levels and precision from the data instead of the dictionary. Each
 * attack runs through the node's real executor and fails if the target's value can be derived: factor()
 * of a continuous column, level lists of an undeclared integer column, too many or too dense levels
 * (DataSHIELD's levels.max / levels.density), histogram breaks that bisect down to one patient's value, a
 * quantile that falls on one patient's exact value, and extremes. Where a control run shows the attack is
 * real, it uses a policy or dictionary that lifts the rule.
 */
import type { ColumnSpec } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { buildNodes, federate, type Outcome, type Row } from './attack-harness.js';

/** The target: one patient whose dose is unique and is the highest at its node. */
const TARGET_DOSE = 88.37;

const COLUMNS: ColumnSpec[] = [
  { name: 'dose', type: 'numeric' },
  { name: 'tox', type: 'integer', min: 0, max: 1 },
  { name: 'code', type: 'integer' },
  // 24 declared wards: levels come from the dictionary; the node's level limits still apply to the list
  { name: 'ward', type: 'categorical', levels: Array.from({ length: 24 }, (_, i) => `W${i}`) },
  { name: 'months', type: 'numeric' },
  { name: 'dead', type: 'integer', min: 0, max: 1 },
];

function filler(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** n rows per node; doses in [50, 80) with three decimals; the target (node 0 only) at TARGET_DOSE. */
function nodeRows(n: number, seed: number, target: boolean, wards = 4): Row[] {
  const u = filler(seed);
  const out: Row[] = [];
  for (let i = 0; i < n; i++)
    out.push({
      dose: Math.round((50 + 30 * u()) * 1000) / 1000,
      tox: u() < 0.4 ? 1 : 0,
      code: 1000 + seed * 100 + i,
      ward: `W${i % wards}`,
      months: Math.round(1 + 60 * u()),
      dead: u() < 0.5 ? 1 : 0,
    });
  if (target) out[0] = { ...out[0]!, dose: TARGET_DOSE };
  return out;
}

const refusedWith = (o: Outcome, code: string) => o.kind === 'refused' && o.body.code === code;

describe('red team: levels come from the data dictionary', () => {
  it('factor() of a continuous column is refused, and the refusal names no level', async () => {
    const fed = await buildNodes('trial', COLUMNS, [
      nodeRows(40, 1, true),
      nodeRows(40, 2, false),
      nodeRows(40, 3, false),
    ]);
    try {
      const o = await federate(
        'glm',
        { dataset: 'trial', formula: 'tox ~ factor(dose)', family: 'binomial' },
        fed.nodes,
      );
      expect(refusedWith(o, 'FH_ERR_COLUMN_TYPE')).toBe(true);
      expect(JSON.stringify(o)).not.toContain(String(TARGET_DOSE));
    } finally {
      fed.close();
    }
  });

  it('a level list of an integer column without declared levels (record codes) is refused', async () => {
    const fed = await buildNodes('trial', COLUMNS, [
      nodeRows(40, 1, true),
      nodeRows(40, 2, false),
      nodeRows(40, 3, false),
    ]);
    try {
      const o = await federate(
        'km',
        { dataset: 'trial', time: 'months', event: 'dead', group: 'code' },
        fed.nodes,
      );
      expect(refusedWith(o, 'FH_ERR_COLUMN_TYPE')).toBe(true);
      expect(JSON.stringify(o)).not.toContain('1000');
    } finally {
      fed.close();
    }
  });

  it('levels.max: a factor with more levels than the node allows is refused, without the number', async () => {
    const rows = [nodeRows(120, 1, true, 12), nodeRows(120, 2, false, 12), nodeRows(120, 3, false, 12)];
    // cells of one record allowed, so that only the level rule decides
    const strict = await buildNodes('trial', COLUMNS, rows, {
      policy: { minCellCount: 1, levels: { max: 10, density: 0.33 } },
    });
    const lax = await buildNodes('trial', COLUMNS, rows, { policy: { minCellCount: 1 } });
    try {
      const params = { dataset: 'trial', rows: 'ward', cols: 'tox' };
      const refused = await federate('crosstab', params, strict.nodes);
      expect(refusedWith(refused, 'FH_ERR_TOO_MANY_LEVELS')).toBe(true);
      if (refused.kind === 'refused') {
        expect(JSON.stringify(refused.body)).not.toMatch(/\b12\b|W1/);
        expect(refused.logged.some((e) => e.code === 'FH_ERR_TOO_MANY_LEVELS')).toBe(true);
      }
      // control: under the default levels.max (40) the same table is released
      const released = await federate('crosstab', params, lax.nodes);
      expect(released.kind).toBe('result');
    } finally {
      strict.close();
      lax.close();
    }
  });

  it('levels.density: a level list close to one level per record is refused (control: density 1 releases it)', async () => {
    // 24 wards over 30 records per node: a level for almost every record
    const rows = [nodeRows(30, 1, true, 24), nodeRows(30, 2, false, 24), nodeRows(30, 3, false, 24)];
    const dense = await buildNodes('trial', COLUMNS, rows, { policy: { minCellCount: 1 } });
    const lifted = await buildNodes('trial', COLUMNS, rows, {
      policy: { minCellCount: 1, levels: { max: 40, density: 1 } },
    });
    try {
      const params = { dataset: 'trial', rows: 'ward', cols: 'tox' };
      expect(refusedWith(await federate('crosstab', params, dense.nodes), 'FH_ERR_TOO_MANY_LEVELS')).toBe(
        true,
      );
      const control = await federate('crosstab', params, lifted.nodes);
      expect(control.kind === 'result' && (control.result.rows as string[]).length).toBe(24);
    } finally {
      dense.close();
      lifted.close();
    }
  });
});

describe('red team: precision comes from the data dictionary', () => {
  /**
   * Bisection on the top bin of a histogram: a top bin [m, 200] refused (1 to 4 records) or non-empty
   * means the node's maximum is at least m; an empty one that it is below. The attacker reads the breaks
   * the node actually used (released, or the snapped value of its own break on a refusal).
   */
  async function bisectMaximum(nodes: Awaited<ReturnType<typeof buildNodes>>['nodes'], resolution: number) {
    let lo = 80;
    let hi = 90;
    for (let i = 0; i < 24; i++) {
      const m = (lo + hi) / 2;
      const used = Math.round(m / resolution) * resolution;
      if (used <= lo || used >= hi) break; // the break snaps onto a known end: nothing more to learn
      const o = await federate(
        'summary',
        { dataset: 'trial', columns: ['dose'], bins: { dose: { breaks: [0, m, 200] } } },
        nodes,
      );
      // the bins are merged at the nodes (summary 1.4.0): a break some node's merge removed says that a
      // node holds 1 to 4 records on one side of it, here above it (an answer "yes"), as a refusal did
      const h =
        o.kind === 'result'
          ? (
              o.result.columns as Array<{
                histogram: { breaks: number[]; counts: number[]; requestedBreaks: number[] };
              }>
            )[0]!.histogram
          : null;
      // the break as the nodes snapped it (released with the result)
      const snapped = h?.requestedBreaks[1];
      const top =
        !h || snapped === undefined || !h.breaks.includes(snapped)
          ? 1
          : (h.counts[h.breaks.indexOf(snapped)] ?? 0);
      if (top > 0) lo = used;
      else hi = used;
    }
    return { lo, hi };
  }

  it("histogram breaks snap to the resolution: bisection cannot pin a node's maximum below it", async () => {
    const rows = [nodeRows(40, 1, true), nodeRows(40, 2, false), nodeRows(40, 3, false)];
    const snapped = await buildNodes('trial', COLUMNS, rows);
    const fine = await buildNodes(
      'trial',
      COLUMNS.map((c) => (c.name === 'dose' ? { ...c, resolution: 1e-6 } : c)),
      rows,
    );
    try {
      const got = await bisectMaximum(snapped.nodes, 1);
      expect(got.lo).toBeLessThanOrEqual(TARGET_DOSE);
      expect(got.hi).toBeGreaterThan(TARGET_DOSE);
      expect(got.hi - got.lo).toBeGreaterThanOrEqual(1);
      // control: a dictionary that declares a fine resolution lets the same attack close in on the value
      const control = await bisectMaximum(fine.nodes, 1e-6);
      expect(control.hi - control.lo).toBeLessThan(0.01);
      expect(control.lo).toBeLessThanOrEqual(TARGET_DOSE);
    } finally {
      snapped.close();
      fine.close();
    }
  });

  it("a quantile that falls on one patient's exact value is released only rounded, with enough records near it", async () => {
    // 105 records: the median is the 53rd value, one patient's dose; make it the target's
    const rows = [nodeRows(35, 1, false), nodeRows(35, 2, false), nodeRows(35, 3, false)];
    const all = rows.flat().map((r) => r.dose as number);
    const median = [...all].sort((a, b) => a - b)[52]!;
    const fed = await buildNodes('trial', COLUMNS, rows);
    const exact = await buildNodes(
      'trial',
      COLUMNS.map((c) => (c.name === 'dose' ? { ...c, resolution: 0.001 } : c)),
      rows,
      { policy: { minCellCount: 1 } },
    );
    try {
      const o = await federate('quantiles', { dataset: 'trial', column: 'dose', probs: [0.5] }, fed.nodes);
      expect(o.kind).toBe('result');
      const q = o.kind === 'result' ? (o.result.quantiles as Array<{ value: number | null }>)[0]! : null;
      expect(q!.value).not.toBe(median);
      if (q!.value !== null) {
        const near = all.filter((v) => v >= q!.value! - 0.5 && v < q!.value! + 0.5).length;
        expect(near === 0 || near >= 5).toBe(true);
      }
      // control: a resolution of 0.001 and cells of one record give the patient's exact dose away
      const c = await federate('quantiles', { dataset: 'trial', column: 'dose', probs: [0.5] }, exact.nodes);
      expect(c.kind === 'result' && (c.result.quantiles as Array<{ value: number }>)[0]!.value).toBe(median);
    } finally {
      fed.close();
      exact.close();
    }
  });

  it('no exact extremes: summary releases no minimum or maximum, quantiles near the ends are refused', async () => {
    const fed = await buildNodes('trial', COLUMNS, [
      nodeRows(40, 1, true),
      nodeRows(40, 2, false),
      nodeRows(40, 3, false),
    ]);
    try {
      const s = await federate('summary', { dataset: 'trial', columns: ['dose'] }, fed.nodes);
      expect(s.kind).toBe('result');
      expect(JSON.stringify(s)).not.toContain(String(TARGET_DOSE));
      const col = s.kind === 'result' ? (s.result.columns as Array<Record<string, unknown>>)[0]! : {};
      expect(Object.keys(col)).not.toContain('max');
      expect(Object.keys(col)).not.toContain('min');
      // the aggregator refuses before any bisection round: no order statistic near the ends is sought
      const q = federate('quantiles', { dataset: 'trial', column: 'dose', probs: [0.999] }, fed.nodes);
      await expect(q).rejects.toThrow(/minimum or maximum/);
      await expect(q).rejects.not.toThrow(String(TARGET_DOSE));
    } finally {
      fed.close();
    }
  });
});
