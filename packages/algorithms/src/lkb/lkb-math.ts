/**
 * The Lyman–Kutcher–Burman NTCP model on differential DVHs, in the parameters theta = (log TD50, log m,
 * log n): NTCP = Phi(t), t = (gEUD - TD50) / (m TD50), gEUD = (sum_i v_i D_i^(1/n))^n with relative
 * volumes v_i. A node's partial at theta is the log-likelihood, its gradient and the Fisher (expected)
 * information over its patients; all three add up across nodes.
 */
import { normalCdf, normalPdf, normalQuantile } from '@fedhub/stats';

export type Theta = readonly [number, number, number];

/** Patients' differential DVHs: patient p's bins are `start[p]` to `start[p + 1]`, volumes relative (sum 1). */
export interface LkbData {
  readonly start: Int32Array;
  readonly dose: Float64Array;
  readonly volume: Float64Array;
  readonly outcome: Uint8Array;
  /** log of each patient's largest dose with volume, to keep D^(1/n) in range. */
  readonly logMaxDose: Float64Array;
}

/** Values per point: log-likelihood, gradient (3), information (upper triangle: 00, 01, 02, 11, 12, 22). */
export const PARTIAL_LENGTH = 10;

/**
 * log gEUD of patient p at n = exp(s), and its derivative in s: d log gEUD / ds = n log S - S'/S with
 * S = sum v D^a, S' = sum v D^a log D, a = 1/n (the scale exp(a log Dmax) cancels in S'/S).
 */
export function logGeud(d: LkbData, p: number, s: number): { logG: number; dLogG: number } {
  const n = Math.exp(s);
  const a = 1 / n;
  const lm = d.logMaxDose[p]!;
  let S = 0;
  let S1 = 0;
  for (let i = d.start[p]!; i < d.start[p + 1]!; i++) {
    const v = d.volume[i]!;
    const D = d.dose[i]!;
    if (v === 0 || D <= 0) continue;
    const lD = Math.log(D);
    const w = v * Math.exp(a * (lD - lm));
    S += w;
    S1 += w * lD;
  }
  const logS = Math.log(S) + a * lm;
  return { logG: n * logS, dLogG: n * logS - S1 / S };
}

const UPPER = [
  [0, 0],
  [0, 1],
  [0, 2],
  [1, 1],
  [1, 2],
  [2, 2],
] as const;

/** The node's additive partial at each point (PARTIAL_LENGTH values per point). */
export function lkbPartial(d: LkbData, points: readonly Theta[]): Float64Array {
  const out = new Float64Array(points.length * PARTIAL_LENGTH);
  const P = d.outcome.length;
  points.forEach((th, k) => {
    const [u, w, s] = th;
    const m = Math.exp(w);
    const o = k * PARTIAL_LENGTH;
    for (let p = 0; p < P; p++) {
      const { logG, dLogG } = logGeud(d, p, s);
      const r = Math.exp(logG - u);
      const t = (r - 1) / m;
      const grad = [-r / m, -t, (r / m) * dLogG];
      const phi = normalPdf(t);
      const up = normalCdf(t);
      const down = normalCdf(t, false);
      const y = d.outcome[p]!;
      out[o]! += y === 1 ? Math.log(up) : Math.log(down);
      const score = y === 1 ? phi / up : -phi / down;
      const info = (phi * phi) / (up * down);
      for (let a = 0; a < 3; a++) out[o + 1 + a]! += score * grad[a]!;
      UPPER.forEach(([a, b], q) => {
        out[o + 4 + q]! += info * grad[a]! * grad[b]!;
      });
    }
  });
  return out;
}

/** Solves the small symmetric system A x = b (Gaussian elimination with partial pivoting); null when singular. */
export function solveSmall(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r;
    if (!(Math.abs(M[piv]![c]!) > 1e-300)) return null;
    [M[c], M[piv]] = [M[piv]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    x[r] = s / M[r]![r]!;
  }
  return x.every(Number.isFinite) ? x : null;
}

/** The 3x3 information matrix from its upper triangle. */
export function infoMatrix(tri: ArrayLike<number>): number[][] {
  const [a, b, c, d, e, f] = [tri[0]!, tri[1]!, tri[2]!, tri[3]!, tri[4]!, tri[5]!];
  return [
    [a, b, c],
    [b, d, e],
    [c, e, f],
  ];
}

/**
 * The fitted NTCP as a function of gEUD with pointwise Wald intervals on the probit scale: t = (g / TD50 - 1)
 * / m, var t = grad' C grad over (log TD50, log m), grad = (-g / (TD50 m), -t), C their covariance.
 */
export function ntcpCurve(
  td50: number,
  m: number,
  cov: readonly (readonly number[])[],
  geudGy: readonly number[],
  confLevel: number,
): Array<{ geudGy: number; ntcp: number; lower: number; upper: number }> {
  const z = normalQuantile(0.5 + confLevel / 2);
  return geudGy.map((g) => {
    const t = (g / td50 - 1) / m;
    const a = -g / (td50 * m);
    const b = -t;
    const v = a * a * cov[0]![0]! + 2 * a * b * cov[0]![1]! + b * b * cov[1]![1]!;
    const se = Math.sqrt(Math.max(v, 0));
    return { geudGy: g, ntcp: normalCdf(t), lower: normalCdf(t - z * se), upper: normalCdf(t + z * se) };
  });
}
