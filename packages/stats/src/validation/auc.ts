import { normalQuantile } from '../distributions.js';
import { StatsError, StatsErrorCode } from '../errors.js';
import type { PartialLayout } from '../partial.js';

/**
 * AUC of a frozen model's score from per-class score histograms. Scores are reported at a declared
 * resolution: bin b holds scores equal to min + b * width (b = round((score - min) / width)). With
 * scores on that grid the AUC is exact (ties count 1/2, as pROC), and so is DeLong's variance,
 * because every placement value depends only on the bin.
 */
export interface HistogramGrid {
  readonly min: number;
  readonly width: number;
  readonly bins: number;
}

/** Layout: counts of negatives (y = 0) per bin, then positives (y = 1) per bin. */
export function aucPartialLayout(grid: HistogramGrid): PartialLayout {
  return {
    kind: 'auc',
    fields: [
      { name: 'negatives', shape: [grid.bins] },
      { name: 'positives', shape: [grid.bins] },
    ],
  };
}

/** Local partial: per-class histograms of the score (y must be 0 or 1). */
export function aucLocalPartial(y: Float64Array, score: Float64Array, grid: HistogramGrid): Float64Array {
  if (y.length !== score.length) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `aucLocalPartial: y has ${y.length} rows, score ${score.length}`,
    );
  }
  const out = new Float64Array(2 * grid.bins);
  for (let i = 0; i < y.length; i++) {
    const yi = y[i]!;
    if (yi !== 0 && yi !== 1) {
      throw new StatsError(
        StatsErrorCode.InvalidArgument,
        `aucLocalPartial: y[${i}] = ${yi}, expected 0 or 1`,
      );
    }
    const b = Math.round((score[i]! - grid.min) / grid.width);
    if (!(b >= 0 && b < grid.bins)) {
      throw new StatsError(
        StatsErrorCode.InvalidArgument,
        `aucLocalPartial: score[${i}] = ${score[i]} outside the grid`,
      );
    }
    out[yi * grid.bins + b]! += 1;
  }
  return out;
}

/** AUC with DeLong variance and interval (pROC `auc`, `var(method = "delong")`, `ci.auc`). */
export interface AucResult {
  readonly auc: number;
  readonly variance: number;
  readonly ciLower: number;
  readonly ciUpper: number;
  readonly nPositive: number;
  readonly nNegative: number;
}

/**
 * AUC and DeLong from summed histograms. Placement values per bin b: for a positive,
 * V10 = (negatives below b + negatives in b / 2) / nNeg; for a negative, V01 = (positives above b +
 * positives in b / 2) / nPos; var = S10 / nPos + S01 / nNeg with sample variances (n - 1). The
 * interval is auc -/+ z sqrt(var), clipped to [0, 1], as pROC.
 */
export function aucFromHistograms(sum: Float64Array, bins: number, level = 0.95): AucResult {
  if (sum.length !== 2 * bins) {
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      `aucFromHistograms: length ${sum.length}, expected ${2 * bins}`,
    );
  }
  let nNeg = 0;
  let nPos = 0;
  for (let b = 0; b < bins; b++) {
    nNeg += sum[b]!;
    nPos += sum[bins + b]!;
  }
  if (nNeg === 0 || nPos === 0) {
    throw new StatsError(
      StatsErrorCode.InvalidArgument,
      'aucFromHistograms: needs both positives and negatives',
    );
  }
  const v10 = new Float64Array(bins);
  const v01 = new Float64Array(bins);
  let below = 0;
  for (let b = 0; b < bins; b++) {
    v10[b] = (below + sum[b]! / 2) / nNeg;
    below += sum[b]!;
  }
  let above = 0;
  for (let b = bins - 1; b >= 0; b--) {
    v01[b] = (above + sum[bins + b]! / 2) / nPos;
    above += sum[bins + b]!;
  }
  let auc = 0;
  for (let b = 0; b < bins; b++) auc += sum[bins + b]! * v10[b]!;
  auc /= nPos;
  let s10 = 0;
  let s01 = 0;
  for (let b = 0; b < bins; b++) {
    s10 += sum[bins + b]! * (v10[b]! - auc) ** 2;
    s01 += sum[b]! * (v01[b]! - auc) ** 2;
  }
  s10 /= nPos - 1;
  s01 /= nNeg - 1;
  const variance = s10 / nPos + s01 / nNeg;
  const z = normalQuantile(1 - (1 - level) / 2);
  const sd = Math.sqrt(variance);
  return {
    auc,
    variance,
    ciLower: Math.max(0, auc - z * sd),
    ciUpper: Math.min(1, auc + z * sd),
    nPositive: nPos,
    nNegative: nNeg,
  };
}
