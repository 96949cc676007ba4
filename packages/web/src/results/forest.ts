/** Rows of a forest plot from model coefficients (pure; the component draws them). */
import type { Coefficient, ValidateSurvivalResult } from './types.js';

/** One plotted term: point estimate and 95% CI on the plotted scale. */
export interface ForestRow {
  term: string;
  estimate: number;
  lower: number;
  upper: number;
  /** Row label when it is not the term (e.g. "dose_gy · Centre A"). */
  label?: string;
  /** The pooled estimate among per-centre rows (drawn as a diamond). */
  pooled?: boolean;
  /** A factor's reference level: no estimate of its own, drawn at the no-effect line and labelled. */
  reference?: boolean;
}

/**
 * Adds the reference level of each factor above its first coefficient and labels the coefficients
 * `factor: level` (R names them `factorlevel`, treatment contrasts against the first level). `levels` is
 * the result's factor → levels map; `noEffect` is 1 for ratios, 0 otherwise.
 */
export function withReferenceLevels(
  rows: readonly ForestRow[],
  levels: Readonly<Record<string, readonly string[]>> | undefined,
  noEffect: number,
): ForestRow[] {
  if (!levels) return [...rows];
  const out: ForestRow[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    // R names a level's coefficient `sexM` or, for `factor(stage)` in the formula, `factor(stage)II`
    const match = Object.keys(levels)
      .flatMap((f) => [f, `factor(${f})`].map((prefix) => ({ f, prefix })))
      .filter(
        ({ f, prefix }) =>
          row.term.startsWith(prefix) && (levels[f] ?? []).includes(row.term.slice(prefix.length)),
      )
      .sort((a, b) => b.prefix.length - a.prefix.length)[0];
    if (match === undefined) {
      out.push(row);
      continue;
    }
    const factor = match.f;
    const level = row.term.slice(match.prefix.length);
    if (!seen.has(factor)) {
      seen.add(factor);
      const ref = levels[factor]?.[0] ?? '';
      out.push({
        term: `${match.prefix}${ref}`,
        label: `${factor}: ${ref}`,
        estimate: noEffect,
        lower: noEffect,
        upper: noEffect,
        reference: true,
      });
    }
    out.push({ ...row, label: row.label ?? `${factor}: ${level}` });
  }
  return out;
}

/**
 * Forest rows for a GLM: the intercept is left out; with a log or logit link (binomial, poisson) the
 * estimates are exponentiated (odds or rate ratios, plotted on a log axis), else plotted as they are.
 */
export function glmForestRows(coefs: readonly Coefficient[], exponentiate: boolean): ForestRow[] {
  return coefs
    .filter((c) => c.term !== '(Intercept)')
    .map((c) => {
      const lo = c.ciLower ?? c.estimate - 1.959963984540054 * c.stdError;
      const hi = c.ciUpper ?? c.estimate + 1.959963984540054 * c.stdError;
      return exponentiate
        ? { term: c.term, estimate: Math.exp(c.estimate), lower: Math.exp(lo), upper: Math.exp(hi) }
        : { term: c.term, estimate: c.estimate, lower: lo, upper: hi };
    });
}

/** Forest rows of hazard ratios for a Cox model (its own HR CI when given). */
export function coxForestRows(coefs: readonly Coefficient[]): ForestRow[] {
  return coefs.map((c) => {
    const z = 1.959963984540054 * c.stdError;
    return {
      term: c.term,
      estimate: c.hazardRatio ?? Math.exp(c.estimate),
      lower: c.hrLower ?? Math.exp(c.estimate - z),
      upper: c.hrUpper ?? Math.exp(c.estimate + z),
    };
  });
}

/** One centre's own fit of a `glm` with `perCentre` (or why it could not be fitted there). */
export interface CentreFit {
  centre: string;
  n: number;
  coefficients?: Coefficient[];
  error?: string;
}

/**
 * Forest rows by centre: for every term but the intercept, one row per centre that could fit the model, then
 * the pooled estimate; exponentiated as {@link glmForestRows}.
 */
export function glmCentreForestRows(
  pooled: readonly Coefficient[],
  centres: readonly CentreFit[],
  exponentiate: boolean,
  levels?: Readonly<Record<string, readonly string[]>>,
): ForestRow[] {
  const out: ForestRow[] = [];
  // terms by their readable name (`stage: II` for factor(stage)II), reference levels left out here
  const named = new Map(
    withReferenceLevels(glmForestRows(pooled, false), levels, 0)
      .filter((r) => !r.reference)
      .map((r) => [r.term, r.label ?? r.term]),
  );
  for (const p of glmForestRows(pooled, exponentiate)) {
    const name = named.get(p.term) ?? p.term;
    for (const c of centres) {
      const coef = c.coefficients?.find((x) => x.term === p.term);
      if (!coef) continue;
      const [row] = glmForestRows([coef], exponentiate);
      if (row) out.push({ ...row, label: `${name} · ${c.centre}` });
    }
    out.push({ ...p, label: `${name} · pooled`, pooled: true });
  }
  return out;
}

/** Harrell's C with its 95% CI per centre, then pooled (a diamond), for a `validate-survival` result. */
export function concordanceForestRows(r: ValidateSurvivalResult): ForestRow[] {
  const row = (
    label: string,
    m: ValidateSurvivalResult['pooled'] | NonNullable<ValidateSurvivalResult['perCentre']>[number],
  ) => ({
    term: "Harrell's C",
    label,
    estimate: m.concordance,
    lower: m.ciLower,
    upper: m.ciUpper,
  });
  return [...(r.perCentre ?? []).map((c) => row(c.centre, c)), { ...row('pooled', r.pooled), pooled: true }];
}
