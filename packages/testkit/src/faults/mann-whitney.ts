/**
 * The Mann-Whitney U test (Wilcoxon rank-sum), two-sided, by the normal approximation with tie and
 * continuity corrections, as scipy.stats.mannwhitneyu(method='asymptotic') computes it. Rank-based, so a
 * few very slow samples (a busy CI machine) move it far less than they move a t-test on means.
 */

export interface MannWhitneyResult {
  /** U of the first sample. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  /** Common-language effect size: P(x > y) + P(x = y) / 2. */
  effect: number;
}

/** Complementary error function (Numerical Recipes `erfcc`, fractional error below 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * @example mannWhitneyU([1, 2, 3], [4, 5, 6]).p // 0.0809
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new Error('mannWhitneyU: both samples need at least one value');
  const all = [...x.map((v) => ({ v, g: 0 })), ...y.map((v) => ({ v, g: 1 }))].sort((a, b) => a.v - b.v);
  const n = all.length;
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1; // mid-rank of the tied block
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k]!.g === 0) rankSumX += rank;
    i = j + 1;
  }
  const u1 = rankSumX - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const big = Math.max(u1, u2);
  const z = sigma > 0 ? (big - mu - 0.5) / sigma : 0;
  const p = Math.min(1, sigma > 0 ? erfc(z / Math.SQRT2) : 1);
  return { u: u1, p, effect: u1 / (n1 * n2) };
}
