/**
 * The optional round of `coxph` after the Newton rounds: robust and cluster-robust standard errors
 * (coxph(..., robust = TRUE), cluster()) and predicted survival curves (survfit(fit, newdata)).
 * - The hub computes, from the pooled risk-set sums at the final coefficients it already holds, the per event
 *   time terms of the score residuals (hazard increments and mean covariates of the pooled risk sets) and sends
 *   them with the coefficients; each node forms its rows' score residuals and sends sum over its clusters of
 *   U_c U_c' (every row its own cluster; the centre: the outer product of its score sum; a column's clusters
 *   within the centre), with its column sums for coxph's means: additive, masked like the Newton sums.
 * - The curves are computed at the hub from the same pooled sums (nothing more leaves a node for them), and
 *   released at the ends of event-time intervals that each hold at least the minimum cell count of deaths:
 *   merged intervals are marked, the curve is never moved (its value at an interval's end is exact).
 */
import { type CoxphResult, FedhubError } from '@fedhub/protocol';
import {
  buildDesignMatrix,
  type CoxHazardTerms,
  type CoxNodeData,
  type CoxTies,
  chiSquareCdf,
  coxHazardTerms,
  coxMeansFromSum,
  coxMeansPartial,
  coxMeansPartialSize,
  coxPredictedCurves,
  coxResidualTerms,
  coxRobustPartial,
  coxRobustPartialSize,
  coxRobustScoreTest,
  coxRobustSummary,
  coxScoreResiduals,
  type EventTimeGrid,
} from '@fedhub/stats';
import { ADDITIVE_FIELD } from '../additive.js';
import { parseModelFormula } from '../model-data/model-data.js';

/** The post-fit parameters of coxph (all optional). */
export interface CoxPostParams {
  readonly robust?: boolean | undefined;
  readonly cluster?: string | undefined;
  readonly survivalCurves?: readonly string[] | undefined;
}

/** The cluster value that makes each centre (node) one cluster. */
export const CENTRE_CLUSTER = 'centre';

/** Whether the fit needs the post-fit round. */
export function needsPostFit(p: CoxPostParams): boolean {
  return p.robust === true || p.cluster !== undefined || (p.survivalCurves?.length ?? 0) > 0;
}

/** Whether robust standard errors are asked for (a cluster implies them, as in R). */
export function wantsRobust(p: CoxPostParams): boolean {
  return p.robust === true || p.cluster !== undefined;
}

/** The cluster column the node must read (none for individual rows or the centre). */
export function clusterColumnOf(p: CoxPostParams): string | null {
  return p.cluster !== undefined && p.cluster !== CENTRE_CLUSTER ? p.cluster : null;
}

/** A curve's covariates: "means" (coxph's means, R's survfit(fit)) or `name=value` pairs separated by ';'. */
export function parseCurveSpec(spec: string): 'means' | Record<string, string> {
  const s = spec.trim();
  if (s === 'means') return 'means';
  const out: Record<string, string> = {};
  for (const part of s.split(';')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.+?)\s*$/.exec(part);
    if (!m)
      throw new FedhubError(
        'FH_ERR_BAD_PARAMS',
        `survivalCurves: "${spec}" is neither "means" nor covariate values as "age=60; sex=M"`,
        { parameter: 'survivalCurves' },
      );
    out[m[1]!] = m[2]!;
  }
  return out;
}

/**
 * The design row (coefficients' order) of a curve's covariate values: the model's right-hand side built on
 * one record with the agreed factor levels, as R's model.matrix on newdata. Numbers for the numeric columns,
 * a level for the factors; every variable of the model must be given.
 */
