/** Forest plot: one row per term, point estimate and 95% CI, with the no-effect line. */
import { toCsv } from '../charts/csv.js';
import { extent, formatNumber, linearScale, logScale, logTicks, niceTicks } from '../charts/scale.js';
import { XAxis } from './axis.js';
import { Figure } from './figure.js';
import type { ForestRow } from './forest.js';

/** Props: `log` plots ratios on a log axis with the reference line at 1, else at 0. */
export interface ForestPlotProps {
  rows: ForestRow[];
  log: boolean;
  title: string;
  xLabel: string;
  fileName: string;
  /** Where the no-effect line goes (default 1 on a log axis, else 0; 0.5 for a concordance). */
  reference?: number;
}

/** The forest plot SVG (data-testid="forest-plot"). */
export function ForestPlot({ rows, log, title, xLabel, fileName, reference }: ForestPlotProps) {
  const left = rows.some((r) => r.label) ? 230 : 170;
  const right = 20;
  const width = 640;
  const rowH = 26;
  const top = 14;
  const plotH = Math.max(1, rows.length) * rowH;
  const height = top + plotH + 46;
  const ref = reference ?? (log ? 1 : 0);
  const finite = rows
    .flatMap((r) => [r.lower, r.upper, r.estimate])
    .filter((v) => Number.isFinite(v) && (!log || v > 0));
  let [lo, hi] = extent([...finite, ref]);
  if (log) {
    // pad by a share of the log range, so narrow intervals near 1 fill the plot
    const l0 = Math.log(Math.max(lo, 1e-6));
    const l1 = Math.log(hi);
    const pad = (l1 - l0) * 0.08 || 0.05;
    lo = Math.exp(l0 - pad);
    hi = Math.exp(l1 + pad);
  } else {
    const pad = (hi - lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  }
  const x = log ? logScale([lo, hi], [left, width - right]) : linearScale([lo, hi], [left, width - right]);
  const ticks = log ? logTicks(lo, hi) : niceTicks(lo, hi, 6);
  const clampX = (v: number) =>
    Number.isFinite(v) && (!log || v > 0) ? x(v) : v > ref ? width - right : left;
  return (
    <Figure
      title={title}
      testId="forest-plot"
      fileName={fileName}
      width={width}
      height={height}
      csv={() =>
        toCsv(
          ['term', 'row', 'estimate', 'ci_lower', 'ci_upper'],
          rows.map((r) => [r.term, r.label ?? r.term, r.estimate, r.lower, r.upper]),
        )
      }
    >
      <line x1={x(ref)} x2={x(ref)} y1={top - 6} y2={top + plotH} stroke="#777" strokeDasharray="4 3" />
      {rows.map((r, i) => {
        const cy = top + i * rowH + rowH / 2;
        const label = r.label ?? r.term;
        const ex = clampX(r.estimate);
        return (
          <g key={label} data-testid={r.pooled ? 'forest-row-pooled' : 'forest-row'}>
            <text
              x={left - 8}
              y={cy}
              dy="0.32em"
              textAnchor="end"
              fill="#222"
              fontWeight={r.pooled ? 600 : undefined}
            >
              {label}
            </text>
            <line
              x1={clampX(r.lower)}
              x2={clampX(r.upper)}
              y1={cy}
              y2={cy}
              stroke="#0b4f8a"
              strokeWidth={2}
            />
            {r.pooled ? (
              <path d={`M${ex - 7},${cy}L${ex},${cy - 6}L${ex + 7},${cy}L${ex},${cy + 6}Z`} fill="#222">
                <title>{`${label}: ${formatNumber(r.estimate)} (95% CI ${formatNumber(r.lower)} to ${formatNumber(r.upper)})`}</title>
              </path>
            ) : (
              <rect x={ex - 4} y={cy - 4} width={8} height={8} fill="#0b4f8a">
                <title>{`${label}: ${formatNumber(r.estimate)} (95% CI ${formatNumber(r.lower)} to ${formatNumber(r.upper)})`}</title>
              </rect>
            )}
          </g>
        );
      })}
      <XAxis scale={x} ticks={ticks} y={top + plotH + 4} label={xLabel} />
    </Figure>
  );
}
