/**
 * The terminal view of a `dvh-bands` result: per dose level, the pooled percentiles of the cumulative DVH
 * across patients (% of the structure), then each centre's where the study releases them. A value released
 * on an interval wider than a point shows the range that holds the exact percentile (±); a percentile too
 * near either end for the number of patients is withheld.
 */
import type { DvhBandsResult } from '@fedhub/protocol';
import { table } from './output.js';

type Band = DvhBandsResult['pooled']['bands'][number];

const label = (p: number) => (p === 0.5 ? 'median' : `P${Math.round(p * 1000) / 10}`);

function cell(b: Band, j: number): string {
  if (b.withheld) return 'withheld';
  const v = b.value[j];
  if (v === null || v === undefined) return '';
  const res = b.resolution[j] ?? 0;
  // one-point rounding: the value; coarser: the half-width of the range that holds the exact percentile
  return res <= 1 ? String(v) : `${v} ±${(res / 2 + 0.5).toString()}`;
}

function bandTable(r: DvhBandsResult, bands: Band[]): string {
  // at most ~41 rows: every level when few, else every k-th (the JSON holds them all)
  const stride = Math.max(1, Math.ceil(r.doseGy.length / 41));
  const rows = r.doseGy
    .map((d, j) => ({ d, j }))
    .filter(({ j }) => j % stride === 0 || j === r.doseGy.length - 1)
    .map(({ d, j }) => [String(d), ...bands.map((b) => cell(b, j))]);
  return table(['dose (Gy)', ...bands.map((b) => label(b.prob))], rows);
}

/** Formats a dvh-bands result for the terminal. */
export function formatDvhBands(r: DvhBandsResult): string {
  const out = [
    `Population DVH bands${r.structure ? ` of ${r.structure}` : ''}: % of the structure receiving at least each dose, percentiles across ${r.pooled.patients} patients pooled over ${r.nodes.length} node(s)`,
    `Each value rests on 0 or at least ${r.minCellCount} patients within its rounding interval; ±: the range that holds the exact percentile where the interval is wider than one point`,
    '',
    bandTable(r, r.pooled.bands),
  ];
  for (const c of r.centres ?? []) {
    out.push('', `${c.node}: ${c.patients ?? 'no'} patients`);
    if (c.bands) out.push(bandTable(r, c.bands));
  }
  const withheld = r.pooled.bands.filter((b) => b.withheld).map((b) => label(b.prob));
  if (withheld.length > 0)
    out.push(
      '',
      `Withheld (pooled): ${withheld.join(', ')}: fewer than ${r.minCellCount} patients beyond them`,
    );
  return out.join('\n');
}
