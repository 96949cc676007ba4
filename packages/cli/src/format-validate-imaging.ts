/** The terminal view of a `validate-imaging` result: case counts, then classifier or segmentation metrics. */
import type { PooledCaseMetric, ValidateImagingResult } from '@fedhub/protocol';
import { formatBoundedScore, formatFixed } from './format-number.js';
import { num, table } from './output.js';

type Format = (x: number | null | undefined) => string;
/** Dice and surface Dice: in [0, 1], 3 decimals (0.973; 1.000 only when exactly 1). */
const dice: Format = (x) => formatBoundedScore(x, 3, { missing: '' });
/** HD95 in mm, 1 decimal. */
const mm: Format = (x) => formatFixed(x, 1, { missing: '' });

const count = (n: number | null) => (n === null ? '<min. cell' : String(n));

function casesLines(r: ValidateImagingResult): string[] {
  const excluded = r.cases.excluded.map((e) => `${e.reason}: ${count(e.count as number | null)}`);
  return [
    `Cases scored: ${num(r.cases.processed as number)}${excluded.length ? `; excluded: ${excluded.join(', ')}` : '; none excluded'}`,
  ];
}

function metricRow(name: string, m: PooledCaseMetric, f: Format): Array<string | number> {
  const range = (b: { atLeast: number; atMost: number }) =>
    b.atLeast === b.atMost ? String(b.atLeast) : `${b.atLeast}–${b.atMost}`;
  return [
    name,
    num(m.n as number),
    f(m.mean),
    f(m.sd),
    f(m.median),
    `${f(m.q1)} to ${f(m.q3)}`,
    m.below.map((b) => `<${b.threshold}: ${range(b)}`).join(', '),
  ];
}

/** Formats a validate-imaging result for the terminal. */
export function formatValidateImaging(r: ValidateImagingResult): string {
  const model = (r.model as { registered?: string; onnx?: string } | null) ?? {};
  const head = `Validation of image model ${model.registered ?? model.onnx ?? ''} (${r.task}) over ${r.nodes.length} centres`;
  if (r.task === 'classification' && r.classification) {
    const p = r.classification.pooled as Record<string, number>;
    return [
      head,
      ...casesLines(r),
      '',
      table(
        ['', 'n', 'events', 'AUC', '95% CI (DeLong)', 'Brier', 'calib. slope', 'calib. in the large'],
        [
          [
            'pooled',
            p.n as number,
            p.events as number,
            num(p.auc),
            `${num(p.aucCiLower)} to ${num(p.aucCiUpper)}`,
            num(p.brier),
            num(p.calibrationSlope),
            num(p.calibrationInLarge),
          ],
        ],
      ),
    ].join('\n');
  }
  const s = r.segmentation;
  if (!s) return head;
  return [
    head,
    ...casesLines(r),
    '',
    table(
      ['metric', 'n', 'mean', 'SD', 'median', 'IQR', 'cases under'],
      [
        metricRow('Dice', s.dice, dice),
        metricRow('HD95 (mm)', s.hd95, mm),
        ...s.surfaceDice.map((x) => metricRow(`surface Dice @${x.tolerance} mm`, x.metric, dice)),
      ],
    ),
    '',
    `Quantiles from histograms whose bins hold at least the minimum cell count at each node (never a case's value); empty predictions: ${count(s.emptyPredictions as number | null)} (HD95 taken as the grid diagonal).`,
  ].join('\n');
}
