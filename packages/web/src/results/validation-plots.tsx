/**
 * ROC curves and calibration plots of a `validate` result: per centre where the study allows per-node
 * breakdowns (validate 1.5.0 releases each centre's curve and risk groups), pooled otherwise, each with its
 * pointwise 95% confidence band computed from released numbers only.
 */
import { formatFixed } from '@fedhub/protocol';
import { wilsonInterval } from '../charts/binomial-ci.js';
import { toCsv } from '../charts/csv.js';
import { bandPath, rocSensitivityBand } from '../charts/roc-band.js';
import { formatNumber, linearScale, niceTicks } from '../charts/scale.js';
import { SERIES_COLOURS, XAxis, YAxis } from './axis.js';
import { Figure } from './figure.js';
import type { RocPoint, ValidateResult } from './types.js';

const W = 560;
const M = { l: 60, r: 190, t: 14, b: 48 };
const P = W - M.l - M.r;
const POOLED_COLOUR = '#000000';

/** SVG path through ROC points in order (they are already ordered by decreasing threshold). */
export function rocPath(
  points: readonly RocPoint[],
  x: (v: number) => number,
  y: (v: number) => number,
): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.fpr).toFixed(2)},${y(p.tpr).toFixed(2)}`).join('');
}

/** Risk groups as released: n, observed events and the sum of predicted risks per group. */
interface Groups {
  n?: number[];
  observed?: number[];
  expected?: number[];
}

/** One curve of a figure: the pooled data or one centre. */
interface Series {
  label: string;
  colour: string;
  pooled: boolean;
}

/** The series of a result: each centre that sent its curve, then the pooled data. */
function seriesOf<T>(
  r: ValidateResult,
  pick: (m: NonNullable<ValidateResult['perCentre']>[number] | ValidateResult['pooled']) => T | undefined,
): Array<Series & { data: T; n: number; events: number }> {
  const out: Array<Series & { data: T; n: number; events: number }> = [];
  for (const [i, c] of (r.perCentre ?? []).entries()) {
    const data = pick(c);
    if (data !== undefined)
      out.push({
        label: c.centre,
        colour: SERIES_COLOURS[i % (SERIES_COLOURS.length - 1)]!,
        pooled: false,
        data,
        n: c.n,
        events: c.events,
      });
  }
  const pooled = pick(r.pooled);
  if (pooled !== undefined)
    out.push({
      label: 'pooled',
      colour: POOLED_COLOUR,
      pooled: true,
      data: pooled,
      n: r.pooled.n,
      events: r.pooled.events,
    });
  return out;
}

/** The legend at the right of a figure. */
function Legend({ items }: { items: Array<{ label: string; colour: string; text: string }> }) {
  return (
    <g data-testid="validation-legend">
      {items.map((it, i) => (
        <g key={it.label} transform={`translate(${M.l + P + 14},${M.t + 10 + i * 30})`}>
          <line x2={18} y1={0} y2={0} stroke={it.colour} strokeWidth={2} />
          <text x={24} dy="0.32em" fill="#222">
            {it.label}
          </text>
          <text x={24} y={13} fontSize={10} fill="#444">
            {it.text}
          </text>
        </g>
      ))}
    </g>
  );
}

/**
 * ROC curves per centre and pooled, each with the pointwise 95% Wilson band of its sensitivity, and the
 * chance diagonal (data-testid="roc-plot").
 */
export function RocPlot({ r }: { r: ValidateResult }) {
  const curves = seriesOf(r, (m) => ('roc' in m && m.roc && m.roc.length > 1 ? m.roc : undefined));
  const x = linearScale([0, 1], [M.l, M.l + P]);
  const y = linearScale([0, 1], [M.t + P, M.t]);
  const ticks = niceTicks(0, 1, 5);
  const perCentre = curves.some((c) => !c.pooled);
  const title = `ROC curve of ${r.outcome}${perCentre ? ' per centre and pooled' : ', pooled'} (bands: pointwise 95% CI of sensitivity)`;
  const aucOf = (label: string) => {
    const m = label === 'pooled' ? r.pooled : r.perCentre?.find((c) => c.centre === label);
    return m
      ? `AUC ${formatNumber(m.auc, 3)} (${formatNumber(m.aucCiLower, 3)}–${formatNumber(m.aucCiUpper, 3)})`
      : '';
  };
  return (
    <Figure
      title={title}
      testId="roc-plot"
      fileName={`roc-${r.outcome}`}
      width={W}
      height={M.t + P + M.b}
      csv={() =>
        toCsv(
          [
            'curve',
            'threshold',
            'sensitivity',
            'sensitivity_ci_lower',
            'sensitivity_ci_upper',
            'one_minus_specificity',
          ],
          curves.flatMap((c) => {
            const band = rocSensitivityBand(c.data, c.events);
            return c.data.map((p, i) => [
              c.label,
              p.threshold,
              p.tpr,
              band[i]?.lower ?? null,
              band[i]?.upper ?? null,
              p.fpr,
            ]);
          }),
        )
      }
    >
      <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} stroke="#999" strokeDasharray="4 4" />
      {curves.map((c) => (
        <path
          key={`band-${c.label}`}
          d={bandPath(rocSensitivityBand(c.data, c.events), x, y)}
          fill={c.colour}
          fillOpacity={c.pooled ? 0.14 : 0.08}
          stroke="none"
          data-testid="roc-band"
        />
      ))}
      {curves.map((c) => (
        <path
          key={c.label}
          d={rocPath(c.data, x, y)}
          fill="none"
          stroke={c.colour}
          strokeWidth={c.pooled ? 2.2 : 1.4}
          strokeDasharray={c.pooled ? undefined : '5 2'}
          data-testid="roc-curve"
          data-curve={c.label}
        >
          <title>{`${c.label}: ${aucOf(c.label)}`}</title>
        </path>
      ))}
      <XAxis scale={x} ticks={ticks} y={M.t + P} label="1 − specificity" />
      <YAxis scale={y} ticks={ticks} x={M.l} label="sensitivity" />
      <Legend items={curves.map((c) => ({ label: c.label, colour: c.colour, text: aucOf(c.label) }))} />
      {r.pooled.rocMinStep ? (
        <text x={x(1)} y={y(0) - 6} textAnchor="end" fill="#555">
          {`steps of ≥ ${r.pooled.rocMinStep} patients`}
        </text>
      ) : null}
    </Figure>
  );
}

/** Each released risk group's mean predicted risk, observed rate and its 95% Wilson interval. */
function calibrationPoints(g: Groups) {
  return (g.n ?? []).flatMap((n, i) =>
    n > 0
      ? [
          {
            group: i + 1,
            n,
            expected: (g.expected?.[i] ?? 0) / n,
            observed: (g.observed?.[i] ?? 0) / n,
            ci: wilsonInterval(g.observed?.[i] ?? 0, n),
          },
        ]
      : [],
  );
}

/**
 * Calibration by risk group (the Hosmer–Lemeshow groups) per centre and pooled: mean predicted risk
 * against the observed event rate, each group with its 95% Wilson interval, joined into a pointwise band;
 * the ideal line; slope and calibration-in-the-large in the legend (data-testid="calibration-plot").
 */
export function CalibrationPlot({ r }: { r: ValidateResult }) {
  const series = seriesOf(r, (m) => {
    const hl = (m as { hosmerLemeshow?: Groups }).hosmerLemeshow;
    return hl?.n && hl.n.length > 0 ? calibrationPoints(hl) : undefined;
  });
  const x = linearScale([0, 1], [M.l, M.l + P]);
  const y = linearScale([0, 1], [M.t + P, M.t]);
  const ticks = niceTicks(0, 1, 5);
  const perCentre = series.some((s) => !s.pooled);
  const title = `Calibration of ${r.outcome}${perCentre ? ' per centre and pooled' : ', pooled'} (bars and bands: 95% Wilson CI of the observed rate)`;
  const slopeOf = (label: string) => {
    const m = label === 'pooled' ? r.pooled : r.perCentre?.find((c) => c.centre === label);
    return m
      ? `slope ${formatNumber(m.calibrationSlope, 3)}, CITL ${formatFixed(m.calibrationInLarge, 3)}`
      : '';
  };
  return (
    <Figure
      title={title}
      testId="calibration-plot"
      fileName={`calibration-${r.outcome}`}
      width={W}
      height={M.t + P + M.b}
      csv={() =>
        toCsv(
          [
            'curve',
            'group',
            'n',
            'mean_predicted',
            'observed_rate',
            'observed_ci_lower',
            'observed_ci_upper',
          ],
          series.flatMap((s) =>
            s.data.map((g) => [
              s.label,
              g.group,
              g.n,
              g.expected,
              g.observed,
              g.ci?.[0] ?? null,
              g.ci?.[1] ?? null,
            ]),
          ),
        )
      }
    >
      <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} stroke="#999" strokeDasharray="4 4" />
      {series.map((s) => (
        <path
          key={`band-${s.label}`}
          d={bandPath(
            s.data.flatMap((g) => (g.ci ? [{ x: g.expected, lower: g.ci[0], upper: g.ci[1] }] : [])),
            x,
            y,
          )}
          fill={s.colour}
          fillOpacity={s.pooled ? 0.12 : 0.07}
          stroke="none"
          data-testid="calibration-band"
        />
      ))}
      {series.map((s) => (
        <g key={s.label} data-curve={s.label}>
          <path
            d={s.data
              .map((g, i) => `${i === 0 ? 'M' : 'L'}${x(g.expected).toFixed(2)},${y(g.observed).toFixed(2)}`)
              .join('')}
            fill="none"
            stroke={s.colour}
            strokeWidth={s.pooled ? 1.6 : 1}
            strokeDasharray={s.pooled ? undefined : '5 2'}
          />
          {s.data.map((g) =>
            g.ci ? (
              <line
                key={`ci-${g.group}`}
                data-testid="calibration-ci"
                x1={x(g.expected)}
                x2={x(g.expected)}
                y1={y(g.ci[0])}
                y2={y(g.ci[1])}
                stroke={s.colour}
                strokeWidth={1.2}
              />
            ) : null,
          )}
          {s.data.map((g) => (
            <circle
              key={g.group}
              data-testid="calibration-point"
              cx={x(g.expected)}
              cy={y(g.observed)}
              r={s.pooled ? 4 : 3}
              fill={s.colour}
            >
              <title>{`${s.label}, group ${g.group}: n ${g.n}, predicted ${formatNumber(g.expected, 3)}, observed ${formatNumber(g.observed, 3)}${g.ci ? ` (95% CI ${formatNumber(g.ci[0], 3)} to ${formatNumber(g.ci[1], 3)})` : ''}`}</title>
            </circle>
          ))}
        </g>
      ))}
      <XAxis scale={x} ticks={ticks} y={M.t + P} label="mean predicted risk" />
      <YAxis scale={y} ticks={ticks} x={M.l} label="observed event rate" />
      <Legend items={series.map((s) => ({ label: s.label, colour: s.colour, text: slopeOf(s.label) }))} />
    </Figure>
  );
}
