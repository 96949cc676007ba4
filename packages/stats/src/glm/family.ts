import { logGamma } from '../distributions.js';

/**
 * GLM families as one table, as R's `family` objects (and statsmodels' `families`): each family has its link,
 * inverse link, mu.eta, variance, deviance residuals, AIC term, starting values, response check, dispersion
 * (fixed at 1 or estimated by Pearson chi2 / df) and the reference distribution of its Wald statistics.
 * The IRLS row loop (partial.ts) inlines this arithmetic per `kernel` for speed; `partial-reference.ts`
 * computes the same partial from this table row by row, and a test holds the two equal for every family.
 */
export const GlmFamilyName = {
  gaussian: 'gaussian',
  binomial: 'binomial',
  poisson: 'poisson',
  quasibinomial: 'quasibinomial',
  quasipoisson: 'quasipoisson',
  /** MASS's negative.binomial(theta), log link; theta is estimated by maximum likelihood (glm.nb). */
  negativeBinomial: 'negative.binomial',
} as const;
/** Union of the family names. */
export type GlmFamilyName = (typeof GlmFamilyName)[keyof typeof GlmFamilyName];

/**
 * A family as the partial functions take it: a name, or the negative binomial with its (known) theta.
 * Plain data, so it crosses to worker threads.
 */
export type GlmFamilySpec =
  | Exclude<GlmFamilyName, 'negative.binomial'>
  | { readonly name: 'negative.binomial'; readonly theta: number };

/** The fast loop's specialised arithmetic: identity, logit, log with V = mu, log with V = mu + mu^2/theta. */
export type GlmKernel = 'identity' | 'logit' | 'log-poisson' | 'log-negbin';

/** One family: R's family object as plain functions of one row. */
export interface GlmFamily {
  /** The family's name (negative binomial: "negative.binomial"). */
  readonly name: GlmFamilyName;
  readonly link: 'identity' | 'logit' | 'log';
  readonly kernel: GlmKernel;
  /** Negative binomial's theta (NaN elsewhere). */
  readonly theta: number;
  /** `family$linkfun` g(mu). */
  linkfun(mu: number): number;
  /** `family$linkinv` mu = g^-1(eta). */
  linkinv(eta: number): number;
  /** `family$mu.eta` d mu / d eta. */
  muEta(eta: number): number;
  /** `family$variance` V(mu). */
  variance(mu: number): number;
  /** `family$dev.resids`: unit deviance times the prior weight. */
  devResid(y: number, mu: number, w: number): number;
  /**
   * Per-row additive piece of `family$aic` (a log-likelihood, before 2 * rank; gaussian: log(w)); 0 for the
   * quasi families, which have no likelihood (their `aic` is NaN, R's NA).
   */
  aicTerm(y: number, mu: number, w: number): number;
  /** `mustart` from `family$initialize`. */
  muStart(y: number, w: number): number;
  /** null when y (with prior weight w) is valid for the family, else the rule it breaks ("must be >= 0"). */
  checkY(y: number, w: number): string | null;
  /** 'fixed': dispersion 1; 'pearson': sum w (y - mu)^2 / V(mu) / df.residual (R's summary.glm). */
  readonly dispersion: 'fixed' | 'pearson';
  /** Wald statistics are z (dispersion fixed) or t on df.residual (dispersion estimated). */
  readonly statistic: 'z' | 't';
  /**
   * R's AIC from the summed aicTerm, the deviance, the number of rows with positive weight and the rank
   * (NaN for the quasi families).
   */
  aic(aicSum: number, deviance: number, nObs: number, rank: number): number;
}

const DBL_EPS = 2.220446049250313e-16;
const THRESH = 30; // R's logit linkinv and mu.eta switch to machine epsilon outside [-30, 30]

function ylogy(y: number, mu: number): number {
  return y > 0 ? y * Math.log(y / mu) : 0;
}

