/**
 * DRL survey: a box of each facility's q1–median–q3 (with its number of exams) against the survey DRL and
 * the reference DRLs, each line labelled with its value on its own row (no label overlaps another), and a
 * legend.
 */
import { phantomName } from '@fedhub/protocol';
import { coveringAxis } from '../charts/cover.js';
import { toCsv } from '../charts/csv.js';
import { spreadLabels } from '../charts/label-layout.js';
import { extent, formatNumber, linearScale } from '../charts/scale.js';
import { XAxis } from './axis.js';
import { Figure } from './figure.js';
import type { DrlStratumResult } from './types.js';

const DRL_RED = '#b3261e';
const BOX_BLUE = '#0b4f8a';

/** The chart's reference lines: the survey DRL first, then each reference DRL that has this quantity. */
export function drlLines(
  s: DrlStratumResult,
): Array<{ id: string; label: string; v: number; survey: boolean }> {
  const refs = s.references
    .map((r) => ({ id: r.id, v: s.quantity === 'dlp' ? r.dlp : r.ctdivol }))
    .filter((r): r is { id: string; v: number } => r.v !== null && Number.isFinite(r.v));
  return [
    { id: 'survey', label: `survey DRL ${formatNumber(s.drl)} ${s.unit}`, v: s.drl, survey: true },
    ...refs.map((r) => ({
      id: r.id,
      label: `${r.id} ${formatNumber(r.v)} ${s.unit}`,
      v: r.v,
      survey: false,
    })),
  ];
}

/** One box plot per stratum and quantity (data-testid="drl-plot"). */
export function DrlPlot({ s }: { s: DrlStratumResult }) {
  const width = 720;
  const labels = s.facilities.map((f) => `${f.facility} (n = ${f.n})`);
  const left = Math.min(260, 16 + Math.max(10, ...labels.map((l) => l.length)) * 6.2);
  const right = 24;
  const rowH = 24;
  const lines = drlLines(s);
  const lineRowH = 14;
  const top = 14 + lines.length * lineRowH;
  const plotH = Math.max(1, s.facilities.length) * rowH;
  const legendY = top + plotH + 52;
  const height = legendY + 22;
  const [, hi] = extent([...s.facilities.flatMap((f) => [f.q3, f.median]), ...lines.map((l) => l.v)]);
  const axis = coveringAxis(0, hi * 1.02, false);
  const x = linearScale(axis.domain, [left, width - right]);
  const q = s.quantity === 'dlp' ? 'DLP' : 'CTDIvol';
  // each line's label on its own row above the plot, sorted by value; rows are spread so none overlap
  const order = [...lines].sort((a, b) => a.v - b.v);
  const rowY = spreadLabels(
    order.map((_, i) => 10 + i * lineRowH),
    lineRowH,
    10,
    top - 4,
  );
  return (
    <Figure
      title={`${s.exam} (${s.group}, ${phantomName(s.phantom)} phantom) ${q}: survey DRL ${formatNumber(s.drl)} ${s.unit}`}
      testId="drl-plot"
      fileName={`drl-${s.exam}-${s.group}-${s.quantity}`}
      width={width}
      height={height}
      csv={() =>
        toCsv(
          ['facility', 'n', 'q1', 'median', 'q3', 'exceeds_survey_drl', 'survey_drl', 'unit'],
          s.facilities.map((f) => [f.facility, f.n, f.q1, f.median, f.q3, f.exceedsSurveyDrl, s.drl, s.unit]),
        )
      }
    >
      {s.facilities.map((f, i) => {
        const cy = top + i * rowH + rowH / 2;
        const col = f.exceedsSurveyDrl ? DRL_RED : BOX_BLUE;
        return (
          <g key={f.facility} data-testid="drl-facility">
            <text x={left - 8} y={cy} dy="0.32em" textAnchor="end" fill="#222">
              {labels[i]}
            </text>
            <rect
              x={x(f.q1)}
              y={cy - 7}
              width={Math.max(1, x(f.q3) - x(f.q1))}
              height={14}
              fill="#fff"
              stroke={col}
              strokeWidth={1.5}
            >
              <title>{`${f.facility}: median ${formatNumber(f.median)}, quartiles ${formatNumber(f.q1)} to ${formatNumber(f.q3)} ${s.unit} (n = ${f.n})`}</title>
            </rect>
            <line x1={x(f.median)} x2={x(f.median)} y1={cy - 7} y2={cy + 7} stroke={col} strokeWidth={3} />
          </g>
        );
      })}
      {order.map((l, i) => {
        const lx = x(l.v);
        // to the right of its line where the label fits in the frame (about 6.2 px a character at 11 px),
        // else to its left: a long reference id near the right edge stays inside the figure
        const anchor = lx + 3 + l.label.length * 6.2 <= width - 2 ? 'start' : 'end';
        const y = rowY[i] as number;
        return (
          <g key={l.id} data-testid={l.survey ? 'drl-survey-line' : 'drl-reference-line'}>
            <line
              x1={lx}
              x2={lx}
              y1={y + 3}
              y2={top + plotH}
              stroke={l.survey ? DRL_RED : '#555'}
              strokeWidth={l.survey ? 2 : 1.2}
              strokeDasharray={l.survey ? undefined : '5 3'}
            />
            <text
              x={anchor === 'end' ? lx - 3 : lx + 3}
              y={y}
              textAnchor={anchor}
              fill={l.survey ? DRL_RED : '#333'}
              data-testid="drl-line-label"
            >
              {l.label}
            </text>
          </g>
        );
      })}
      <XAxis scale={x} ticks={axis.ticks} y={top + plotH + 4} label={`${q} (${s.unit})`} />
      <g data-testid="drl-legend" transform={`translate(16,${legendY})`} fill="#222">
        <rect x={0} y={-7} width={18} height={12} fill="#fff" stroke={BOX_BLUE} strokeWidth={1.5} />
        <line x1={9} x2={9} y1={-7} y2={5} stroke={BOX_BLUE} strokeWidth={3} />
        <text x={24} y={3}>
          facility quartiles and median
        </text>
        <rect x={200} y={-7} width={18} height={12} fill="#fff" stroke={DRL_RED} strokeWidth={1.5} />
        <text x={224} y={3}>
          median above the survey DRL
        </text>
        <line x1={400} x2={418} y1={-1} y2={-1} stroke={DRL_RED} strokeWidth={2} />
        <text x={424} y={3}>
          survey DRL
        </text>
        <line x1={580} x2={598} y1={-1} y2={-1} stroke="#555" strokeDasharray="5 3" />
        <text x={604} y={3}>
          reference DRL
        </text>
      </g>
    </Figure>
  );
}
