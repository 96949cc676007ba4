import { logGamma } from '../distributions.js';

/** Supported GLM families, each with R's default (canonical) link. */
export const GlmFamilyName = { gaussian: 'gaussian', binomial: 'binomial', poisson: 'poisson' } as const;
/** Union of the family names. */
export type GlmFamilyName = (typeof GlmFamilyName)[keyof typeof GlmFamilyName];

const DBL_EPS = 2.220446049250313e-16;
const THRESH = 30; // R's logit linkinv and mu.eta switch to machine epsilon outside [-30, 30]

/** Inverse link mu = g^-1(eta), as R's `family$linkinv`. */
export function linkInverse(family: GlmFamilyName, eta: number): number {
  if (family === 'gaussian') return eta;
  if (family === 'poisson') return Math.max(Math.exp(eta), DBL_EPS);
  // as R's C_logit_linkinv: exp(eta) within [-30, 30], machine epsilon below and its inverse above
  const e = eta < -THRESH ? DBL_EPS : eta > THRESH ? 1 / DBL_EPS : Math.exp(eta);
  return e / (1 + e);
}

/** Link g(mu), as R's `family$linkfun`. */
export function linkFunction(family: GlmFamilyName, mu: number): number {
  if (family === 'gaussian') return mu;
  if (family === 'poisson') return Math.log(mu);
  return Math.log(mu / (1 - mu));
}

/** d mu / d eta, as R's `family$mu.eta`. */
export function muEta(family: GlmFamilyName, eta: number): number {
  if (family === 'gaussian') return 1;
  if (family === 'poisson') return Math.max(Math.exp(eta), DBL_EPS);
  if (Math.abs(eta) > THRESH) return DBL_EPS;
  const e = Math.exp(eta);
  const op = 1 + e;
  return e / (op * op);
}

/** Variance function V(mu). */
export function varianceFunction(family: GlmFamilyName, mu: number): number {
  if (family === 'gaussian') return 1;
  if (family === 'poisson') return mu;
  return mu * (1 - mu);
}

function ylogy(y: number, mu: number): number {
  return y > 0 ? y * Math.log(y / mu) : 0;
}

/** Unit deviance times the prior weight, as R's `family$dev.resids`. */
export function devianceResidual(family: GlmFamilyName, y: number, mu: number, w: number): number {
  if (family === 'gaussian') return w * (y - mu) * (y - mu);
  if (family === 'poisson') return 2 * w * (ylogy(y, mu) - (y - mu));
  return 2 * w * (ylogy(y, mu) + ylogy(1 - y, 1 - mu));
}

/** R's `mustart` from `family$initialize` (the IRLS starting fitted value). */
export function muStart(family: GlmFamilyName, y: number, w: number): number {
  if (family === 'gaussian') return y;
  if (family === 'poisson') return y + 0.1;
  return (w * y + 0.5) / (w + 1);
}

/** R's round(): half to even (IEC 60559), unlike Math.round. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * Per-row additive piece of R's `family$aic` (before adding 2 * rank):
 * binomial: log dbinom(round(w y), round(w), mu); poisson: w log dpois(y, mu); gaussian: log(w) (0 for
 * a zero weight: the AIC is that of the rows that take part in the fit).
 * The aggregate turns the sum into the AIC (gaussian needs the deviance and n too).
 */
export function aicTerm(family: GlmFamilyName, y: number, mu: number, w: number): number {
  if (family === 'gaussian') return w > 0 ? Math.log(w) : 0;
  if (family === 'poisson') return w * (y > 0 ? y * Math.log(mu) : 0) - w * mu - w * logGamma(y + 1);
  if (!(w > 0)) return 0;
  const size = roundHalfEven(w);
  const k = roundHalfEven(w * y);
  let ll = logChoose(size, k);
  if (k > 0) ll += k * Math.log(mu);
  if (size - k > 0) ll += (size - k) * Math.log1p(-mu);
  return ll;
}
