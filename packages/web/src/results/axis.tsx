/** Axis lines, ticks and labels for the SVG charts. */
import { formatNumber, type Scale } from '../charts/scale.js';

/** A horizontal axis at pixel `y` with ticks at `ticks` (data units). */
export function XAxis({
  scale,
  ticks,
  y,
  label,
}: {
  scale: Scale;
  ticks: number[];
  y: number;
  label?: string;
}) {
  const [r0, r1] = scale.range;
  return (
    <g className="axis">
      <line x1={r0} x2={r1} y1={y} y2={y} stroke="#333" />
      {ticks.map((t) => (
        <g key={t} transform={`translate(${scale(t)},${y})`}>
          <line y2={5} stroke="#333" />
          <text y={16} textAnchor="middle" fill="#222">
            {formatNumber(t, 3)}
          </text>
        </g>
      ))}
      {label && (
        <text x={(r0 + r1) / 2} y={y + 32} textAnchor="middle" fill="#222">
          {label}
        </text>
      )}
    </g>
  );
}

/** A vertical axis at pixel `x` with ticks at `ticks` (data units). */
export function YAxis({
  scale,
  ticks,
  x,
  label,
}: {
  scale: Scale;
  ticks: number[];
  x: number;
  label?: string;
}) {
  const [r0, r1] = scale.range;
  return (
    <g className="axis">
      <line x1={x} x2={x} y1={r0} y2={r1} stroke="#333" />
      {ticks.map((t) => (
        <g key={t} transform={`translate(${x},${scale(t)})`}>
          <line x2={-5} stroke="#333" />
          <text x={-8} dy="0.32em" textAnchor="end" fill="#222">
            {formatNumber(t, 3)}
          </text>
        </g>
      ))}
      {label && (
        <text transform={`translate(${x - 42},${(r0 + r1) / 2}) rotate(-90)`} textAnchor="middle" fill="#222">
          {label}
        </text>
      )}
    </g>
  );
}

/** Colour-blind-safe series colours (Okabe–Ito), dark enough for AA contrast of lines on white. */
export const SERIES_COLOURS = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#6a5a00',
  '#56B4E9',
  '#000000',
] as const;
