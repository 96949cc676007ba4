/**
 * Forest plot: one row per term, point estimate and 95% CI, the no-effect line, ticks that cover every
 * interval, a text column with the estimate and CI as printed in the tables, and factors' reference levels.
 */
import { formatEstimateCi, formatRatioCi } from '@fedhub/protocol';
import { coveringAxis } from '../charts/cover.js';
import { toCsv } from '../charts/csv.js';
import { extent, linearScale, logScale } from '../charts/scale.js';
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
  /** Heading of the text column (default "OR (95% CI)" style from `xLabel`). */
  textHeading?: string;
}

/** The estimate and CI as text: ratios in fixed notation for clinicians, the CI with the estimate's decimals. */
export function forestText(r: ForestRow, log: boolean): string {
  if (r.reference) return 'reference';
  return (log ? formatRatioCi : formatEstimateCi)(r.estimate, r.lower, r.upper, 3, { missing: '–' }).text;
}

/** The forest plot SVG (data-testid="forest-plot"). */
export function ForestPlot({ rows, log, title, xLabel, fileName, reference, textHeading }: ForestPlotProps) {
  const longest = Math.max(8, ...rows.map((r) => (r.label ?? r.term).length));
  const left = Math.min(280, 16 + longest * 6.4);
  const textW = 170;
  const width = 820;
  const right = textW + 16;
  const rowH = 26;
  const top = 26;
  const plotH = Math.max(1, rows.length) * rowH;
  const height = top + plotH + 46;
  const ref = reference ?? (log ? 1 : 0);
  const finite = rows
    .filter((r) => !r.reference)
    .flatMap((r) => [r.lower, r.upper, r.estimate])
    .filter((v) => Number.isFinite(v) && (!log || v > 0));
  const [lo, hi] = extent([...finite, ref]);
  const axis = coveringAxis(lo, hi, log);
  const range: [number, number] = [left, width - right];
  const x = log ? logScale(axis.domain, range) : linearScale(axis.domain, range);
  const clampX = (v: number) =>
    Number.isFinite(v) && (!log || v > 0)
      ? Math.min(range[1], Math.max(range[0], x(v)))
      : v > ref
        ? range[1]
        : range[0];
  const textX = width - textW;
  return (
    <Figure
      title={title}
      testId="forest-plot"
      fileName={fileName}
      width={width}
      height={height}
      csv={() =>
        toCsv(
          ['term', 'row', 'estimate', 'ci_lower', 'ci_upper', 'reference_level'],
          rows.map((r) => [r.term, r.label ?? r.term, r.estimate, r.lower, r.upper, r.reference === true]),
        )
      }
    >
      <text x={textX} y={top - 10} fill="#222" fontWeight={600}>
        {textHeading ?? `${log ? xLabel.replace(/ \(log scale\)$/, '') : 'estimate'} (95% CI)`}
      </text>
      <line x1={x(ref)} x2={x(ref)} y1={top - 6} y2={top + plotH} stroke="#777" strokeDasharray="4 3" />
      {rows.map((r, i) => {
        const cy = top + i * rowH + rowH / 2;
        const label = r.label ?? r.term;
        const ex = clampX(r.estimate);
        const text = forestText(r, log);
        return (
          <g
            key={label}
            data-testid={r.reference ? 'forest-row-reference' : r.pooled ? 'forest-row-pooled' : 'forest-row'}
          >
            <text
              x={left - 8}
              y={cy}
              dy="0.32em"
              textAnchor="end"
              fill={r.reference ? '#555' : '#222'}
              fontWeight={r.pooled ? 600 : undefined}
            >
              {label}
            </text>
            {r.reference ? (
              <circle cx={x(ref)} cy={cy} r={4} fill="#fff" stroke="#555" strokeWidth={1.5}>
                <title>{`${label}: reference level`}</title>
              </circle>
            ) : (
              <>
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
                    <title>{`${label}: ${text}`}</title>
                  </path>
                ) : (
                  <rect x={ex - 4} y={cy - 4} width={8} height={8} fill="#0b4f8a">
                    <title>{`${label}: ${text}`}</title>
                  </rect>
                )}
              </>
            )}
            <text
              x={textX}
              y={cy}
              dy="0.32em"
              fill={r.reference ? '#555' : '#222'}
              data-testid="forest-text"
              style={{ fontVariantNumeric: 'tabular-nums' }}
            >
              {text}
            </text>
          </g>
        );
      })}
      <XAxis scale={x} ticks={axis.ticks} y={top + plotH + 4} label={xLabel} />
    </Figure>
  );
}
