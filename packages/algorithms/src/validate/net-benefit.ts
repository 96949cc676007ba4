/**
 * Decision-curve analysis (Vickers & Elkin 2006) from the pooled per-class histograms of the predicted
 * probability: at threshold t a patient is treated when p >= t, and
 *   net benefit (model)     = TP/n - FP/n * t/(1 - t)
 *   net benefit (treat all) = prevalence - (1 - prevalence) * t/(1 - t).
 * Pure and exact on the score grid. Written here because no maintained JS library computes it.
 *
 * Disclosure: a threshold is reported only when at least `minStep` patients lie below it, at least
 * `minStep` at or above it, and at least `minStep` between it and the previous reported threshold; others
 * are null. So two reported values never differ by the treatment of fewer than `minStep` patients, the same
 * rule as the released ROC curve's steps.
 */
export interface NetBenefitPoint {
  threshold: number;
  /** null: suppressed (fewer than the minimum number of patients decide it). */
  netBenefit: number | null;
  treatAll: number;
}

export function netBenefitCurve(
  hist: ArrayLike<number>,
  grid: { min: number; width: number; bins: number },
  thresholds: readonly number[],
  minStep: number,
): NetBenefitPoint[] {
  const { bins, min, width } = grid;
  let nNeg = 0;
  let nPos = 0;
  for (let b = 0; b < bins; b++) {
    nNeg += hist[b]!;
    nPos += hist[bins + b]!;
  }
  const n = nNeg + nPos;
  const prevalence = nPos / n;
  // patients with a score at or above t (scores are grid points min + b * width)
  const atOrAbove = (t: number) => {
    let tp = 0;
    let fp = 0;
    for (let b = 0; b < bins; b++) {
      if (min + b * width >= t - width * 1e-9) {
        tp += hist[bins + b]!;
        fp += hist[b]!;
      }
    }
    return { tp, fp };
  };
  let lastTreated: number | null = null;
  return [...thresholds]
    .sort((a, b) => a - b)
    .map((t) => {
      const odds = t / (1 - t);
      const { tp, fp } = atOrAbove(t);
      const treated = tp + fp;
      const ok =
        treated >= minStep &&
        n - treated >= minStep &&
        (lastTreated === null || lastTreated - treated >= minStep);
      if (ok) lastTreated = treated;
      return {
        threshold: t,
        netBenefit: ok ? tp / n - (fp / n) * odds : null,
        treatAll: prevalence - (1 - prevalence) * odds,
      };
    });
}
