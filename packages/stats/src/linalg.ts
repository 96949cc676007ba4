import { StatsError, StatsErrorCode } from './errors.js';

/**
 * Dense linear algebra on small row-major square matrices (p up to a few hundred).
 * A matrix of order p is a Float64Array of length p*p, element (i, j) at i*p + j.
 */

function checkSquare(a: Float64Array, p: number, what: string): void {
  if (!Number.isInteger(p) || p < 0 || a.length !== p * p) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `${what}: expected a ${p}x${p} matrix (length ${p * p}), got length ${a.length}`,
    );
  }
}

/**
 * Copies the upper triangle of a row-major p x p matrix into its lower triangle (in place) and returns it.
 * Partials only accumulate the upper triangle (j >= i) to halve the work.
 */
export function symmetrizeFromUpper(a: Float64Array, p: number): Float64Array {
  checkSquare(a, p, 'symmetrizeFromUpper');
  for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) a[j * p + i] = a[i * p + j]!;
  return a;
}

/**
 * Cholesky factorisation A = L L' of a symmetric matrix (only the lower triangle of `a` is read).
 * Returns L (row-major, zeros above the diagonal). No pivoting: a non-positive pivot (relative to
 * `tol` times the largest diagonal element) throws `FH_ERR_STATS_NOT_PD`, which is the positive
 * definiteness check.
 */
export function cholesky(a: Float64Array, p: number, tol = 1e-12): Float64Array {
  checkSquare(a, p, 'cholesky');
  const l = new Float64Array(p * p);
  let maxDiag = 0;
  for (let i = 0; i < p; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * p + i]!));
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j]!;
    for (let k = 0; k < j; k++) d -= l[j * p + k]! * l[j * p + k]!;
    if (!(d > tol * maxDiag) || !Number.isFinite(d)) {
      throw new StatsError(
        StatsErrorCode.NotPositiveDefinite,
        `cholesky: matrix is not positive definite (pivot ${d} at column ${j})`,
      );
    }
    const ljj = Math.sqrt(d);
    l[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j]!;
      for (let k = 0; k < j; k++) s -= l[i * p + k]! * l[j * p + k]!;
      l[i * p + j] = s / ljj;
    }
  }
  return l;
}

/** Solves L L' x = b given the Cholesky factor L from {@link cholesky}. Returns a new vector. */
export function choleskySolve(l: Float64Array, p: number, b: Float64Array): Float64Array {
  checkSquare(l, p, 'choleskySolve');
  if (b.length !== p) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `choleskySolve: b has length ${b.length}, expected ${p}`,
    );
  }
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * p + k]! * y[k]!;
    y[i] = s / l[i * p + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < p; k++) s -= l[k * p + i]! * y[k]!;
    y[i] = s / l[i * p + i]!;
  }
  return y;
}

/** Inverse of a symmetric positive definite matrix from its Cholesky factor L. */
export function choleskyInverse(l: Float64Array, p: number): Float64Array {
  checkSquare(l, p, 'choleskyInverse');
  const inv = new Float64Array(p * p);
  const e = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    e.fill(0);
    e[j] = 1;
    const col = choleskySolve(l, p, e);
    for (let i = 0; i < p; i++) inv[i * p + j] = col[i]!;
  }
  // Symmetrise to remove rounding asymmetry.
  for (let i = 0; i < p; i++) {
    for (let j = i + 1; j < p; j++) {
      const v = 0.5 * (inv[i * p + j]! + inv[j * p + i]!);
      inv[i * p + j] = v;
      inv[j * p + i] = v;
    }
  }
  return inv;
}

/** Solves A x = b for symmetric positive definite A (throws `FH_ERR_STATS_NOT_PD` otherwise). */
export function solveSpd(a: Float64Array, p: number, b: Float64Array): Float64Array {
  return choleskySolve(cholesky(a, p), p, b);
}

/** Inverse of a symmetric positive definite matrix. */
export function inverseSpd(a: Float64Array, p: number): Float64Array {
  return choleskyInverse(cholesky(a, p), p);
}

/** y = A x for a row-major m x n matrix A. */
export function matVec(a: Float64Array, m: number, n: number, x: Float64Array): Float64Array {
  if (a.length !== m * n || x.length !== n) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `matVec: A has length ${a.length} (expected ${m * n}), x has length ${x.length} (expected ${n})`,
    );
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    const o = i * n;
    for (let j = 0; j < n; j++) s += a[o + j]! * x[j]!;
    y[i] = s;
  }
  return y;
}

/** Dot product of two equal-length vectors. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new StatsError(StatsErrorCode.DimensionMismatch, `dot: lengths ${a.length} and ${b.length} differ`);
  }
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Quadratic form x' A x for a row-major p x p matrix. */
export function quadForm(a: Float64Array, p: number, x: Float64Array): number {
  return dot(x, matVec(a, p, p, x));
}

/**
 * Symmetric scaling that gives a positive (semi)definite matrix a unit diagonal: s_i = 1 / sqrt(a_ii)
 * (1 where a_ii is not positive). Solving S A S y = S b and x = S y is then insensitive to the units
 * of the columns behind A (a covariate in grays or in micrograys), where plain Cholesky's pivot
 * test, relative to the largest diagonal entry, refuses a column 1e12 times smaller than another.
 */
function equilibration(a: Float64Array, p: number): { scaled: Float64Array; s: Float64Array } {
  checkSquare(a, p, 'equilibration');
  const s = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const d = a[i * p + i]!;
    s[i] = d > 0 && Number.isFinite(d) ? 1 / Math.sqrt(d) : 1;
  }
  const scaled = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) scaled[i * p + j] = a[i * p + j]! * s[i]! * s[j]!;
  return { scaled, s };
}

/**
 * Solves A x = b for symmetric positive definite A after scaling it to a unit diagonal (see
 * {@link equilibration}): columns in extreme units are solved as accurately as any other.
 *
 * @example
 * solveSpdScaled(Float64Array.from([4e12, 2e6, 2e6, 3]), 2, Float64Array.from([2e6, 1])) // [~0.25e-6, ~0.1667]
 */
export function solveSpdScaled(a: Float64Array, p: number, b: Float64Array, tol = 1e-12): Float64Array {
  const { scaled, s } = equilibration(a, p);
  const y = choleskySolve(
    cholesky(scaled, p, tol),
    p,
    Float64Array.from(b, (v, i) => v * s[i]!),
  );
  return y.map((v, i) => v * s[i]!);
}

/** Inverse of a symmetric positive definite matrix after scaling it to a unit diagonal. */
export function inverseSpdScaled(a: Float64Array, p: number, tol = 1e-12): Float64Array {
  const { scaled, s } = equilibration(a, p);
  const inv = choleskyInverse(cholesky(scaled, p, tol), p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) inv[i * p + j]! *= s[i]! * s[j]!;
  return inv;
}
