/**
 * Federated population DVH bands over three nodes (the node's executor, secure aggregation) against R's
 * type-7 percentiles of the patients' cumulative DVHs, pooled and per centre (reference from
 * make-fixtures.R in this folder). Every released value's bracket must hold R's percentile and at least
 * the minimum cell count of patients; no band may follow the one patient whose dose stands apart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalNode, runLocalFederation } from '@fedhub/node';
import type { DvhBandsResult } from '@fedhub/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { useReferenceFederation } from '../test-support/reference-federation.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const ref = JSON.parse(readFileSync(`${fixtures}bands-reference.json`, 'utf8')) as {
  levels: number[];
  probs: number[];
  pooled: number[][];
  centres: Record<'a' | 'b' | 'c', number[][]>;
  curves: number[][];
};
const fed = useReferenceFederation();
const nodes: LocalNode[] = [];
const COLUMNS = [
  { name: 'patient', type: 'categorical' as const, identifier: true },
  { name: 'dose', type: 'numeric' as const, unit: 'Gy' },
  { name: 'volume', type: 'numeric' as const },
];
const params = { dataset: 'dvh', patient: 'patient', dose: 'dose', volume: 'volume', structure: 'Lung_L' };

const alone = (n: LocalNode): LocalNode => ({ ...n, floors: { minNodes: 1, minOrganisations: 1 } });

beforeAll(async () => {
  for (const c of ['a', 'b', 'c'])
    nodes.push(await fed.node(`centre-${c}`, 'dvh', `${fixtures}bands-${c}.csv`, COLUMNS));
});

/** Checks one population's bands against R; returns the largest |value - R| of the median band. */
function check(bands: DvhBandsResult['pooled']['bands'], r: number[][], curves: number[][], k: number) {
  let medianGap = 0;
  let released = 0;
  bands.forEach((b, i) => {
    if (b.withheld) return;
    ref.levels.forEach((_, j) => {
      const [v, res, lo, hi] = [b.value[j]!, b.resolution[j]!, b.lower[j]!, b.upper[j]!];
      const exact = r[i]![j]!;
      // the stated rounding holds R's percentile
      expect(lo - 1e-9).toBeLessThanOrEqual(exact);
      expect(exact).toBeLessThanOrEqual(hi + 1e-9);
      expect(Math.abs(v - exact)).toBeLessThanOrEqual(res / 2 + 0.5 + 1e-9);
      // the rounding interval holds no patient or k or more
      const within = curves.filter((c) =>
        res === 0 ? c[j] === v : c[j]! > v - res / 2 - 1e-9 && c[j]! <= v + res / 2 + 1e-9,
      ).length;
      if (within !== 0) expect(within).toBeGreaterThanOrEqual(k);
      if (b.prob === 0.5) medianGap = Math.max(medianGap, Math.abs(v - exact));
      released++;
    });
  });
  return { medianGap, released };
}

describe('dvh-bands over three nodes', () => {
  it('pooled and per-centre percentiles hold R quantile(type 7) within their brackets', async () => {
    const { result } = await runLocalFederation('dvh-bands', params, nodes);
    const r = result as DvhBandsResult;
    expect(r.doseGy).toEqual(ref.levels);
    expect(r.pooled.patients).toBe(105);
    expect(r.structure).toBe('Lung_L');
    // 105 patients: every percentile from 5 to 95 has 5 patients beyond it
    expect(r.pooled.bands.every((b) => !b.withheld)).toBe(true);
    const pooled = check(r.pooled.bands, ref.pooled, ref.curves, r.minCellCount);
    expect(pooled.released).toBe(5 * ref.levels.length);
    const median = r.pooled.bands.find((b) => b.prob === 0.5)!;
    // on this cohort no median value needed an interval wider than 10 points
    expect(Math.max(...median.resolution.map(Number))).toBeLessThanOrEqual(10);
    const byResolution = new Map<number | null, number>();
    for (const x of median.resolution) byResolution.set(x, (byResolution.get(x) ?? 0) + 1);
    process.stdout.write(
      `median band: largest gap to R ${pooled.medianGap.toFixed(3)} points; levels by rounding ${JSON.stringify([...byResolution])}\n`,
    );
    const sizes = { a: 40, b: 35, c: 30 };
    let start = 0;
    for (const c of ['a', 'b', 'c'] as const) {
      const centre = r.centres!.find((x) => x.node === `centre-${c}`)!;
      expect(centre.patients).toBe(sizes[c]);
      // 30 to 40 patients: the 5th and 95th percentiles lie within 5 patients of an end, withheld
      expect(centre.bands!.filter((b) => b.withheld).map((b) => b.prob)).toEqual([0.05, 0.95]);
      check(centre.bands!, ref.centres[c], ref.curves.slice(start, start + sizes[c]), r.minCellCount);
      start += sizes[c];
    }
  });

  it("no band follows the one patient whose dose stands apart (centre c's first patient)", async () => {
    // centre c alone (a node that allows rounds of one, for this check)
    const { result } = await runLocalFederation('dvh-bands', params, [alone(nodes[2]!)]);
    const r = result as DvhBandsResult;
    const hot = ref.curves[75]!;
    const others = ref.curves.slice(76, 105);
    // the levels where that patient alone has any volume: every other patient at 0 %
    const levels = ref.levels
      .map((d, j) => ({ d, j }))
      .filter(({ j }) => hot[j]! > 1 && others.every((c) => c[j]! === 0));
    expect(levels.length).toBeGreaterThan(5);
    for (const b of r.pooled.bands.filter((x) => !x.withheld))
      for (const { j } of levels) {
        // the released values are 0: the lone patient's curve shows nowhere
        expect(b.value[j]).toBe(0);
        expect(b.resolution[j]).toBe(0);
      }
    // the 95th percentile, the one that would be that patient's curve, is withheld for 30 patients
    expect(r.pooled.bands.find((b) => b.prob === 0.95)!.withheld).toBe('FH_ERR_SMALL_CELL');
  });

  it('refuses a node with fewer patients than the minimum subset size', async () => {
    const lines = readFileSync(`${fixtures}bands-c.csv`, 'utf8').trim().split('\n');
    const keep = lines.filter((l, i) => i === 0 || /^C0[1-3],/.test(l));
    const file = join(fed.dir, 'three.csv');
    writeFileSync(file, `${keep.join('\n')}\n`);
    const small = await fed.node('small', 'dvh', file, COLUMNS);
    await expect(runLocalFederation('dvh-bands', params, [alone(small)])).rejects.toThrow(
      /FH_ERR_SMALL|too few|minimum subset|at least/i,
    );
  });
});
