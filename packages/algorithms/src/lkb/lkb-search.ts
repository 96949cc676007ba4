/**
 * The aggregator's optimisers for the LKB fit, advanced one federated round at a time: Fisher scoring with
 * step halving over some coordinates of theta (the others fixed), and, once the maximum is known, one
 * profile-likelihood search per parameter and side: the bound psi where the profile log-likelihood (the
 * others maximised) falls to the maximum minus qchisq(level, 1) / 2, by Newton steps on psi (the profile's
 * slope is the gradient at the inner maximum) kept inside a bracket once one is found.
 */
import { infoMatrix, solveSmall, type Theta } from './lkb-math.js';

export interface Evaluation {
  ll: number;
  g: number[];
  info: number[];
}

export interface Search {
  free: number[];
  trial: number[];
  best: number[] | null;
  bestEval: Evaluation | null;
  step: number[] | null;
  halving: number;
  iter: number;
  done: boolean;
  converged: boolean;
}

export const TOLERANCE = 1e-10;
const MAX_ITER = 200;
/** No step moves a log-parameter by more than this. */
const MAX_STEP = 1.5;

export function newSearch(start: readonly number[], free: number[]): Search {
  return {
    free,
    trial: [...start],
    best: null,
    bestEval: null,
    step: null,
    halving: 1,
    iter: 0,
    done: false,
    converged: false,
  };
}

/** Advances a search with the evaluation at its trial point. */
export function advanceSearch(s: Search, e: Evaluation): void {
  const improves =
    s.bestEval === null || e.ll >= s.bestEval.ll - 1e-13 * Math.max(1, Math.abs(s.bestEval.ll));
  if (improves) {
    s.best = [...s.trial];
    s.bestEval = e;
    const I = infoMatrix(e.info);
    const A = s.free.map((a) => s.free.map((b) => I[a]![b]!));
    const delta = solveSmall(
      A,
      s.free.map((a) => e.g[a]!),
    );
    if (delta === null) {
      s.done = true;
      return;
    }
    const big = Math.max(...delta.map(Math.abs));
    if (big < TOLERANCE) {
      s.done = true;
      s.converged = true;
      return;
    }
    if (++s.iter > MAX_ITER) {
      s.done = true;
      return;
    }
    const scale = big > MAX_STEP ? MAX_STEP / big : 1;
    s.step = delta.map((d) => d * scale);
    s.halving = 1;
  } else {
    s.halving /= 2;
    if (s.halving < 1e-9) {
      // no step along the scoring direction improves: at the maximum to the precision of the sums
      s.done = true;
      s.converged = true;
      return;
    }
  }
  const next = [...s.best!];
  s.free.forEach((a, i) => {
    next[a]! += s.halving * s.step![i]!;
  });
  s.trial = next;
}

export interface Track {
  j: number;
  side: 1 | -1;
  psi: number;
  inner: Search;
  inside: { psi: number; f: number };
  outside: { psi: number; f: number } | null;
  outer: number;
  done: boolean;
  bound: number | null;
}

/** Starts the profile searches of every parameter on both sides from the maximum and its covariance. */
export function newTracks(hat: Theta, cov: number[][], q: number, free: readonly number[]): Track[] {
  const tracks: Track[] = [];
  for (const j of free)
    for (const side of [-1, 1] as const) {
      const h = hat[j]!;
      const sd = Math.sqrt(Math.max(cov[j]![j]!, 1e-12));
      const psi = h + side * Math.min(Math.sqrt(2 * q) * sd, 2);
      const start = hat.map((v, k) => (k === j ? psi : v + (cov[k]![j]! / cov[j]![j]!) * (psi - h)));
      tracks.push({
        j,
        side,
        psi,
        inner: newSearch(
          start,
          free.filter((k) => k !== j),
        ),
        inside: { psi: h, f: q },
        outside: null,
        outer: 0,
        done: false,
        bound: null,
      });
    }
  return tracks;
}

/** A profile bound further than this (log scale) from the estimate is reported as unbounded. */
const FAR = 8;

/** Advances a profile track with the evaluation at its inner trial point. */
export function advanceTrack(t: Track, e: Evaluation, hatJ: number, target: number): void {
  advanceSearch(t.inner, e);
  if (!t.inner.done) return;
  const P = t.inner.bestEval!.ll;
  const f = P - target;
  const slope = t.inner.bestEval!.g[t.j]!;
  if (Math.abs(f) < 1e-9) {
    t.done = true;
    t.bound = t.psi;
    return;
  }
  if (f > 0) t.inside = { psi: t.psi, f };
  else t.outside = { psi: t.psi, f };
  let next: number;
  const newton = t.psi - f / slope;
  if (t.outside === null) {
    const outward = Number.isFinite(newton) && (newton - t.psi) * t.side > 0;
    next = outward ? newton : t.psi + t.side * Math.max(0.5, Math.abs(t.psi - hatJ));
    if (Math.abs(next - hatJ) > FAR) {
      t.done = true;
      t.bound = null;
      return;
    }
  } else {
    const lo = Math.min(t.inside.psi, t.outside.psi);
    const hi = Math.max(t.inside.psi, t.outside.psi);
    if (hi - lo < 1e-11) {
      t.done = true;
      t.bound = (lo + hi) / 2;
      return;
    }
    const secant = t.inside.psi - (t.inside.f * (t.outside.psi - t.inside.psi)) / (t.outside.f - t.inside.f);
    next =
      Number.isFinite(newton) && newton > lo && newton < hi
        ? newton
        : secant > lo && secant < hi
          ? secant
          : (lo + hi) / 2;
  }
  if (++t.outer > 100) {
    t.done = true;
    t.bound = null;
    return;
  }
  const start = [...t.inner.best!];
  start[t.j] = next;
  t.psi = next;
  t.inner = newSearch(start, t.inner.free);
}
