import { chiSquareCdf } from '../distributions.js';
import { sumPartials } from '../partial.js';
import type { GlmFamily, GlmFamilySpec } from './family.js';
import { runGlmIterations } from './fit.js';
import { type GlmNodeData, GlmScalar, glmLocalPartial } from './partial.js';

/**
 * Sequential likelihood-ratio tests of a GLM's terms, as R's `anova(fit, test = "Chisq")`: the terms are added
 * in formula order, each row's deviance is the drop from the model before it, and its p-value is
 * P(chi2_df > drop / dispersion), with the full model's dispersion (1 for binomial, Poisson, negative
 * binomial; Pearson chi2 / df otherwise). Each nested model is an ordinary federated fit on a subset of the
 * design's columns, so the test needs nothing but the fits' deviances.
 */
export interface GlmAnovaRow {
  readonly term: string;
  readonly df: number;
  readonly deviance: number;
  readonly residDf: number;
  readonly residDeviance: number;
  readonly pValue: number;
}

/** The columns of the nested model with the first k terms (and the intercept, where the model has one). */
export function glmNestedColumns(assign: readonly number[], k: number): number[] {
  const cols: number[] = [];
  assign.forEach((t, j) => {
    if (t <= k) cols.push(j);
  });
  return cols;
}

/** A node's data restricted to some design columns (a nested model). */
export function glmColumnsSubset(data: GlmNodeData, cols: readonly number[]): GlmNodeData {
  const q = cols.length;
  const x = new Float64Array(data.n * q);
  for (let i = 0; i < data.n; i++) for (let c = 0; c < q; c++) x[i * q + c] = data.x[i * data.p + cols[c]!]!;
  return { ...data, x, p: q };
}

/**
 * The anova table from the nested models' residual deviances and residual df (model 0: no terms, R's NULL row;
 * model k: the first k terms) and the full model's dispersion.
 */
export function glmAnovaTable(
  termLabels: readonly string[],
  residDeviance: readonly number[],
  residDf: readonly number[],
  dispersion: number,
): GlmAnovaRow[] {
  return termLabels.map((term, k) => {
    const df = residDf[k]! - residDf[k + 1]!;
    const deviance = residDeviance[k]! - residDeviance[k + 1]!;
    return {
      term,
      df,
      deviance,
      residDf: residDf[k + 1]!,
      residDeviance: residDeviance[k + 1]!,
      pValue: df > 0 ? chiSquareCdf(deviance / dispersion, df, false) : Number.NaN,
    };
  });
}

/**
 * In-memory federated driver (tests, simulation): fits the nested models and returns R's anova rows and the
 * NULL row's residual deviance and df.
 */
export function glmSequentialAnovaFederated(
  nodes: readonly GlmNodeData[],
  family: GlmFamilySpec | GlmFamily,
  assign: readonly number[],
  termLabels: readonly string[],
  dispersion: number,
): { rows: GlmAnovaRow[]; nullDeviance: number; nullDf: number } {
  const devs: number[] = [];
  const dfs: number[] = [];
  for (let k = 0; k <= termLabels.length; k++) {
    const cols = glmNestedColumns(assign, k);
    const sub = nodes.map((d) => glmColumnsSubset(d, cols));
    const q = cols.length;
    const sum =
      q === 0
        ? sumPartials(sub.map((d) => glmLocalPartial(d, family, new Float64Array(0))))
        : runGlmIterations(
            sub.map((d) => (b: Float64Array | null) => glmLocalPartial(d, family, b)),
            q,
            {
              control: { epsilon: 1e-10, maxit: 100 },
            },
          ).sum;
    devs.push(sum[q * q + q + GlmScalar.deviance]!);
    dfs.push(sum[q * q + q + GlmScalar.nObs]! - q);
  }
  return { rows: glmAnovaTable(termLabels, devs, dfs, dispersion), nullDeviance: devs[0]!, nullDf: dfs[0]! };
}
