/**
 * Dose–volume histogram plot: cumulative DVH curves (% of the structure receiving at least the dose),
 * per structure (e.g. from `fedhub rt dvh --json`) and/or population bands (dvh-bands): the median as a
 * line and the percentile ranges shaded, the outer pair lighter. Axes in Gy and %.
 */
import type { DvhBandsResult } from '@fedhub/protocol';
import { type CoveredAxis, coveringAxis } from '../charts/cover.js';
import { toCsv } from '../charts/csv.js';
import { linearScale, niceTicks } from '../charts/scale.js';
import { SERIES_COLOURS, XAxis, YAxis } from './axis.js';
import { Figure } from './figure.js';

type Band = DvhBandsResult['pooled']['bands'][number];

export interface DvhCurve {
  name: string;
  doseGy: readonly number[];
  volumePct: readonly number[];
}

export interface DvhBands {
  doseGy: readonly number[];
  bands: readonly Band[];
}

const pctLabel = (p: number) => (p === 0.5 ? 'median' : `P${Math.round(p * 1000) / 10}`);

/** Pairs of released percentiles symmetric about the median (outermost first), and the median band. */
export function bandPairs(bands: readonly Band[]): { pairs: Array<[Band, Band]>; median: Band | null } {
  const shown = [...bands].filter((b) => !b.withheld).sort((a, b) => a.prob - b.prob);
  const pairs: Array<[Band, Band]> = [];
  for (const lo of shown) {
    if (lo.prob >= 0.5) break;
    const hi = shown.find((b) => Math.abs(b.prob - (1 - lo.prob)) < 1e-9);
    if (hi) pairs.push([lo, hi]);
  }
  return { pairs, median: shown.find((b) => b.prob === 0.5) ?? null };
}

/**
 * The dose axis: from 0 to a bit beyond the largest dose at which a curve or a released band (its value
 * or the upper end of its range) is still above 0%, so that the fall to zero shows, but not past the last
 * dose given; rounded up to a round tick. Dose levels past it hold 0% only
 * and are not drawn; with nothing above 0% anywhere, the axis spans every dose given.
 *
 * @example
 * // levels 0..80 Gy, the highest percentile reaching 0% after 62 Gy: ticks 0, 10, ..., 70
 * dvhDoseAxis([], { doseGy: levels, bands }).domain // [0, 70]
 */
export function dvhDoseAxis(curves: readonly DvhCurve[], bands?: DvhBands): CoveredAxis {
  const series: Array<{ doseGy: readonly number[]; values: ReadonlyArray<ReadonlyArray<number | null>> }> = [
    ...curves.map((c) => ({ doseGy: c.doseGy, values: [c.volumePct] })),
    ...(bands
      ? [
          {
            doseGy: bands.doseGy,
            values: bands.bands.filter((b) => !b.withheld).flatMap((b) => [b.value, b.upper]),
          },
        ]
      : []),
  ];
  let lastNonZero = Number.NEGATIVE_INFINITY;
  let next = Number.NEGATIVE_INFINITY;
  for (const s of series)
    s.doseGy.forEach((d, i) => {
      if (!s.values.some((v) => (v[i] ?? 0) > 0) || d < lastNonZero) return;
      lastNonZero = d;
      // the level after it (where the curve is down to 0%), so that the drop is drawn
      next = s.doseGy.find((e) => e > d) ?? d;
    });
  const all = series.flatMap((s) => s.doseGy);
  const top = Math.max(1, ...all.filter(Number.isFinite));
  const hi = lastNonZero > 0 ? Math.min(top, Math.max(lastNonZero * 1.05, next)) : top;
  return coveringAxis(0, hi, false, 10);
}

/** How many of the leading `doses` (ascending) lie on an axis ending at `max`. */
function levelsUpTo(doses: readonly number[], max: number): number {
  const n = doses.findIndex((d) => d > max + 1e-9);
  return n < 0 ? doses.length : n;
}

