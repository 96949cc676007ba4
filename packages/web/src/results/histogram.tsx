/**
 * A histogram of one released column: counts per bin, each bar labelled with its count as released, the
 * x axis in the unit the data dictionary declares for the column (below/above counts are reported, not
 * drawn).
 */
import { toCsv } from '../charts/csv.js';
import { histogramBars } from '../charts/histogram-bars.js';
import { formatNumber, linearScale, niceTicks } from '../charts/scale.js';
import { perUnit } from '../charts/units.js';
import { XAxis, YAxis } from './axis.js';
import { axisTitle, useColumnUnit } from './dictionary-context.js';
import { Figure } from './figure.js';
import type { SummaryColumn } from './types.js';

/** The histogram SVG (data-testid="histogram"). */
export function Histogram({
  column,
}: {
  column: SummaryColumn & { histogram: NonNullable<SummaryColumn['histogram']> };
}) {
  const h = column.histogram;
  const unit = useColumnUnit(column.column);
  const width = 520;
  const height = 240;
  const m = { l: 56, r: 16, t: 18, b: 48 };
  const x = linearScale([h.breaks[0]!, h.breaks.at(-1)!], [m.l, width - m.r]);
  const { bars, density } = histogramBars(h.breaks, h.counts);
  const max = Math.max(density ? 1e-9 : 1, ...bars.map((b) => b.height));
  const y = linearScale([0, max], [height - m.b, m.t]);
  const rows = h.counts.map((c, i) => [h.breaks[i], h.breaks[i + 1], c]);
  return (
    <Figure
      title={`Histogram of ${column.column}${h.below || h.above ? ` (${h.below} below, ${h.above} above the bins)` : ''}`}
      testId="histogram"
      fileName={`histogram-${column.column}`}
      width={width}
      height={height}
      csv={() => toCsv(['bin_lower', 'bin_upper', 'count'], rows)}
    >
      {bars.map((b) => (
        <rect
          key={b.x0}
          x={x(b.x0) + 0.5}
          width={Math.max(0, x(b.x1) - x(b.x0) - 1)}
          y={y(b.height)}
          height={height - m.b - y(b.height)}
          fill="#2f6ea8"
        >
          <title>{`[${b.x0}, ${b.x1}): ${b.count}`}</title>
        </rect>
      ))}
      {bars.map((b) =>
        // the count as released, above its bar where the bar is wide enough to hold it
        x(b.x1) - x(b.x0) >= 14 ? (
          <text
            key={`n-${b.x0}`}
            data-testid="histogram-count"
            x={(x(b.x0) + x(b.x1)) / 2}
            y={y(b.height) - 3}
            textAnchor="middle"
            fontSize={9}
            fill="#222"
          >
            {Number.isInteger(b.count) ? b.count : formatNumber(b.count, 3)}
          </text>
        ) : null,
      )}
      <XAxis
        scale={x}
        ticks={niceTicks(h.breaks[0]!, h.breaks.at(-1)!, 6)}
        y={height - m.b}
        label={axisTitle(column.column, unit)}
      />
      <YAxis
        scale={y}
        ticks={niceTicks(0, max, 4)}
        x={m.l}
        label={density ? `count ${perUnit(unit ?? 'unit')} (records)` : 'count (records)'}
      />
    </Figure>
  );
}
