import { StatsError, StatsErrorCode } from '../errors.js';
import type { HistogramGrid } from './auc.js';

/** One point of an empirical ROC curve: scores >= `threshold` are called positive. */
export interface RocPoint {
  threshold: number;
  /** Sensitivity (true-positive rate). */
  tpr: number;
  /** 1 - specificity (false-positive rate). */
  fpr: number;
}

/**
 * The empirical ROC curve of a score on a grid, from the pooled per-class histograms that the AUC uses
 * (negatives per bin, then positives per bin; see {@link aucPartialLayout}). Each point is the exact
 * sensitivity and 1 - specificity at threshold "score >= bin value", so with `minStep` 1 the points are
 * pROC's at its thresholds between consecutive distinct scores.
 *
 * For release, `minStep` > 1 merges adjacent bins (from the highest score down) until each step of the
 * curve accounts for at least `minStep` patients, so no point moves by fewer patients than the minimum-cell
 * rule allows; the last bins are merged into the step before them when they fall short. The curve always
 * starts at (0, 0) and ends at (1, 1).
 */
export function rocFromHistograms(sum: Float64Array, grid: HistogramGrid, minStep = 1): RocPoint[] {
  const { bins, min, width } = grid;
  if (sum.length !== 2 * bins)
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      `rocFromHistograms: length ${sum.length}, expected ${2 * bins}`,
    );
  if (!(minStep >= 1)) throw new StatsError(StatsErrorCode.InvalidArgument, 'rocFromHistograms: minStep < 1');
  let nNeg = 0;
  let nPos = 0;
  for (let b = 0; b < bins; b++) {
    nNeg += sum[b]!;
    nPos += sum[bins + b]!;
  }
  if (nNeg === 0 || nPos === 0)
    throw new StatsError(
      StatsErrorCode.InvalidArgument,
      'rocFromHistograms: needs both positives and negatives',
    );
  const points: RocPoint[] = [{ threshold: min + bins * width, tpr: 0, fpr: 0 }];
  let tp = 0;
  let fp = 0;
  let pending = 0;
  for (let b = bins - 1; b >= 0; b--) {
    const neg = sum[b]!;
    const pos = sum[bins + b]!;
    tp += pos;
    fp += neg;
    pending += pos + neg;
    if (pending >= minStep && pos + neg > 0) {
      points.push({ threshold: min + b * width, tpr: tp / nPos, fpr: fp / nNeg });
      pending = 0;
    }
  }
  const last = points[points.length - 1]!;
  if (last.tpr !== 1 || last.fpr !== 1) {
    // the lowest scores did not fill a step of their own: fold them into the step before
    if (points.length > 1 && pending < minStep) points.pop();
    points.push({ threshold: min, tpr: 1, fpr: 1 });
  }
  return points;
}
