/**
 * The dashboard view of a `validate-imaging` result: cases scored and excluded per reason, then a
 * classifier's discrimination and calibration (validate's view) or a segmentation model's pooled Dice,
 * HD95 and surface Dice (mean, SD, median, quartiles, cases under thresholds; never a case's value).
 */
import {
  formatBoundedScore,
  formatFixed,
  type PooledCaseMetric,
  type ValidateImagingResult,
} from '@fedhub/protocol';
import { formatNumber } from '../../charts/scale.js';
import type { ValidateResult } from '../types.js';
import { ValidateView } from './validate.js';

const count = (n: number | null) => (n === null ? 'under the minimum cell count' : String(n));
const num = (x: unknown, digits = 3) => (typeof x === 'number' ? formatNumber(x, digits) : '–');
type Format = (x: unknown) => string;
const asNumber = (x: unknown) => (typeof x === 'number' ? x : null);
/** Dice and surface Dice: in [0, 1], 3 decimals (0.973; 1.000 only when exactly 1). */
const formatDice: Format = (x) => formatBoundedScore(asNumber(x), 3, { missing: '–' });
/** HD95 in mm, 1 decimal. */
const formatMm: Format = (x) => formatFixed(asNumber(x), 1, { missing: '–' });

function Cases({ r }: { r: ValidateImagingResult }) {
  return (
    <p data-testid="imaging-cases">
      Cases scored: {num(r.cases.processed, 6)}.{' '}
      {r.cases.excluded.length === 0
        ? 'No case excluded.'
        : `Excluded: ${r.cases.excluded.map((e) => `${e.reason} ${count(e.count as number | null)}`).join('; ')}.`}
    </p>
  );
}

function MetricRow({ name, m, format }: { name: string; m: PooledCaseMetric; format: Format }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>{num(m.n, 6)}</td>
      <td>{format(m.mean)}</td>
      <td>{format(m.sd)}</td>
      <td>{format(m.median)}</td>
      <td>{`${format(m.q1)} to ${format(m.q3)}`}</td>
      <td>
        {m.below
          .map((b) => `< ${b.threshold}: ${b.atLeast === b.atMost ? b.atLeast : `${b.atLeast}–${b.atMost}`}`)
          .join(', ')}
      </td>
    </tr>
  );
}

export function ValidateImagingView({ r }: { r: ValidateImagingResult }) {
  const model = (r.model as { registered?: string; onnx?: string } | null) ?? {};
  const title = `Image model ${model.registered ?? model.onnx ?? ''}`;
  if (r.task === 'classification' && r.classification) {
    const v = {
      algorithm: 'validate',
      outcome: String((r as { label?: unknown }).label ?? 'label'),
      scoreResolution: (r.classification as { scoreResolution?: number }).scoreResolution ?? 0.001,
      pooled: r.classification.pooled,
      ...(r.classification.perCentre ? { perCentre: r.classification.perCentre } : {}),
      nodes: r.nodes,
    } as unknown as ValidateResult;
    return (
      <div data-testid="validate-imaging">
        <h3>{title}: classifier</h3>
        <Cases r={r} />
        <ValidateView r={v} />
      </div>
    );
  }
  const s = r.segmentation;
  return (
    <div data-testid="validate-imaging">
      <h3>{title}: segmentation</h3>
      <Cases r={r} />
      {s && (
        <table data-testid="segmentation-table">
          <caption>
            Per-case metrics against the reference structure, pooled over {r.nodes.length} nodes; quartiles
            from histograms whose bins hold at least the minimum cell count at each node
          </caption>
          <thead>
            <tr>
              <th scope="col">metric</th>
              <th scope="col">n</th>
              <th scope="col">mean</th>
              <th scope="col">SD</th>
              <th scope="col">median</th>
              <th scope="col">IQR</th>
              <th scope="col">cases under</th>
            </tr>
          </thead>
          <tbody>
            <MetricRow name="Dice" m={s.dice} format={formatDice} />
            <MetricRow name="HD95 (mm)" m={s.hd95} format={formatMm} />
            {s.surfaceDice.map((x) => (
              <MetricRow
                key={x.tolerance}
                name={`surface Dice at ${x.tolerance} mm`}
                m={x.metric}
                format={formatDice}
              />
            ))}
          </tbody>
        </table>
      )}
      {s && (
        <p className="muted">
          Empty predictions: {count(s.emptyPredictions as number | null)} (Dice 0; HD95 taken as the grid's
          diagonal).
        </p>
      )}
    </div>
  );
}
