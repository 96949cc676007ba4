/**
 * The fitted LKB NTCP against gEUD with its pointwise confidence band, and the published (Burman 1991,
 * QUANTEC 2010) curves of the organ when the fit names a known TG-263 structure.
 */
import { type LkbResult, lkbNtcp, type NtcpReference } from '@fedhub/protocol';
import { coveringAxis } from '../charts/cover.js';
import { toCsv } from '../charts/csv.js';
import { formatNumber, linearScale, niceTicks } from '../charts/scale.js';
import { SERIES_COLOURS, XAxis, YAxis } from './axis.js';
import { Figure } from './figure.js';

type Point = NonNullable<LkbResult['ntcpCurve']>[number];

const REF_DASH = ['6 4', '2 3', '8 3 2 3'];

/** The NTCP curve SVG (data-testid="ntcp-plot"). */
export function NtcpPlot({
  curve,
  confLevel,
  references = [],
}: {
  curve: Point[];
  confLevel: number;
  references?: readonly NtcpReference[];
}) {
  const width = 720;
  const legendH = 18 * (1 + references.length) + 8;
  const m = { l: 64, r: 20, t: 14, b: 48 + legendH };
  const plotH = 260;
  const height = m.t + plotH + m.b;
  const gMax = Math.max(1, ...curve.map((p) => p.geudGy), ...references.map((r) => r.TD50 * 1.6));
  const axis = coveringAxis(0, gMax, false);
  const x = linearScale(axis.domain, [m.l, width - m.r]);
  const y = linearScale([0, 1], [m.t + plotH, m.t]);
  const v = (p: number | null) => (p === null || !Number.isFinite(p) ? 0 : p);
  const line = curve.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.geudGy)},${y(v(p.ntcp))}`).join('');
  const band = [
    ...curve.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.geudGy)},${y(v(p.upper))}`),
    ...[...curve].reverse().map((p) => `L${x(p.geudGy)},${y(v(p.lower))}`),
    'Z',
  ].join('');
  const grid = Array.from({ length: 81 }, (_, i) => (axis.domain[1] * i) / 80);
  const refPath = (r: NtcpReference) =>
    grid.map((g, i) => `${i === 0 ? 'M' : 'L'}${x(g)},${y(lkbNtcp(g, r))}`).join('');
  const csv = () =>
    toCsv(
      ['geud_gy', 'ntcp', 'lower', 'upper', ...references.map((r) => `${r.source} ${r.endpoint}`)],
      curve.map((p) => [p.geudGy, p.ntcp, p.lower, p.upper, ...references.map((r) => lkbNtcp(p.geudGy, r))]),
    );
  const col = SERIES_COLOURS[0];
  const legendY = m.t + plotH + 50;
  return (
    <Figure
      title={`LKB NTCP against gEUD (band: ${Math.round(confLevel * 100)}% pointwise CI)`}
      testId="ntcp-plot"
      fileName="lkb-ntcp"
      width={width}
      height={height}
      csv={csv}
    >
      <path d={band} fill={col} opacity={0.15} />
      <path d={line} fill="none" stroke={col} strokeWidth={2} />
      {references.map((r, i) => (
        <path
          key={`${r.source}-${r.endpoint}`}
          d={refPath(r)}
          fill="none"
          stroke="#444"
          strokeWidth={1.3}
          strokeDasharray={REF_DASH[i % REF_DASH.length]}
          data-testid="ntcp-reference-curve"
        />
      ))}
      <XAxis scale={x} ticks={axis.ticks} y={m.t + plotH} label="gEUD (Gy)" />
      <YAxis scale={y} ticks={niceTicks(0, 1, 5)} x={m.l} label="NTCP" />
      <g transform={`translate(${m.l},${legendY})`} fill="#222" data-testid="ntcp-legend">
        <rect x={0} y={-9} width={22} height={12} fill={col} opacity={0.15} />
        <line x1={0} x2={22} y1={-3} y2={-3} stroke={col} strokeWidth={2} />
        <text x={28} y={1}>
          this federation's fit, {Math.round(confLevel * 100)}% CI
        </text>
        {references.map((r, i) => (
          <g key={`${r.source}-${r.endpoint}`} transform={`translate(0,${18 * (i + 1)})`}>
            <line
              x1={0}
              x2={22}
              y1={-3}
              y2={-3}
              stroke="#444"
              strokeDasharray={REF_DASH[i % REF_DASH.length]}
            />
            <text x={28} y={1}>
              {`${r.source}, ${r.endpoint}: TD50 ${formatNumber(r.TD50)} Gy, m ${formatNumber(r.m)}, n ${formatNumber(r.n)}`}
            </text>
          </g>
        ))}
      </g>
    </Figure>
  );
}