export function curveDesignRow(
  rhs: string,
  levels: Record<string, string[]>,
  values: Record<string, string>,
  names: readonly string[],
): Float64Array {
  const f = parseModelFormula(`~ ${rhs}`);
  const numeric: Record<string, Float64Array> = {};
  const categorical: Record<string, string[]> = {};
  for (const v of f.variables) {
    const c = v.column;
    const raw = values[c];
    if (raw === undefined)
      throw new FedhubError('FH_ERR_BAD_PARAMS', `survivalCurves: a curve gives no value for "${c}"`, {
        parameter: 'survivalCurves',
      });
    if (Object.hasOwn(levels, c)) {
      if (!levels[c]!.includes(raw))
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `survivalCurves: "${raw}" is not a level of "${c}" in this model`,
          { parameter: 'survivalCurves' },
        );
      categorical[c] = [raw];
    } else {
      const x = Number(raw);
      if (!Number.isFinite(x))
        throw new FedhubError('FH_ERR_BAD_PARAMS', `survivalCurves: "${c}" needs a number, not "${raw}"`, {
          parameter: 'survivalCurves',
        });
      numeric[c] = Float64Array.of(x);
    }
  }
  for (const c of Object.keys(values))
    if (!f.variables.some((v) => v.column === c))
      throw new FedhubError('FH_ERR_BAD_PARAMS', `survivalCurves: "${c}" is not a variable of the model`, {
        parameter: 'survivalCurves',
      });
  const dm = buildDesignMatrix(f, { numeric, categorical }, { levels, dropIntercept: true });
  if (dm.p !== names.length || dm.columnNames.some((n, j) => n !== names[j]))
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      "survivalCurves: the curve's design differs from the model's",
      {
        parameter: 'survivalCurves',
      },
    );
  return dm.x;
}

/** What the hub keeps from the last Newton round for the post-fit round. */
export interface PostFitState {
  /** Score residual terms per grid point at the final coefficients and at 0 (robust only). */
  residualTerms: number[] | null;
  residualTerms0: number[] | null;
  hazard: { dH: number[]; dV: number[]; xbarH: number[]; deaths: number[] } | null;
}

/** The post-fit state from the pooled sums at the final coefficients (uncentred, as the nodes send them). */
export function postFitState(
  sum: Float64Array,
  p: number,
  ties: CoxTies,
  params: CoxPostParams,
  residualTerms0: number[] | null,
): PostFitState {
  const h = (params.survivalCurves?.length ?? 0) > 0 ? coxHazardTerms(sum, p, ties) : null;
  return {
    residualTerms: wantsRobust(params) ? Array.from(coxResidualTerms(sum, p, ties)) : null,
    residualTerms0: wantsRobust(params) ? residualTerms0 : null,
    hazard: h
      ? {
          dH: Array.from(h.dH),
          dV: Array.from(h.dV),
          xbarH: Array.from(h.xbarH),
          deaths: Array.from(h.deaths),
        }
      : null,
  };
}

/**
 * A node's post-fit partial: [means sums, robust sums (when asked): at the final coefficients, at 0, and the
 * residuals' total at 0] and its minimum cell count in the clear.
 */
export function postFitLocal(
  data: CoxNodeData,
  grid: EventTimeGrid,
  beta: Float64Array,
  residualTerms: Float64Array | null,
  residualTerms0: Float64Array | null,
  cluster: null | 'node' | Int32Array,
  minCellCount: number,
): { [ADDITIVE_FIELD]: number[]; minCellCount: number } {
  const { n, p } = data;
  const means = coxMeansPartial(data.x, n, p);
  const robust: number[] = [];
  if (residualTerms) {
    const res = coxScoreResiduals(data, grid, beta, residualTerms);
    robust.push(...coxRobustPartial(res, n, p, cluster));
    if (residualTerms0) {
      const res0 = coxScoreResiduals(data, grid, new Float64Array(p), residualTerms0);
      const u0 = new Float64Array(p);
      for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) u0[j]! += res0[i * p + j]!;
      robust.push(...coxRobustPartial(res0, n, p, cluster), ...u0);
    }
  }
  return { [ADDITIVE_FIELD]: [...means, ...robust], minCellCount };
}

/** The sections of the coxph result that the post-fit round adds. */
export type CoxPostFitResult = Pick<CoxphResult, 'robust' | 'survivalCurves'>;

