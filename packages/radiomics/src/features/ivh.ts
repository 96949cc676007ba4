/**
 * IBSI intensity-volume histogram features. `values` are the ROI intensities already mapped to the IVH
 * grid (bin centres or integer intensities); the grid is lo, lo+step, ..., hi, and the intensity fraction
 * of level i is (i - lo)/(hi - lo).
 */
export function ivhFeatures(
  values: Float64Array,
  lo: number,
  hi: number,
  step: number,
): Record<string, number> {
  const n = values.length;
  const xs = Float64Array.from(values).sort();
  const nl = Math.round((hi - lo) / step) + 1;
  // v[k]: fraction of volume with intensity >= level k.
  const v = new Float64Array(nl);
  let j = 0;
  for (let k = 0; k < nl; k++) {
    const level = lo + k * step;
    while (j < n && (xs[j] ?? 0) < level - step * 1e-6) j++;
    v[k] = 1 - j / n;
  }
  const frac = (k: number) => (nl > 1 ? k / (nl - 1) : 0);
  const vAt = (x: number) => {
    for (let k = 0; k < nl; k++) if (frac(k) >= x - 1e-12) return v[k] ?? 0;
    return 0;
  };
  const iAt = (x: number) => {
    for (let k = 0; k < nl; k++) if ((v[k] ?? 0) <= x + 1e-12) return lo + k * step;
    return hi + step;
  };
  let auc = 0;
  for (let k = 1; k < nl; k++) auc += ((frac(k) - frac(k - 1)) * ((v[k] ?? 0) + (v[k - 1] ?? 0))) / 2;
  const v10 = vAt(0.1);
  const v90 = vAt(0.9);
  const i10 = iAt(0.1);
  const i90 = iAt(0.9);
  return {
    ivh_v10: v10,
    ivh_v90: v90,
    ivh_i10: i10,
    ivh_i90: i90,
    ivh_diff_v10_v90: v10 - v90,
    ivh_diff_i10_i90: i10 - i90,
    ivh_auc: auc,
  };
}
