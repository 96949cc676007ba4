/** ROC curve and calibration plot of a `validate` result (pooled over the centres). */
import { wilsonInterval } from '../charts/binomial-ci.js';
import { toCsv } from '../charts/csv.js';
import { formatNumber, linearScale, niceTicks } from '../charts/scale.js';
import { SERIES_COLOURS, XAxis, YAxis } from './axis.js';
import { Figure } from './figure.js';
import type { RocPoint, ValidateResult } from './types.js';

const W = 420;
const M = { l: 60, r: 16, t: 14, b: 48 };
const P = W - M.l - M.r;

/** SVG path through ROC points in order (they are already ordered by decreasing threshold). */
export function rocPath(
  points: readonly RocPoint[],
  x: (v: number) => number,
  y: (v: number) => number,
): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.fpr).toFixed(2)},${y(p.tpr).toFixed(2)}`).join('');
}

/** The pooled ROC curve with the chance diagonal (data-testid="roc-plot"). */
export function RocPlot({ r }: { r: ValidateResult }) {
  const roc = r.pooled.roc ?? [];
  const x = linearScale([0, 1], [M.l, M.l + P]);
  const y = linearScale([0, 1], [M.t + P, M.t]);
  const ticks = niceTicks(0, 1, 5);
  const title = `ROC curve of ${r.outcome}, pooled: AUC ${formatNumber(r.pooled.auc, 3)} (95% CI ${formatNumber(
    r.pooled.aucCiLower,
    3,
  )} to ${formatNumber(r.pooled.aucCiUpper, 3)})`;
  return (
    <Figure
      title={title}
      testId="roc-plot"
      fileName={`roc-${r.outcome}`}
      width={W}
      height={M.t + P + M.b}
      csv={() =>
        toCsv(
          ['threshold', 'sensitivity', 'one_minus_specificity'],
          roc.map((p) => [p.threshold, p.tpr, p.fpr]),
        )
      }
    >
      <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} stroke="#999" strokeDasharray="4 4" />
      <path
        d={rocPath(roc, x, y)}
        fill="none"
        stroke={SERIES_COLOURS[0]}
        strokeWidth={2}
        data-testid="roc-curve"
      />
      <XAxis scale={x} ticks={ticks} y={M.t + P} label="1 − specificity" />
      <YAxis scale={y} ticks={ticks} x={M.l} label="sensitivity" />
      {r.pooled.rocMinStep ? (
        <text x={x(1)} y={y(0) - 6} textAnchor="end" fill="#555">
          {`steps of ≥ ${r.pooled.rocMinStep} patients`}
        </text>
      ) : null}
    </Figure>
  );
}

/**
 * Calibration by risk group (the Hosmer–Lemeshow groups): mean predicted risk against the observed event
 * rate, with the ideal line, and the calibration slope and intercept in the title
 * (data-testid="calibration-plot").
 */
export function CalibrationPlot({ r }: { r: ValidateResult }) {
  const hl = r.pooled.hosmerLemeshow;
  const groups = (hl?.n ?? []).map((n, i) => ({
    n,
    expected: n > 0 ? (hl!.expected![i] ?? 0) / n : 0,
    observed: n > 0 ? (hl!.observed![i] ?? 0) / n : 0,
    // 95% Wilson interval of the observed rate, from the released counts
    ci: wilsonInterval(hl!.observed![i] ?? 0, n),
  }));
  const x = linearScale([0, 1], [M.l, M.l + P]);
  const y = linearScale([0, 1], [M.t + P, M.t]);
  const ticks = niceTicks(0, 1, 5);
  const title = `Calibration of ${r.outcome}, pooled (bars: 95% Wilson CI of the observed rate): slope ${formatNumber(r.pooled.calibrationSlope, 3)}, calibration-in-the-large ${formatNumber(r.pooled.calibrationInLarge, 3)}`;
  return (
    <Figure
      title={title}
      testId="calibration-plot"
      fileName={`calibration-${r.outcome}`}
      width={W}
      height={M.t + P + M.b}
      csv={() =>
        toCsv(
          ['group', 'n', 'mean_predicted', 'observed_rate', 'observed_ci_lower', 'observed_ci_upper'],
          groups.map((g, i) => [i + 1, g.n, g.expected, g.observed, g.ci?.[0] ?? null, g.ci?.[1] ?? null]),
        )
      }
    >
      <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} stroke="#999" strokeDasharray="4 4" />
      {groups.map((g, i) =>
        g.ci ? (
          <line
            // biome-ignore lint/suspicious/noArrayIndexKey: groups are positional
            key={`ci-${i}`}
            data-testid="calibration-ci"
            x1={x(g.expected)}
            x2={x(g.expected)}
            y1={y(g.ci[0])}
            y2={y(g.ci[1])}
            stroke={SERIES_COLOURS[0]}
            strokeWidth={1.2}
          />
        ) : null,
      )}
      {groups.map((g, i) => (
        <circle
          // biome-ignore lint/suspicious/noArrayIndexKey: groups are positional
          key={i}
          data-testid="calibration-point"
          cx={x(g.expected)}
          cy={y(g.observed)}
          r={4}
          fill={SERIES_COLOURS[0]}
        >
          <title>{`group ${i + 1}: n ${g.n}, predicted ${formatNumber(g.expected, 3)}, observed ${formatNumber(g.observed, 3)}${g.ci ? ` (95% CI ${formatNumber(g.ci[0], 3)} to ${formatNumber(g.ci[1], 3)})` : ''}`}</title>
        </circle>
      ))}
      <XAxis scale={x} ticks={ticks} y={M.t + P} label="mean predicted risk" />
      <YAxis scale={y} ticks={ticks} x={M.l} label="observed event rate" />
    </Figure>
  );
}
