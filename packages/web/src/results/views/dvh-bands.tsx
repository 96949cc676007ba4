/**
 * The `dvh-bands` result: population DVH bands (median line, shaded percentile ranges), pooled and per
 * centre, and a table of the pooled percentiles at every fifth level with the rounding each was released at.
 */
import type { DvhBandsResult } from '@fedhub/protocol';
import { DvhPlot } from '../dvh-plot.js';
import { DvhPlanOverlay } from './dvh-plan-overlay.js';

type Band = DvhBandsResult['pooled']['bands'][number];

const label = (p: number) => (p === 0.5 ? 'median' : `P${Math.round(p * 1000) / 10}`);

function cell(b: Band, j: number): string {
  if (b.withheld) return 'withheld';
  const v = b.value[j];
  if (v === null || v === undefined) return '';
  const res = b.resolution[j] ?? 0;
  return res <= 1 ? String(v) : `${v} ±${res / 2 + 0.5}`;
}

export function DvhBandsView({ r }: { r: DvhBandsResult }) {
  const name = r.structure ?? 'structure';
  const stride = Math.max(1, Math.ceil(r.doseGy.length / 17));
  const rows = r.doseGy.map((d, j) => ({ d, j })).filter(({ j }) => j % stride === 0);
  const withheld = r.pooled.bands.filter((b) => b.withheld).map((b) => label(b.prob));
  return (
    <div>
      <p className="muted">
        Population DVH bands of {name}: the % of the structure receiving at least each dose, percentiles
        across {r.pooled.patients} patients over {r.nodes.length} node(s). Each value rests on no patient or
        at least {r.minCellCount} within its rounding interval; ± gives the range that holds the exact
        percentile where that interval is wider than one point.
        {withheld.length > 0
          ? ` Withheld: ${withheld.join(', ')} (fewer than ${r.minCellCount} patients beyond them).`
          : ''}
      </p>
      <DvhPlot
        title={`${name}: pooled population DVH (${r.pooled.patients} patients)`}
        fileName={`dvh-bands-${name}`}
        bands={{ doseGy: r.doseGy, bands: r.pooled.bands }}
      />
      <DvhPlanOverlay r={r} />
      {(r.centres ?? []).map((c) =>
        c.bands ? (
          <DvhPlot
            key={c.node}
            title={`${name}: ${c.node} (${c.patients} patients)`}
            fileName={`dvh-bands-${name}-${c.node}`}
            bands={{ doseGy: r.doseGy, bands: c.bands }}
          />
        ) : null,
      )}
      <table data-testid="dvh-bands-table">
        <caption>Pooled percentiles (% volume) by dose</caption>
        <thead>
          <tr>
            <th scope="col">dose (Gy)</th>
            {r.pooled.bands.map((b) => (
              <th scope="col" key={b.prob}>
                {label(b.prob)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ d, j }) => (
            <tr key={d}>
              <th scope="row">{d}</th>
              {r.pooled.bands.map((b) => (
                <td key={b.prob}>{cell(b, j)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
