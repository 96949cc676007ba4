/**
 * coxph's predicted survival curves (survfit(fit, newdata)): step curves with their confidence bands, one per
 * requested covariate set and stratum; intervals merged under the minimum cell count drawn dashed (the
 * curve is released only at each interval's end, never moved).
 */
import { toCsv } from '../charts/csv.js';
import { mergedIntervals, stepBandPath, stepPath } from '../charts/paths.js';
import { extent, formatNumber, linearScale, niceTicks } from '../charts/scale.js';
import { SERIES_COLOURS, XAxis, YAxis } from './axis.js';
import { Figure } from './figure.js';
import type { CoxCurvesResult } from './types.js';

const curveName = (c: CoxCurvesResult['curves'][number]) =>
  `${c.label === 'means' ? "model's means" : c.label}${c.stratum !== null ? ` (${c.stratum})` : ''}`;

/** The curves' SVG (data-testid="cox-curves-plot"). */
export function CoxCurvesPlot({ curves, time }: { curves: CoxCurvesResult; time: string }) {
  const width = 680;
  const m = { l: 76, r: 200, t: 14 };
  const plotH = 260;
  const height = m.t + plotH + 56;
  const [, tMax] = extent(
    curves.curves.flatMap((c) => c.time),
    [0, 1],
  );
  const x = linearScale([0, tMax], [m.l, width - m.r]);
  const y = linearScale([0, 1], [m.t + plotH, m.t]);
  const pct = Math.round(curves.confLevel * 100);
  const csv = () =>
    toCsv(
      [
        'curve',
        'stratum',
        'interval_start',
        'time',
        'merged',
        'n_event',
        'surv',
        'std_err',
        'lower',
        'upper',
      ],
      curves.curves.flatMap((c) =>
        c.time.map((t, i) => [
          c.label,
          c.stratum ?? '',
          c.start[i],
          t,
          c.coarsened[i] ? 1 : 0,
          c.nEvent[i],
          c.surv[i],
          c.stdErr[i],
          c.lower[i],
          c.upper[i],
        ]),
      ),
    );
  return (
    <Figure
      title="Predicted survival (Cox model)"
      testId="cox-curves-plot"
      fileName="cox-survival-curves"
      width={width}
      height={height}
      csv={csv}
    >
      {curves.curves.map((c, g) => {
        const col = SERIES_COLOURS[g % SERIES_COLOURS.length];
        const name = curveName(c);
        return (
          <g key={`${c.label}|${c.stratum}`} data-testid="cox-curve">
            <path d={stepBandPath(c.time, c.lower, c.upper, x, y)} fill={col} opacity={0.12} />
            {mergedIntervals(c.time, c.surv, c.start, c.coarsened).map((iv) => (
              <rect
                key={`${iv.from}-${iv.to}`}
                data-testid="cox-merged-interval"
                x={x(iv.from)}
                width={Math.max(1, x(iv.to) - x(iv.from))}
                y={y(iv.prev)}
                height={Math.max(1, y(iv.surv) - y(iv.prev))}
                fill="none"
                stroke={col}
                strokeDasharray="2 2"
              >
                <title>{`${name}: times ${iv.from} to ${iv.to} merged (minimum cell count); survival between ${formatNumber(iv.surv, 3)} and ${formatNumber(iv.prev, 3)}`}</title>
              </rect>
            ))}
            <path d={stepPath(c.time, c.surv, x, y)} fill="none" stroke={col} strokeWidth={2} />
            <text x={width - m.r + 6} y={m.t + 12 + g * 16} fill={col} fontWeight={600}>
              {name}
            </text>
          </g>
        );
      })}
      <g fill="#444">
        <text x={width - m.r + 6} y={m.t + 28 + curves.curves.length * 16}>{`bands: ${pct}% CI`}</text>
        {curves.mergedTimes > 0 && (
          <text x={width - m.r + 6} y={m.t + 44 + curves.curves.length * 16} data-testid="cox-merged-note">
            <title>{`${curves.mergedTimes} event times merged into intervals of at least ${curves.minCellCount} events`}</title>
            dashed: merged times
          </text>
        )}
      </g>
      <XAxis scale={x} ticks={niceTicks(0, tMax, 6)} y={m.t + plotH} label={time} />
      <YAxis scale={y} ticks={niceTicks(0, 1, 5)} x={m.l} label="survival probability" />
    </Figure>
  );
}
