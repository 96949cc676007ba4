/** The result shapes of the built-in algorithms, as the hub returns them (see packages/algorithms). */

/** One column of a `summary` result. */
export interface SummaryColumn {
  column: string;
  n: number;
  missing: number;
  mean: number | null;
  sd: number | null;
  histogram: { breaks: number[]; counts: number[]; below: number; above: number } | null;
}
/** A `summary` result. */
export interface SummaryResult {
  columns: SummaryColumn[];
  nodes: string[];
}
/** A `crosstab` result. */
export interface CrosstabResult {
  rowVariable: string;
  colVariable: string;
  rows: string[];
  cols: string[];
  counts: number[][];
  rowTotals: number[];
  colTotals: number[];
  total: number;
  nodes: string[];
  /** Present on `chisq` results: Pearson's test on the released table. */
  test?: { statistic: number; df: number; pValue: number; yates: boolean };
}
/** One model term of a `glm` or `coxph` result. */
export interface Coefficient {
  term: string;
  estimate: number;
  stdError: number;
  pValue: number;
  ciLower?: number;
  ciUpper?: number;
  hazardRatio?: number;
  hrLower?: number;
  hrUpper?: number;
  statistic?: number;
  z?: number;
}
/** A `glm` result. */
export interface GlmResult {
  formula: string;
  family: string;
  link: string;
  /** "profile": the coefficients' intervals are profile-likelihood ones (R confint(fit)); absent: Wald. */
  ciMethod?: string;
  coefficients: Coefficient[];
  deviance: number;
  nullDeviance: number | null;
  aic: number | null;
  dfResidual: number;
  n: number;
  nodes: string[];
  /** Factor → its levels, the first being the reference (treatment contrasts). */
  levels?: Record<string, string[]>;
  /** Each centre's own fit, where the study allows per-node breakdowns and `perCentre` was asked. */
  perCentre?: Array<{ centre: string; n: number; coefficients?: Coefficient[]; error?: string }>;
  /** Negative binomial: theta (maximum likelihood) and its standard error. */
  theta?: number | null;
  seTheta?: number | null;
  /** Robust or cluster-robust standard errors, where asked. */
  robust?: { type: string; clusters?: number | null; coefficients: Coefficient[] };
  /** Sequential likelihood-ratio tests of the terms, where asked. */
  anova?: Array<{
    term: string;
    df: number | null;
    deviance: number | null;
    residDf: number | null;
    residDeviance: number | null;
    pValue: number | null;
  }>;
}
/** A `coxph` result. */
export interface CoxResult {
  formula: string;
  /** Factor → its levels, the first being the reference (coxph 1.5.0 and later). */
  levels?: Record<string, string[]>;
  /** Event times coarsened up to multiples of this. */
  timeResolution?: number;
  coefficients: Coefficient[];
  likelihoodRatio: { statistic: number; df: number; pValue: number };
  concordance: { value: number };
  n: number;
  events: number;
  nodes: string[];
  /** Per-term Wald tests. */
  termTests?: Array<{ term: string; chisq: number | null; df: number | null; pValue: number | null }>;
  /** cox.zph's proportional-hazards test, where asked. */
  proportionalHazards?: {
    transform: string;
    table: Array<{ term: string; chisq: number | null; df: number | null; pValue: number | null }>;
  };
  /** Robust (sandwich) or cluster-robust standard errors, where asked. */
  robust?: {
    cluster: string;
    clusters: number;
    coefficients: Array<{
      term: string;
      robustSe: number;
      z: number;
      pValue: number;
      hrLower: number;
      hrUpper: number;
    }>;
    wald: { statistic: number | null; df: number; pValue: number | null };
    /** R's robust score test ("Robust = "). */
    score?: { statistic: number | null; df: number; pValue: number | null };
  };
  /** Predicted survival curves (survfit(fit, newdata)), where asked. */
  survivalCurves?: CoxCurvesResult;
}
/** coxph's predicted survival curves, released at the ends of intervals of at least `minCellCount` events. */
export interface CoxCurvesResult {
  confLevel: number;
  minCellCount: number;
  mergedTimes: number;
  curves: Array<{
    /** "means" or the covariate values as given. */
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
  }>;
}
/** One Kaplan–Meier curve (times in the time column's unit). */
export interface KmCurve {
  group: string;
  time: number[];
  nRisk: number[];
  nEvent: number[];
  nCensor: number[];
  surv: number[];
  lower: (number | null)[];
  upper: (number | null)[];
  median: number | null;
  medianLower: number | null;
  medianUpper: number | null;
  /** Start of each released interval; where `coarsened[k]`, times (start[k], time[k]] were merged. */
  start?: number[];
  coarsened?: boolean[];
  /** The merged interval (start, end] holding the median when it falls inside one. */
  medianInterval?: [number, number] | null;
  /** The released censoring counts: intervals (start, time] of at least the minimum cell count each. */
  censorings?: { start: number[]; time: number[]; count: number[] };
}
/** A `km` result. */
export interface KmResult {
  time: string;
  group: string | null;
  curves: KmCurve[];
  logRank: { chisq: number; df: number; pValue: number } | null;
  confLevel?: number;
  /** Distinct times merged into intervals so every released count is 0 or at least `minCellCount`. */
  mergedBins?: number;
  minCellCount?: number;
  timeResolution?: number;
  nodes: string[];
}
/** One stratum x quantity of a `drl-survey` result. */
export interface DrlStratumResult {
  exam: string;
  group: string;
  phantom: string;
  quantity: string;
  unit: string;
  drl: number;
  nFacilities: number;
  facilities: Array<{
    facility: string;
    median: number;
    q1: number;
    q3: number;
    n: number;
    exceedsSurveyDrl: boolean;
  }>;
  references: Array<{ id: string; source?: string; ctdivol: number | null; dlp: number | null }>;
}
/** A `drl-survey` result. */
export interface DrlResult {
  results: DrlStratumResult[];
  method: string;
  nodes: string[];
}

