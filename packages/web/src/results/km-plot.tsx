/** Kaplan–Meier step curves with confidence bands and a number-at-risk table under the x axis. */
import { toCsv } from '../charts/csv.js';
import {
  censorMarks,
  formatAtRisk,
  kmGroupSize,
  mergedIntervals,
  numberAtRisk,
  stepBandPath,
  stepPath,
} from '../charts/paths.js';
import { extent, formatNumber, linearScale, niceTicks, pClause } from '../charts/scale.js';
import { SERIES_COLOURS, XAxis, YAxis } from './axis.js';
import { axisTitle, useColumnUnit } from './dictionary-context.js';
import { Figure } from './figure.js';
import type { KmResult } from './types.js';

/** The last released time over all curves (at least 1): the x axis' end. */
function tMaxOf(result: KmResult): number {
  return extent(
    result.curves.flatMap((c) => c.time),
    [0, 1],
  )[1];
}

/** The KM plot SVG (data-testid="km-plot"). */
export function KmPlot({ result }: { result: KmResult }) {
  const width = 680;
  const m = { l: 76, r: 130, t: 14 };
  const plotH = 260;
  const riskRowH = 16;
  const riskTop = m.t + plotH + 50;
  const atRisk = result.curves.map((c) =>
    numberAtRisk(c.time, c.nRisk, niceTicks(0, tMaxOf(result), 6), kmGroupSize(c)),
  );
  // fractional numbers at risk are shown as released, with a line saying why they are fractional
  const fractional = atRisk.some((row) => row.some((v) => !Number.isInteger(v)));
  const height = riskTop + 18 + result.curves.length * riskRowH + 8 + (fractional ? 16 : 0);
  const tMax = tMaxOf(result);
  const timeUnit = useColumnUnit(result.time);
  const x = linearScale([0, tMax], [m.l, width - m.r]);
  const y = linearScale([0, 1], [m.t + plotH, m.t]);
  const ticks = niceTicks(0, tMax, 6);
  const pct = Math.round((result.confLevel ?? 0.95) * 100);
  const title = `Kaplan–Meier estimate of ${result.time}${result.group ? ` by ${result.group}` : ''}${
    result.logRank ? ` — log-rank ${pClause(result.logRank.pValue)}` : ''
  }`;
  const csv = () =>
    toCsv(
      ['group', 'time', 'n_risk', 'n_event', 'n_censor', 'surv', 'lower', 'upper'],
      result.curves.flatMap((c) =>
        c.time.map((t, i) => [
          c.group,
          t,
          c.nRisk[i],
          c.nEvent[i],
          c.nCensor[i],
          c.surv[i],
          c.lower[i],
          c.upper[i],
        ]),
      ),
    );
  return (
    <Figure
      title={title}
      testId="km-plot"
      fileName={`km-${result.time}`}
      width={width}
      height={height}
      csv={csv}
    >
      {result.curves.map((c, g) => {
        const col = SERIES_COLOURS[g % SERIES_COLOURS.length];
        return (
          <g key={c.group} data-testid="km-curve">
            <path d={stepBandPath(c.time, c.lower, c.upper, x, y)} fill={col} opacity={0.15} />
            {mergedIntervals(c.time, c.surv, c.start, c.coarsened).map((iv) => (
              <rect
                key={`${iv.from}-${iv.to}`}
                data-testid="km-merged-interval"
                x={x(iv.from)}
                width={Math.max(1, x(iv.to) - x(iv.from))}
                y={y(iv.prev)}
                height={Math.max(1, y(iv.surv) - y(iv.prev))}
                fill="none"
                stroke={col}
                strokeDasharray="2 2"
              >
                <title>{`${c.group}: times ${iv.from} to ${iv.to} merged (minimum cell count); survival between ${formatNumber(iv.surv, 3)} and ${formatNumber(iv.prev, 3)}`}</title>
              </rect>
            ))}
            <path d={stepPath(c.time, c.surv, x, y)} fill="none" stroke={col} strokeWidth={2} />
            {censorMarks(c.time, c.surv, c.nCensor).map((k) => (
              <line
                key={k.time}
                data-testid="km-censor-mark"
                x1={x(k.time)}
                x2={x(k.time)}
                y1={y(k.surv) - 4}
                y2={y(k.surv) + 4}
                stroke={col}
                strokeWidth={1.5}
              >
                <title>{`${c.group}: ${k.count} censored at ${k.time}`}</title>
              </line>
            ))}
            <text x={width - m.r + 6} y={m.t + 30 + g * 16} fill={col} fontWeight={600}>
              {c.group}
            </text>
          </g>
        );
      })}
      <text x={width - m.r + 6} y={m.t + 12} fill="#222" fontWeight={600} data-testid="km-legend-title">
        {result.group ?? 'all patients'}
      </text>
      <g fill="#444">
        <text x={width - m.r + 6} y={m.t + 34 + result.curves.length * 16}>
          {`bands: ${pct}% CI`}
        </text>
        <text x={width - m.r + 6} y={m.t + 50 + result.curves.length * 16}>
          | censored
        </text>
        {(result.mergedBins ?? 0) > 0 && (
          <text x={width - m.r + 6} y={m.t + 66 + result.curves.length * 16} data-testid="km-merged-note">
            <title>{`${result.mergedBins} distinct times merged into intervals so every released count is 0 or at least ${result.minCellCount ?? 'the minimum cell count'}`}</title>
            dashed: merged times
          </text>
        )}
      </g>
      <XAxis scale={x} ticks={ticks} y={m.t + plotH} label={axisTitle(result.time, timeUnit)} />
      <YAxis scale={y} ticks={niceTicks(0, 1, 5)} x={m.l} label="survival probability" />
      <g data-testid="km-risk-table">
        <text x={4} y={riskTop} fontWeight={600} fill="#222">
          Number at risk
        </text>
        {result.curves.map((c, g) => {
          const ry = riskTop + 16 + g * riskRowH;
          const counts = atRisk[g]!;
          return (
            <g key={c.group}>
              <text x={m.l - 26} y={ry} textAnchor="end" fill={SERIES_COLOURS[g % SERIES_COLOURS.length]}>
                {c.group}
              </text>
              {ticks.map((t, i) => (
                <text key={t} x={x(t)} y={ry} textAnchor="middle" fill="#222">
                  {formatAtRisk(counts[i] ?? 0)}
                </text>
              ))}
            </g>
          );
        })}
        {fractional && (
          <text
            x={4}
            y={riskTop + 16 + result.curves.length * riskRowH}
            fill="#555"
            data-testid="km-fractional-note"
          >
            {(result.mergedBins ?? 0) > 0
              ? 'Fractional numbers at risk are as released: censorings within merged intervals are spread over the interval.'
              : 'Fractional numbers at risk are as released (not rounded).'}
          </text>
        )}
      </g>
    </Figure>
  );
}