/** R's round(): half to even (IEC 60559), unlike Math.round. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

const identityLink = {
  link: 'identity' as const,
  linkfun: (mu: number) => mu,
  linkinv: (eta: number) => eta,
  muEta: (_eta: number) => 1,
};
// as R's C_logit_linkinv / C_logit_mu_eta: exp(eta) within [-30, 30], machine epsilon (or its inverse) outside
const logitLink = {
  link: 'logit' as const,
  linkfun: (mu: number) => Math.log(mu / (1 - mu)),
  linkinv: (eta: number) => {
    const e = eta < -THRESH ? DBL_EPS : eta > THRESH ? 1 / DBL_EPS : Math.exp(eta);
    return e / (1 + e);
  },
  muEta: (eta: number) => {
    if (Math.abs(eta) > THRESH) return DBL_EPS;
    const e = Math.exp(eta);
    const op = 1 + e;
    return e / (op * op);
  },
};
// R's make.link("log"): pmax(exp(eta), .Machine$double.eps) for both linkinv and mu.eta
const logLink = {
  link: 'log' as const,
  linkfun: (mu: number) => Math.log(mu),
  linkinv: (eta: number) => Math.max(Math.exp(eta), DBL_EPS),
  muEta: (eta: number) => Math.max(Math.exp(eta), DBL_EPS),
};

const binomialParts = {
  ...logitLink,
  kernel: 'logit' as const,
  theta: Number.NaN,
  variance: (mu: number) => mu * (1 - mu),
  devResid: (y: number, mu: number, w: number) => 2 * w * (ylogy(y, mu) + ylogy(1 - y, 1 - mu)),
  muStart: (y: number, w: number) => (w * y + 0.5) / (w + 1),
  checkY: (y: number) => (y >= 0 && y <= 1 ? null : 'must be in [0, 1]'),
};
const poissonParts = {
  ...logLink,
  kernel: 'log-poisson' as const,
  theta: Number.NaN,
  variance: (mu: number) => mu,
  devResid: (y: number, mu: number, w: number) => 2 * w * (ylogy(y, mu) - (y - mu)),
  muStart: (y: number) => y + 0.1,
  checkY: (y: number) => (y >= 0 ? null : 'must be >= 0'),
};
// no likelihood: the AIC piece is 0 (partials stay finite, as secure aggregation needs) and the AIC is NaN (R: NA)
const quasi = { aicTerm: () => 0, aic: () => Number.NaN };

const gaussian: GlmFamily = {
  ...identityLink,
  name: 'gaussian',
  kernel: 'identity',
  theta: Number.NaN,
  variance: () => 1,
  devResid: (y, mu, w) => w * (y - mu) * (y - mu),
  // R's gaussian AIC adds -sum(log(w)) over every row and so is Inf with a zero prior weight; the rows with
  // weight 0 take no part in the fit, so the AIC here is that of the weighted rows (R's on subset(w > 0))
  aicTerm: (_y, _mu, w) => (w > 0 ? Math.log(w) : 0),
  muStart: (y) => y,
  checkY: () => null,
  dispersion: 'pearson',
  statistic: 't',
  aic: (aicSum, deviance, nObs, rank) =>
    nObs * (Math.log((2 * Math.PI * deviance) / nObs) + 1) + 2 - aicSum + 2 * rank,
};

const binomial: GlmFamily = {
  ...binomialParts,
  name: 'binomial',
  /** log dbinom(round(w y), round(w), mu), as R's binomial()$aic. */
  aicTerm: (y, mu, w) => {
    if (!(w > 0)) return 0;
    const size = roundHalfEven(w);
    const k = roundHalfEven(w * y);
    let ll = logChoose(size, k);
    if (k > 0) ll += k * Math.log(mu);
    if (size - k > 0) ll += (size - k) * Math.log1p(-mu);
    return ll;
  },
  dispersion: 'fixed',
  statistic: 'z',
  aic: (aicSum, _d, _n, rank) => -2 * aicSum + 2 * rank,
};

const poisson: GlmFamily = {
  ...poissonParts,
  name: 'poisson',
  aicTerm: (y, mu, w) => w * (y > 0 ? y * Math.log(mu) : 0) - w * mu - w * logGamma(y + 1),
  dispersion: 'fixed',
  statistic: 'z',
  aic: (aicSum, _d, _n, rank) => -2 * aicSum + 2 * rank,
};

const quasibinomial: GlmFamily = {
  ...binomialParts,
  ...quasi,
  name: 'quasibinomial',
  dispersion: 'pearson',
  statistic: 't',
};
const quasipoisson: GlmFamily = {
  ...poissonParts,
  ...quasi,
  name: 'quasipoisson',
  dispersion: 'pearson',
  statistic: 't',
};

/** MASS's negative.binomial(theta) with the log link. */
export function negativeBinomialFamily(theta: number): GlmFamily {
  if (!(theta > 0) || !Number.isFinite(theta))
    throw new RangeError('negative binomial: theta must be finite and > 0');
  return {
    ...logLink,
    name: 'negative.binomial',
    kernel: 'log-negbin',
    theta,
    variance: (mu) => mu + (mu * mu) / theta,
    devResid: (y, mu, w) =>
      2 * w * (y * Math.log(Math.max(1, y) / mu) - (y + theta) * Math.log((y + theta) / (mu + theta))),
    // MASS: 2 sum(w term), term = (y+th) log(mu+th) - y log(mu) + lgamma(y+1) - th log(th) + lgamma(th) -
    // lgamma(th+y); here its negative (a log-likelihood), as the other families'
    aicTerm: (y, mu, w) =>
      -w *
      ((y + theta) * Math.log(mu + theta) -
        (y > 0 ? y * Math.log(mu) : 0) +
        logGamma(y + 1) -
        theta * Math.log(theta) +
        logGamma(theta) -
        logGamma(theta + y)),
    muStart: (y) => y + (y === 0 ? 1 / 6 : 0),
    checkY: (y) => (y >= 0 ? null : 'must be >= 0'),
    dispersion: 'fixed',
    statistic: 'z',
    // glm.nb: -2 loglik + 2 rank + 2 (theta is a parameter too)
    aic: (aicSum, _d, _n, rank) => -2 * aicSum + 2 * rank + 2,
  };
}

/** The table of the families without a parameter. */
export const GLM_FAMILIES: Readonly<Record<Exclude<GlmFamilyName, 'negative.binomial'>, GlmFamily>> = {
  gaussian,
  binomial,
  poisson,
  quasibinomial,
  quasipoisson,
};

/** The family object of a spec (a name from the table, or the negative binomial with its theta). */
export function glmFamily(spec: GlmFamilySpec | GlmFamily): GlmFamily {
  if (typeof spec === 'string') return GLM_FAMILIES[spec];
  if ('kernel' in spec) return spec;
  return negativeBinomialFamily(spec.theta);
}

/** The name of a family spec. */
export function glmFamilyName(spec: GlmFamilySpec): GlmFamilyName {
  return typeof spec === 'string' ? spec : spec.name;
}
