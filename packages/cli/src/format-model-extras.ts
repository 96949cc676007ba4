/**
 * The models' optional sections in the CLI: the GLM's negative binomial theta, robust standard errors and
 * sequential likelihood-ratio tests (R's anova(fit, test = "Chisq")); coxph's per-term Wald tests and
 * proportional-hazards test (cox.zph), laid out as R prints them.
 */
import { formatPValue } from './format-number.js';
import { num, table } from './output.js';

interface GlmExtras {
  theta?: number | null;
  seTheta?: number | null;
  twoLogLik?: number | null;
  robust?: {
    type: string;
    clusters?: number | null;
    coefficients: Array<{
      term: string;
      estimate: number | null;
      stdError: number | null;
      statistic?: number | null;
      pValue: number | null;
      ciLower?: number | null;
      ciUpper?: number | null;
    }>;
  };
  anova?: Array<{
    term: string;
    df: number | null;
    deviance: number | null;
    residDf: number | null;
    residDeviance: number | null;
    pValue: number | null;
  }>;
}

const ROBUST_TITLE: Record<string, string> = {
  HC0: 'Robust (sandwich HC0) standard errors',
  'cluster-centre': 'Cluster-robust standard errors, the centre as the cluster',
  'cluster-column': 'Cluster-robust standard errors, clusters from the cluster column',
};

/** Lines after the GLM's fit statistics (empty when the result has none of the sections). */
export function formatGlmExtras(r: GlmExtras): string[] {
  const out: string[] = [];
  if (typeof r.theta === 'number')
    out.push(
      `Theta ${num(r.theta, 6)} (std. error ${num(r.seTheta ?? null, 4)}); 2 x log-likelihood ${num(r.twoLogLik ?? null, 8)}`,
    );
  if (r.robust) {
    const clusters = typeof r.robust.clusters === 'number' ? ` (${r.robust.clusters} clusters)` : '';
    out.push(
      '',
      `${ROBUST_TITLE[r.robust.type] ?? r.robust.type}${clusters}:`,
      table(
        ['term', 'estimate', 'robust s.e.', 'z value', 'p', '95% CI'],
        r.robust.coefficients.map((c) => [
          c.term,
          num(c.estimate, 6),
          num(c.stdError, 4),
          num(c.statistic ?? null, 4),
          formatPValue(c.pValue),
          `${num(c.ciLower ?? null, 4)} to ${num(c.ciUpper ?? null, 4)}`,
        ]),
      ),
    );
  }
  if (r.anova)
    out.push(
      '',
      'Analysis of deviance, terms added sequentially (first to last), likelihood-ratio tests:',
      table(
        ['term', 'df', 'deviance', 'resid. df', 'resid. dev', 'p (>Chi)'],
        r.anova.map((a) => [
          a.term,
          String(a.df),
          num(a.deviance, 6),
          String(a.residDf),
          num(a.residDeviance, 8),
          formatPValue(a.pValue),
        ]),
      ),
    );
  return out;
}

interface ChiSquareRow {
  term: string;
  chisq: number | null;
  df: number | null;
  pValue: number | null;
}

interface CoxCurve {
  label: string;
  stratum: string | null;
  start: number[];
  time: number[];
  coarsened: boolean[];
  nEvent: number[];
  surv: number[];
  stdErr: number[];
  lower: number[];
  upper: number[];
}

/** coxph's robust standard errors (summary.coxph's "robust se" column). */
interface CoxRobust {
  cluster: string;
  clusters: number;
  coefficients: Array<{
    term: string;
    robustSe: number | null;
    z: number | null;
    pValue: number | null;
    hrLower: number | null;
    hrUpper: number | null;
  }>;
  wald: { statistic: number | null; df: number; pValue: number | null };
  score?: { statistic: number | null; df: number; pValue: number | null };
}

/** A predicted survival curve as survfit's summary prints it; merged intervals shown as (start, end]. */
export function formatCoxCurve(c: CoxCurve): string[] {
  const title = `Predicted survival, ${c.label === 'means' ? "at the model's means" : c.label}${c.stratum !== null ? `, stratum ${c.stratum}` : ''}:`;
  return [
    title,
    table(
      ['time', 'n.event', 'survival', 'std.err', 'lower 95% CI', 'upper 95% CI'],
      c.time.map((t, j) => [
        c.coarsened[j] ? `(${num(c.start[j]!, 6)}, ${num(t, 6)}]` : num(t, 6),
        num(c.nEvent[j]!, 6),
        num(c.surv[j]!, 4),
        num(c.stdErr[j]!, 4),
        num(c.lower[j]!, 4),
        num(c.upper[j]!, 4),
      ]),
    ),
  ];
}

/** coxph's per-term Wald tests and cox.zph's proportional-hazards test, as R prints them. */
export function formatCoxExtras(r: {
  termTests?: ChiSquareRow[];
  proportionalHazards?: { transform: string; table: ChiSquareRow[] };
  robust?: CoxRobust;
  survivalCurves?: { minCellCount: number; mergedTimes: number; curves: CoxCurve[] };
}): string[] {
  const out: string[] = [];
  const rows = (t: ChiSquareRow[]) =>
    t.map((x) => [x.term, num(x.chisq, 6), String(x.df), formatPValue(x.pValue)]);
  if (r.termTests?.length)
    out.push(
      '',
      "Wald tests per term (all of a factor's levels together):",
      table(['term', 'chisq', 'df', 'p'], rows(r.termTests)),
    );
  if (r.proportionalHazards)
    out.push(
      '',
      `Proportional-hazards test (cox.zph, transform "${r.proportionalHazards.transform}"):`,
      table(['term', 'chisq', 'df', 'p'], rows(r.proportionalHazards.table)),
    );
  if (r.robust) {
    const by =
      r.robust.cluster === 'individual'
        ? 'every record its own cluster'
        : r.robust.cluster === 'centre'
          ? 'the centre as the cluster'
          : `clusters of ${r.robust.cluster}`;
    out.push(
      '',
      `Robust standard errors (${by}, ${r.robust.clusters} clusters):`,
      table(
        ['term', 'robust se', 'z', 'p', 'HR 95% CI'],
        r.robust.coefficients.map((c) => [
          c.term,
          num(c.robustSe, 4),
          num(c.z, 4),
          formatPValue(c.pValue),
          `${num(c.hrLower, 4)} to ${num(c.hrUpper, 4)}`,
        ]),
      ),
      r.robust.wald.statistic === null
        ? 'Robust Wald test: not available (fewer clusters than coefficients)'
        : `Robust Wald test = ${num(r.robust.wald.statistic, 4)} on ${r.robust.wald.df} df, p = ${formatPValue(r.robust.wald.pValue)}`,
      ...(r.robust.score && r.robust.score.statistic !== null
        ? [
            `Robust score test = ${num(r.robust.score.statistic, 4)} on ${r.robust.score.df} df, p = ${formatPValue(r.robust.score.pValue)}`,
          ]
        : []),
    );
  }
  if (r.survivalCurves) {
    const sc = r.survivalCurves;
    out.push(
      '',
      sc.mergedTimes > 0
        ? `Survival curves: ${sc.mergedTimes} event times merged into intervals of at least ${sc.minCellCount} events (the curve is given at each interval's end; inside it, it is not released)`
        : 'Survival curves: every event time released',
    );
    for (const c of sc.curves) out.push('', ...formatCoxCurve(c));
  }
  return out;
}
