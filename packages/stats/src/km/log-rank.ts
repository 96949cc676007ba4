import { chiSquareCdf } from '../distributions.js';
import { StatsError, StatsErrorCode } from '../errors.js';
import { cholesky, choleskyInverse } from '../linalg.js';
import { cellCounts } from './counts.js';

/** Log-rank test (R survdiff with rho = 0). */
export interface LogRankResult {
  readonly observed: Float64Array;
  readonly expected: Float64Array;
  /** Variance-covariance of O - E (row-major G x G). */
  readonly variance: Float64Array;
  readonly chisq: number;
  readonly df: number;
  readonly pValue: number;
}

/**
 * Log-rank test from summed counts whose cells are laid out as cell = stratum * nGroups + group
 * (one stratum: cell = group). Per stratum and event time: E_g = d n_g / n and
 * V_gh = d (n - d) / (n - 1) * n_g / n * (delta_gh - n_h / n); chisq = (O - E)' V^- (O - E) on the
 * first G - 1 groups (V has rank G - 1), df = G - 1, as survdiff.
 */
export function logRankTest(
  sum: Float64Array,
  gridSize: number,
  nStrata: number,
  nGroups: number,
): LogRankResult {
  const G = nGroups;
  if (G < 2) throw new StatsError(StatsErrorCode.InvalidArgument, 'logRankTest: needs at least two groups');
  const O = new Float64Array(G);
  const E = new Float64Array(G);
  const V = new Float64Array(G * G);
  const nCells = nStrata * G;
  for (let s = 0; s < nStrata; s++) {
    const cells = Array.from({ length: G }, (_, g) => cellCounts(sum, gridSize, nCells, s * G + g));
    for (let k = 0; k < gridSize; k++) {
      let d = 0;
      let n = 0;
      for (const c of cells) {
        d += c.events[k]!;
        n += c.atRisk[k]!;
      }
      if (d === 0) continue;
      const f = n > 1 ? (d * (n - d)) / (n - 1) : 0;
      for (let g = 0; g < G; g++) {
        const ng = cells[g]!.atRisk[k]!;
        O[g]! += cells[g]!.events[k]!;
        E[g]! += (d * ng) / n;
        for (let h = 0; h < G; h++) {
          const nh = cells[h]!.atRisk[k]!;
          V[g * G + h]! += f * (ng / n) * ((g === h ? 1 : 0) - nh / n);
        }
      }
    }
  }
  const q = G - 1;
  const vq = new Float64Array(q * q);
  for (let g = 0; g < q; g++) for (let h = 0; h < q; h++) vq[g * q + h] = V[g * G + h]!;
  const inv = choleskyInverse(cholesky(vq, q), q);
  let chisq = 0;
  for (let g = 0; g < q; g++)
    for (let h = 0; h < q; h++) chisq += (O[g]! - E[g]!) * inv[g * q + h]! * (O[h]! - E[h]!);
  return { observed: O, expected: E, variance: V, chisq, df: q, pValue: chiSquareCdf(chisq, q, false) };
}
