/** The fitted LKB NTCP against gEUD with its pointwise confidence band. */
import type { LkbResult } from '@fedhub/protocol';
import { toCsv } from '../charts/csv.js';
import { linearScale, niceTicks } from '../charts/scale.js';
import { SERIES_COLOURS, XAxis, YAxis } from './axis.js';
import { Figure } from './figure.js';

type Point = NonNullable<LkbResult['ntcpCurve']>[number];

/** The NTCP curve SVG (data-testid="ntcp-plot"). */
export function NtcpPlot({ curve, confLevel }: { curve: Point[]; confLevel: number }) {
  const width = 560;
  const m = { l: 64, r: 20, t: 14, b: 44 };
  const plotH = 240;
  const height = m.t + plotH + m.b;
  const gMax = Math.max(1, ...curve.map((p) => p.geudGy));
  const x = linearScale([0, gMax], [m.l, width - m.r]);
  const y = linearScale([0, 1], [m.t + plotH, m.t]);
  const v = (p: number | null) => (p === null || !Number.isFinite(p) ? 0 : p);
  const line = curve.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.geudGy)},${y(v(p.ntcp))}`).join('');
  const band = [
    ...curve.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.geudGy)},${y(v(p.upper))}`),
    ...[...curve].reverse().map((p) => `L${x(p.geudGy)},${y(v(p.lower))}`),
    'Z',
  ].join('');
  const csv = () =>
    toCsv(
      ['geud_gy', 'ntcp', 'lower', 'upper'],
      curve.map((p) => [p.geudGy, p.ntcp, p.lower, p.upper]),
    );
  const col = SERIES_COLOURS[0];
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
      <XAxis scale={x} ticks={niceTicks(0, gMax, 6)} y={m.t + plotH} label="gEUD (Gy)" />
      <YAxis scale={y} ticks={niceTicks(0, 1, 5)} x={m.l} label="NTCP" />
    </Figure>
  );
}