/** SVG path segments of y(x), broken where a value is missing. */
function linePath(
  xs: readonly number[],
  ys: ReadonlyArray<number | null>,
  x: (v: number) => number,
  y: (v: number) => number,
) {
  let d = '';
  let pen = false;
  xs.forEach((xv, i) => {
    const v = ys[i];
    if (v === null || v === undefined) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(xv)},${y(v)}`;
    pen = true;
  });
  return d;
}

/** The area between two percentile curves, one polygon per run of levels where both are released. */
function areaPath(
  xs: readonly number[],
  lo: ReadonlyArray<number | null>,
  hi: ReadonlyArray<number | null>,
  x: (v: number) => number,
  y: (v: number) => number,
) {
  const runs: number[][] = [];
  let run: number[] = [];
  xs.forEach((_, i) => {
    if (lo[i] === null || hi[i] === null || lo[i] === undefined || hi[i] === undefined) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push(i);
  });
  if (run.length) runs.push(run);
  return runs
    .map(
      (r) =>
        `${r.map((i, k) => `${k === 0 ? 'M' : 'L'}${x(xs[i]!)},${y(hi[i]!)}`).join('')}${[...r]
          .reverse()
          .map((i) => `L${x(xs[i]!)},${y(lo[i]!)}`)
          .join('')}Z`,
    )
    .join('');
}

/** The DVH plot SVG (data-testid="dvh-plot"): curves, bands, or both on the same axes. */
export function DvhPlot({
  title,
  fileName,
  curves = [],
  bands,
}: {
  title: string;
  fileName: string;
  curves?: readonly DvhCurve[];
  bands?: DvhBands;
}) {
  const width = 720;
  const { pairs, median } = bands ? bandPairs(bands.bands) : { pairs: [], median: null };
  const legend = [
    ...curves.map((c, i) => ({ kind: 'curve' as const, label: c.name, i })),
    ...(median ? [{ kind: 'median' as const, label: 'median across patients', i: 0 }] : []),
    ...pairs.map(([lo, hi], i) => ({
      kind: 'band' as const,
      label: `${pctLabel(lo.prob)} to ${pctLabel(hi.prob)}`,
      i,
    })),
  ];
  const m = { l: 64, r: 20, t: 14, b: 56 + 18 * legend.length };
  const plotH = 280;
  const height = m.t + plotH + m.b;
  const axis = dvhDoseAxis(curves, bands);
  const x = linearScale(axis.domain, [m.l, width - m.r]);
  // levels past the axis hold 0% only (dvhDoseAxis): not drawn
  const dMax = axis.domain[1];
  const nb = bands ? levelsUpTo(bands.doseGy, dMax) : 0;
  const bandDoses = bands ? bands.doseGy.slice(0, nb) : [];
  const y = linearScale([0, 100], [m.t + plotH, m.t]);
  const bandColour = SERIES_COLOURS[0];
  // shades from light (outermost pair) to darker (innermost)
  const opacity = (i: number) => 0.12 + (0.22 * (i + 1)) / Math.max(1, pairs.length);
  const csv = () => {
    if (bands)
      return toCsv(
        [
          'dose_gy',
          ...bands.bands.flatMap((b) => [
            `${pctLabel(b.prob)}_pct`,
            `${pctLabel(b.prob)}_lower`,
            `${pctLabel(b.prob)}_upper`,
          ]),
        ],
        bands.doseGy.map((d, j) => [
          d,
          ...bands.bands.flatMap((b) => [b.value[j] ?? null, b.lower[j] ?? null, b.upper[j] ?? null]),
        ]),
      );
    return toCsv(
      ['structure', 'dose_gy', 'volume_pct'],
      curves.flatMap((c) => c.doseGy.map((d, i) => [c.name, d, c.volumePct[i]!])),
    );
  };
  const legendY = m.t + plotH + 52;
  return (
    <Figure title={title} testId="dvh-plot" fileName={fileName} width={width} height={height} csv={csv}>
      {bands
        ? pairs.map(([lo, hi], i) => (
            <path
              key={`${lo.prob}-${hi.prob}`}
              d={areaPath(bandDoses, lo.value.slice(0, nb), hi.value.slice(0, nb), x, y)}
              fill={bandColour}
              opacity={opacity(i)}
              data-testid="dvh-band"
            />
          ))
        : null}
      {bands && median ? (
        <path
          d={linePath(bandDoses, median.value.slice(0, nb), x, y)}
          fill="none"
          stroke={bandColour}
          strokeWidth={2.2}
          data-testid="dvh-median"
        />
      ) : null}
      {curves.map((c, i) => (
        <path
          key={c.name}
          d={linePath(
            c.doseGy.slice(0, levelsUpTo(c.doseGy, dMax)),
            c.volumePct.slice(0, levelsUpTo(c.doseGy, dMax)),
            x,
            y,
          )}
          fill="none"
          stroke={SERIES_COLOURS[(i + (bands ? 1 : 0)) % SERIES_COLOURS.length]}
          strokeWidth={1.6}
          data-testid="dvh-curve"
        />
      ))}
      <XAxis scale={x} ticks={axis.ticks} y={m.t + plotH} label="Dose (Gy)" />
      <YAxis scale={y} ticks={niceTicks(0, 100, 5)} x={m.l} label="Volume (%)" />
      <g transform={`translate(${m.l},${legendY})`} fill="#222" data-testid="dvh-legend">
        {legend.map((e, k) => (
          <g key={`${e.kind}-${e.label}`} transform={`translate(0,${18 * k})`}>
            {e.kind === 'band' ? (
              <rect x={0} y={-9} width={22} height={12} fill={bandColour} opacity={opacity(e.i)} />
            ) : (
              <line
                x1={0}
                x2={22}
                y1={-3}
                y2={-3}
                stroke={
                  e.kind === 'median'
                    ? bandColour
                    : SERIES_COLOURS[(e.i + (bands ? 1 : 0)) % SERIES_COLOURS.length]
                }
                strokeWidth={2}
              />
            )}
            <text x={28} y={1}>
              {e.label}
            </text>
          </g>
        ))}
      </g>
    </Figure>
  );
}
