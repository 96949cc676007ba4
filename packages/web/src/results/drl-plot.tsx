/** DRL survey: box of each facility's q1–median–q3 against the survey DRL and the reference DRLs. */
import { toCsv } from '../charts/csv.js';
import { extent, formatNumber, linearScale, niceTicks } from '../charts/scale.js';
import { XAxis } from './axis.js';
import { Figure } from './figure.js';
import type { DrlStratumResult } from './types.js';

/** One box plot per stratum and quantity (data-testid="drl-plot"). */
export function DrlPlot({ s }: { s: DrlStratumResult }) {
  const width = 640;
  const left = 150;
  const rowH = 24;
  const top = 28;
  const plotH = Math.max(1, s.facilities.length) * rowH;
  const height = top + plotH + 48;
  const refs = s.references
    .map((r) => ({ id: r.id, v: s.quantity === 'dlp' ? r.dlp : r.ctdivol }))
    .filter((r): r is { id: string; v: number } => r.v !== null && Number.isFinite(r.v));
  const [, hi] = extent([...s.facilities.flatMap((f) => [f.q3, f.median]), s.drl, ...refs.map((r) => r.v)]);
  const x = linearScale([0, hi * 1.08], [left, width - 20]);
  const q = s.quantity === 'dlp' ? 'DLP' : 'CTDIvol';
  return (
    <Figure
      title={`${s.exam} (${s.group}, ${s.phantom}) ${q}: survey DRL ${formatNumber(s.drl)} ${s.unit}`}
      testId="drl-plot"
      fileName={`drl-${s.exam}-${s.group}-${s.quantity}`}
      width={width}
      height={height}
      csv={() =>
        toCsv(
          ['facility', 'n', 'q1', 'median', 'q3', 'exceeds_survey_drl'],
          s.facilities.map((f) => [f.facility, f.n, f.q1, f.median, f.q3, f.exceedsSurveyDrl]),
        )
      }
    >
      {s.facilities.map((f, i) => {
        const cy = top + i * rowH + rowH / 2;
        const col = f.exceedsSurveyDrl ? '#b3261e' : '#0b4f8a';
        return (
          <g key={f.facility}>
            <text x={left - 8} y={cy} dy="0.32em" textAnchor="end" fill="#222">
              {f.facility}
            </text>
            <rect
              x={x(f.q1)}
              y={cy - 7}
              width={Math.max(1, x(f.q3) - x(f.q1))}
              height={14}
              fill="#fff"
              stroke={col}
              strokeWidth={1.5}
            />
            <line x1={x(f.median)} x2={x(f.median)} y1={cy - 7} y2={cy + 7} stroke={col} strokeWidth={3} />
          </g>
        );
      })}
      <line x1={x(s.drl)} x2={x(s.drl)} y1={top - 10} y2={top + plotH} stroke="#b3261e" strokeWidth={2} />
      <text x={x(s.drl)} y={top - 14} textAnchor="middle" fill="#b3261e">
        survey DRL
      </text>
      {refs.map((r, i) => (
        <g key={r.id}>
          <line x1={x(r.v)} x2={x(r.v)} y1={top - 4} y2={top + plotH} stroke="#555" strokeDasharray="5 3" />
          <text x={x(r.v) + 3} y={top + plotH - 4 - i * 12} fill="#444">
            {r.id}
          </text>
        </g>
      ))}
      <XAxis scale={x} ticks={niceTicks(0, hi * 1.08, 6)} y={top + plotH + 4} label={`${q} (${s.unit})`} />
    </Figure>
  );
}