/** A point of a released ROC curve. */
export interface RocPoint {
  threshold: number;
  tpr: number;
  fpr: number;
}
/** Validation metrics of one centre or of the pooled data. */
export interface ValidationMetrics {
  n: number;
  events: number;
  auc: number;
  aucCiLower: number;
  aucCiUpper: number;
  brier: number;
  calibrationSlope: number;
  calibrationInLarge: number;
}
/** A `validate` result. */
/** One level's row of a validation's subgroup table (`validate` with `subgroup`). */
export interface SubgroupRow {
  level: string;
  n: number;
  events: number;
  auc: number | null;
  aucCiLower: number | null;
  aucCiUpper: number | null;
  brier: number | null;
  observedExpected: number | null;
  /** validate 1.6.0 on: calibration slope and in the large with Wald 95% CIs (null: not fitted). */
  calibrationSlope?: number | null;
  calibrationSlopeCiLower?: number | null;
  calibrationSlopeCiUpper?: number | null;
  calibrationInLarge?: number | null;
  calibrationInLargeCiLower?: number | null;
  calibrationInLargeCiUpper?: number | null;
}

/** A validation's subgroup table, or why it was withheld. */
export interface SubgroupTable {
  column: string;
  levels: SubgroupRow[] | null;
  centresWithheld: number;
  withheldReason?: string;
}

export interface ValidateResult {
  outcome: string;
  subgroups?: SubgroupTable;
  scoreResolution: number;
  pooled: ValidationMetrics & {
    roc?: RocPoint[];
    rocMinStep?: number;
    hosmerLemeshow?: {
      statistic?: number;
      df?: number;
      pValue?: number;
      n?: number[];
      observed?: number[];
      expected?: number[];
    };
  };
  /** Each centre's metrics; its ROC curve and risk groups from validate 1.5.0 on. */
  perCentre?: Array<
    ValidationMetrics & {
      centre: string;
      roc?: RocPoint[];
      hosmerLemeshow?: { n?: number[]; observed?: number[]; expected?: number[] };
    }
  >;
  nodes: string[];
}
/** Harrell's C of one centre or of the pooled data (`validate-survival`). */
export interface ConcordanceMetrics {
  n: number;
  events: number;
  concordance: number;
  stdError: number;
  ciLower: number;
  ciUpper: number;
}
/** A `validate-survival` result. */
export interface ValidateSurvivalResult {
  time: string;
  event: string;
  strata: string | null;
  /** Pairs compared only within each centre (a model fitted with adjustForCentre). */
  adjustForCentre?: boolean;
  timeResolution: number;
  timeResolutionBasis?: string;
  scoreResolution: number;
  pooled: ConcordanceMetrics & {
    concordant: number;
    discordant: number;
    tiedScore: number;
    tiedTime: number;
    /** Uno's C, G per stratum or centre (null with strata in results before validate-survival 1.4.0). */
    uno?: { concordance: number | null; ciLower: number | null; ciUpper: number | null } | null;
    /** Time-dependent AUC at the times asked (`aucTimes`). */
    timeDependentAuc?: Array<{
      time: number;
      timeUsed: number | null;
      auc: number | null;
      cases: number | null;
      controls: number | null;
      /** timeROC's iid standard error and a Wald 95% CI on the AUC scale (validate-survival 1.6.0 on). */
      se?: number | null;
      lower?: number | null;
      upper?: number | null;
    }>;
  };
  /** Absent when the study withholds per-node breakdowns. */
  perCentre?: Array<ConcordanceMetrics & { centre: string }>;
  nodes: string[];
}
/** A `quantiles` result. */
export interface QuantilesResult {
  column: string;
  n: number;
  type: number;
  quantiles: Array<{ prob: number; value: number }>;
  nodes: string[];
}
/** A `ttest` result. */
export interface TtestResult {
  method: string;
  column: string;
  /** The grouping column (two-sample test); the paired test has pairedWith instead. */
  group?: string;
  pairedWith?: string;
  alternative?: string;
  mu?: number;
  groups: Array<{ level: string; n: number; mean: number; sd: number }>;
  statistic: number;
  df: number;
  pValue: number;
  difference: number;
  ciLower: number;
  ciUpper: number;
  confLevel: number;
  nodes: string[];
}