/** The post-fit results: the robust table and the predicted curves, as JSON. */
export function postFitResult(input: {
  params: CoxPostParams;
  sum: Float64Array;
  minCellCount: number;
  state: PostFitState;
  names: readonly string[];
  beta: number[];
  covariance: number[];
  grid: EventTimeGrid;
  strata: string[];
  levels: Record<string, string[]>;
  rhs: string;
}): CoxPostFitResult {
  const { params, sum, names, beta, covariance, grid } = input;
  const p = names.length;
  const meansSize = coxMeansPartialSize(p);
  const means = coxMeansFromSum(sum.subarray(0, meansSize), p);
  const out: CoxPostFitResult = {};
  if (input.state.residualTerms) {
    const size = coxRobustPartialSize(p);
    const robustSum = sum.subarray(meansSize, meansSize + size);
    const r = coxRobustSummary(beta, covariance, robustSum);
    const score =
      input.state.residualTerms0 && sum.length >= meansSize + 2 * size + p
        ? coxRobustScoreTest(
            sum.subarray(meansSize + 2 * size, meansSize + 2 * size + p),
            sum.subarray(meansSize + size, meansSize + 2 * size),
            p,
          )
        : Number.NaN;
    const fin = (x: number) => (Number.isFinite(x) ? x : null);
    out.robust = {
      cluster: params.cluster ?? 'individual',
      clusters: r.clusters,
      coefficients: names.map((term, j) => ({
        term,
        robustSe: r.robustSe[j]!,
        z: r.z[j]!,
        pValue: r.pValue[j]!,
        hrLower: r.hrLower[j]!,
        hrUpper: r.hrUpper[j]!,
      })),
      covariance: Array.from(r.covariance),
      wald: { statistic: fin(r.wald), df: p, pValue: fin(r.waldP) },
      // R's "Robust = " score test (at beta = 0, the clusters as above)
      score: {
        statistic: fin(score),
        df: p,
        pValue: Number.isFinite(score) ? chiSquareCdf(score, p, false) : null,
      },
    };
  }
  const h = input.state.hazard;
  if (h && params.survivalCurves) {
    const terms: CoxHazardTerms = {
      p,
      dH: Float64Array.from(h.dH),
      dV: Float64Array.from(h.dV),
      xbarH: Float64Array.from(h.xbarH),
      deaths: Float64Array.from(h.deaths),
    };
    const minCount = Math.max(1, input.minCellCount);
    let mergedTimes = 0;
    const curves = params.survivalCurves.flatMap((spec) => {
      const parsed = parseCurveSpec(spec);
      const x = parsed === 'means' ? means : curveDesignRow(input.rhs, input.levels, parsed, names);
      return coxPredictedCurves({ terms, grid, beta, covariance, x, minCount }).map((c) => {
        let distinct = 0;
        for (let k = 0; k < grid.times.length; k++)
          if (grid.strata[k] === c.stratum && terms.deaths[k]! > 0) distinct++;
        mergedTimes += distinct - c.time.length;
        return {
          label: spec.trim(),
          covariates: parsed === 'means' ? Object.fromEntries(names.map((n, j) => [n, means[j]!])) : parsed,
          stratum:
            input.strata.length > 1 || input.strata[0] !== '' ? (input.strata[c.stratum] ?? null) : null,
          start: Array.from(c.start),
          time: Array.from(c.time),
          coarsened: Array.from(c.coarsened, (b) => b === 1),
          nEvent: Array.from(c.nEvent),
          surv: Array.from(c.surv),
          cumhaz: Array.from(c.cumhaz),
          stdErr: Array.from(c.stdErr),
          lower: Array.from(c.lower),
          upper: Array.from(c.upper),
        };
      });
    });
    out.survivalCurves = {
      confLevel: 0.95,
      minCellCount: minCount,
      mergedTimes,
      means: Array.from(means),
      curves,
    };
  }
  return out;
}
