/**
 * Human-readable rendering of algorithm results: one formatter per algorithm, registered by its name in
 * {@link RESULT_FORMATTERS} (a test walks the algorithms and fails when one has none). A result that does
 * not match its algorithm's schema is shown as JSON.
 */
import {
  type DvhExtractResult,
  type LkbResult,
  lkbNtcp,
  ntcpReferencesFor,
  type PingResult,
  phantomName,
  type RadiomicsExtractResult,
  RESULT_SCHEMAS,
  type TaskDetail,
} from '@fedhub/protocol';
import { formatDvhBands } from './format-dvh-bands.js';
import { formatKmCoarsening, formatKmMedian, kmGroupSize, kmSurvivalAt } from './format-km.js';
import { formatCoxExtras, formatGlmExtras } from './format-model-extras.js';
import { formatEstimateCi, formatFixed, formatPValue, formatRatioCi } from './format-number.js';
import { formatValidateImaging } from './format-validate-imaging.js';
import { formatWarnings } from './format-warnings.js';
import { num, table } from './output.js';

interface SummaryColumn {
  column: string;
  n: number;
  missing: number;
  mean: number | null;
  sd: number | null;
  histogram: {
    breaks: number[];
    counts: number[];
    below: number;
    above: number;
    requestedBreaks?: number[];
    mergedBins?: Array<{ bins: [number, number] }>;
  } | null;
  perNode: Array<{ node: string; n: number }>;
}

function bar(count: number, max: number, width = 30): string {
  return '#'.repeat(max > 0 ? Math.round((count / max) * width) : 0);
}

/** "3–5", with "below" and "above" for the bins outside the requested breaks. */
function mergedLabel(
  [a, b]: [number, number],
  h: { mergedBins?: unknown; requestedBreaks?: number[] },
): string {
  const k = (h.requestedBreaks?.length ?? 0) - 1;
  const name = (i: number) => (i === 0 ? 'below' : k > 0 && i === k + 1 ? 'above' : String(i));
  return `${name(a)}–${name(b)}`;
}

function formatSummary(r: { columns: SummaryColumn[]; nodes: string[] }): string {
  const out = [`Pooled over ${r.nodes.length} nodes (${r.nodes.join(', ')})`, ''];
  out.push(
    table(
      ['column', 'n', 'missing', 'mean', 'sd'],
      r.columns.map((c) => [c.column, c.n, c.missing, num(c.mean), num(c.sd)]),
    ),
  );
  for (const c of r.columns) {
    if (!c.histogram) continue;
    const h = c.histogram;
    const max = Math.max(...h.counts, h.below, h.above);
    out.push('', `Histogram of ${c.column}`);
    const rows: string[][] = [];
    if (h.below > 0) rows.push([`< ${h.breaks[0]}`, String(h.below), bar(h.below, max)]);
    h.counts.forEach((n, i) => {
      rows.push([
        `[${h.breaks[i]}, ${h.breaks[i + 1]}${i === h.counts.length - 1 ? ']' : ')'}`,
        String(n),
        bar(n, max),
      ]);
    });
    if (h.above > 0) rows.push([`> ${h.breaks.at(-1)}`, String(h.above), bar(h.above, max)]);
    out.push(table(['bin', 'count', ''], rows));
    // bins the nodes merged to reach the minimum cell count (0: below the first break; k + 1: above)
    for (const m of h.mergedBins ?? []) out.push(`bins ${mergedLabel(m.bins, h)} merged`);
  }
  return out.join('\n');
}

function formatCrosstab(r: {
  rowVariable: string;
  colVariable: string;
  rows: string[];
  cols: string[];
  counts: number[][];
  rowTotals: number[];
  colTotals: number[];
  total: number;
  nodes: string[];
}): string {
  const header = [`${r.rowVariable} \\ ${r.colVariable}`, ...r.cols, 'total'];
  const rows = r.rows.map((lvl, i) => [lvl, ...(r.counts[i] ?? []), r.rowTotals[i]]);
  rows.push(['total', ...r.colTotals, r.total]);
  return [`Pooled over ${r.nodes.length} nodes (${r.nodes.join(', ')})`, '', table(header, rows)].join('\n');
}

interface Coefficient {
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

const pFormat = formatPValue;

/** "lower to upper" with the decimals of the estimate (see formatEstimateCi). */
function ciRange(
  estimate: number,
  lower: number | null | undefined,
  upper: number | null | undefined,
  digits = 3,
) {
  const f = formatEstimateCi(estimate, lower, upper, digits);
  return `${f.lower} to ${f.upper}`;
}

/** An estimate and its "lower to upper", or n/a where the estimate is missing (not fitted, older result). */
function estimateWithCi(
  estimate: number | string | null | undefined,
  lower: number | string | null | undefined,
  upper: number | string | null | undefined,
): [string, string] {
  if (typeof estimate !== 'number') return ['n/a', ''];
  return [num(estimate, 4), ciRange(estimate, lower as number | null, upper as number | null, 4)];
}

function expOrNull(x: number | null | undefined): number | null {
  return x === null || x === undefined ? null : Math.exp(x);
}

function formatGlm(
  r: {
    formula: string;
    family: string;
    link: string;
    statistic: string;
    coefficients: Coefficient[];
    deviance: number;
    nullDeviance: number | null;
    aic: number | null;
    dfResidual: number;
    dfNull: number;
    dispersion: number;
    iterations: number;
    n: number;
    nodes: string[];
    perCentre?: Array<{ centre: string; n: number; coefficients?: Coefficient[]; error?: string }>;
    ciMethod?: string;
  } & Parameters<typeof formatGlmExtras>[0],
): string {
  const stat = r.statistic === 't' ? 't value' : 'z value';
  // the intervals' kind is part of the header: profile likelihood (R confint(fit)) or Wald (confint.default)
  const ciHead = r.ciMethod === 'profile' ? 'profile 95% CI' : '95% CI';
  // odds ratios (logit) and rate ratios (log) are what clinicians read: shown beside the coefficients
  const ratio = r.link === 'logit' ? 'OR (95% CI)' : r.link === 'log' ? 'ratio (95% CI)' : null;
  const byCentre = r.perCentre
    ? [
        '',
        "Each centre's own fit:",
        table(
          ['centre', 'n', 'term', 'estimate', 'std. error', '95% CI'],
          r.perCentre.flatMap((c) =>
            c.coefficients
              ? c.coefficients.map((x) => [
                  c.centre,
                  String(c.n),
                  x.term,
                  formatEstimateCi(x.estimate, x.ciLower, x.ciUpper, 4).estimate,
                  num(x.stdError, 4),
                  ciRange(x.estimate, x.ciLower, x.ciUpper, 4),
                ])
              : [[c.centre, String(c.n), '', c.error ?? 'not estimable', '', '']],
          ),
        ),
      ]
    : [];
  return [
    `glm(${r.formula}, family = ${r.family}(${r.link})), pooled over ${r.nodes.length} nodes (${r.nodes.join(', ')}), n = ${r.n}`,
    '',
    table(
      ['term', 'estimate', 'std. error', stat, 'p', ciHead, ...(ratio ? [ratio] : [])],
      r.coefficients.map((c) => [
        c.term,
        formatEstimateCi(c.estimate, c.ciLower, c.ciUpper, 4).estimate,
        num(c.stdError, 4),
        num(c.statistic, 4),
        pFormat(c.pValue),
        ciRange(c.estimate, c.ciLower, c.ciUpper, 4),
        ...(ratio
          ? [
              c.term === '(Intercept)'
                ? ''
                : formatRatioCi(Math.exp(c.estimate), expOrNull(c.ciLower), expOrNull(c.ciUpper)).text,
            ]
          : []),
      ]),
    ),
    '',
    `Null deviance ${num(r.nullDeviance, 8)} on ${r.dfNull} df; residual deviance ${num(r.deviance, 8)} on ${r.dfResidual} df; AIC ${num(r.aic, 8)}; dispersion ${num(r.dispersion, 6)}; ${r.iterations} IRLS iterations`,
    ...(r.ciMethod === 'profile'
      ? [
          'Intervals: profile likelihood, as R confint(fit) (MASS profile.glm); NA where the profile does not reach the cutoff.',
        ]
      : []),
    ...formatGlmExtras(r),
    ...byCentre,
  ].join('\n');
}

function formatCox(
  r: {
    formula: string;
    ties: string;
    coefficients: Coefficient[];
    loglik: number[];
    likelihoodRatio: { statistic: number; df: number; pValue: number };
    concordance: { value: number };
    n: number;
    events: number;
    nodes: string[];
    timeResolution?: number;
    timeResolutionBasis?: string;
  } & Parameters<typeof formatCoxExtras>[0],
): string {
  return [
    `coxph(${r.formula}, ties = "${r.ties}"), pooled over ${r.nodes.length} nodes (${r.nodes.join(', ')}), n = ${r.n}, events = ${r.events}`,
    ...(r.timeResolution !== undefined
      ? [
          `Event times coarsened up to multiples of ${r.timeResolution} (timeResolution, in the time column's unit${defaultNote(r.timeResolutionBasis)})`,
        ]
      : []),
    '',
    table(
      ['term', 'coef', 'HR', 'std. error', 'z', 'p', 'HR 95% CI'],
      r.coefficients.map((c) => [
        c.term,
        num(c.estimate, 6),
        formatRatioCi(c.hazardRatio, c.hrLower, c.hrUpper).estimate,
        num(c.stdError, 4),
        num(c.z, 4),
        pFormat(c.pValue),
        `${formatRatioCi(c.hazardRatio, c.hrLower, c.hrUpper).lower} to ${formatRatioCi(c.hazardRatio, c.hrLower, c.hrUpper).upper}`,
      ]),
    ),
    '',
    `Concordance ${num(r.concordance.value, 4)}; likelihood ratio test ${num(r.likelihoodRatio.statistic, 6)} on ${r.likelihoodRatio.df} df, p = ${pFormat(r.likelihoodRatio.pValue)}; log-likelihood ${num(r.loglik[1], 10)}`,
    ...formatCoxExtras(r),
  ].join('\n');
}

function formatKm(r: {
  time: string;
  group: string | null;
  curves: Array<{
    group: string;
    time: number[];
    nRisk: number[];
    nEvent: number[];
    nCensor: number[];
    censorings?: { count: number[] };
    surv: number[];
    median: number | null;
    medianLower: number | null;
    medianUpper: number | null;
    start?: number[];
    coarsened?: boolean[];
    medianInterval?: [number, number] | null;
  }>;
  logRank: { chisq: number; df: number; pValue: number } | null;
  mergedBins: number;
  timeResolution?: number;
  minCellCount: number;
  nodes: string[];
}): string {
  const out = [
    `Kaplan–Meier of ${r.time}${r.group ? ` by ${r.group}` : ''}, pooled over ${r.nodes.length} nodes (${r.nodes.join(', ')})`,
    '',
  ];
  out.push(
    table(
      ['group', 'n', 'median', '95% CI', 'S at 12', 'S at 24', 'S at 60'],
      r.curves.map((c) => {
        const at = (t: number) => kmSurvivalAt(c, t);
        return [
          c.group,
          kmGroupSize(c),
          formatKmMedian(c),
          `${c.medianLower ?? 'NA'} to ${c.medianUpper ?? 'NA'}`,
          at(12),
          at(24),
          at(60),
        ];
      }),
    ),
  );
  if (r.logRank)
    out.push(
      '',
      `Log-rank test: chi-square ${num(r.logRank.chisq, 6)} on ${r.logRank.df} df, p = ${pFormat(r.logRank.pValue)}`,
    );
  out.push(...formatKmCoarsening(r));
  return out.join('\n');
}

function formatDrl(r: {
  results: Array<{
    exam: string;
    group: string;
    phantom: string;
    quantity: string;
    unit: string;
    drl: number;
    nFacilities: number;
    facilities: Array<{ facility: string; median: number; exceedsSurveyDrl: boolean }>;
    references: Array<{ id: string; ctdivol: number | null; dlp: number | null }>;
  }>;
  flags: unknown[];
  nodes: string[];
  method: string;
}): string {
  const rows = r.results.map((x) => {
    const ref = x.references.map((ref) => `${ref.id}: ${ref[x.quantity as 'ctdivol' | 'dlp']}`).join('; ');
    const above = x.facilities.filter((f) => f.exceedsSurveyDrl).map((f) => f.facility);
    return [
      x.exam,
      x.group,
      phantomName(x.phantom),
      x.quantity === 'ctdivol' ? 'CTDIvol' : 'DLP',
      `${num(x.drl, 4)} ${x.unit}`,
      x.nFacilities,
      above.join(', ') || '-',
      ref || '-',
    ];
  });
  return [
    `DRL survey over ${r.nodes.length} facilities (${r.method})`,
    '',
    table(
      [
        'exam',
        'group',
        'phantom',
        'quantity',
        'survey DRL',
        'facilities',
        'above survey DRL',
        'reference DRLs',
      ],
      rows,
    ),
  ].join('\n');
}

function formatValidate(r: {
  outcome: string;
  pooled: Record<string, number> & { hosmerLemeshow: { statistic: number; df: number; pValue: number } };
  /** absent when the study withholds per-node breakdowns */
  perCentre?: Array<Record<string, number | string>>;
  subgroups?: {
    column: string;
    levels: Array<Record<string, number | string | null>> | null;
    withheldReason?: string;
  };
  nodes: string[];
}): string {
  const p = r.pooled;
  const g = r.subgroups;
  const subgroupLines = !g
    ? []
    : g.levels
      ? [
          '',
          `Subgroups by ${g.column} (pooled over every centre):`,
          table(
            [
              'level',
              'n',
              'events',
              'AUC',
              '95% CI (DeLong)',
              'Brier',
              'O/E',
              'calib. slope',
              '95% CI (Wald)',
              'in the large',
              '95% CI (Wald)',
            ],
            g.levels.map((l) => [
              String(l.level),
              l.n as number,
              l.events as number,
              l.auc === null ? 'n/a' : num(l.auc as number, 4),
              l.auc === null
                ? ''
                : ciRange(l.auc as number, l.aucCiLower as number, l.aucCiUpper as number, 4),
              l.brier === null ? 'n/a' : num(l.brier as number),
              l.observedExpected === null ? 'n/a' : num(l.observedExpected as number),
              // validate 1.6.0 on: the level's calibration fits (absent from earlier results)
              ...estimateWithCi(l.calibrationSlope, l.calibrationSlopeCiLower, l.calibrationSlopeCiUpper),
              ...estimateWithCi(
                l.calibrationInLarge,
                l.calibrationInLargeCiLower,
                l.calibrationInLargeCiUpper,
              ),
            ]),
          ),
        ]
      : ['', `Subgroups by ${g.column}: withheld (${g.withheldReason ?? 'under the disclosure policy'})`];
  const rows = (r.perCentre ?? []).map((c) => [
    String(c.centre),
    c.n,
    c.events,
    num(c.auc as number, 4),
    ciRange(c.auc as number, c.aucCiLower as number, c.aucCiUpper as number, 4),
    num(c.brier as number),
    num(c.calibrationSlope as number),
    // on the logit scale, near zero when calibrated: fixed decimals, never 9.11e-09
    formatFixed(c.calibrationInLarge as number, 3),
  ]);
  rows.push([
    'pooled',
    p.n,
    p.events,
    num(p.auc, 4),
    ciRange(p.auc as number, p.aucCiLower, p.aucCiUpper, 4),
    num(p.brier),
    num(p.calibrationSlope),
    formatFixed(p.calibrationInLarge as number, 3),
  ]);
  return [
    `Validation of a frozen model for ${r.outcome} over ${r.nodes.length} centres`,
    '',
    table(
      ['centre', 'n', 'events', 'AUC', '95% CI (DeLong)', 'Brier', 'calib. slope', 'calib. in the large'],
      rows,
    ),
    '',
    `Hosmer–Lemeshow (pooled): ${num(p.hosmerLemeshow.statistic, 6)} on ${p.hosmerLemeshow.df} df, p = ${pFormat(p.hosmerLemeshow.pValue)}`,
    ...subgroupLines,
    ...(typeof p.calibrationSlopeCiLower === 'number'
      ? [
          `Calibration (pooled, Wald 95% CI): slope ${num(p.calibrationSlope, 4)} (${ciRange(p.calibrationSlope as number, p.calibrationSlopeCiLower, p.calibrationSlopeCiUpper, 4)}), in the large ${formatFixed(p.calibrationInLarge as number, 3)} (${formatFixed(p.calibrationInLargeCiLower as number, 3)} to ${formatFixed(p.calibrationInLargeCiUpper as number, 3)})`,
        ]
      : []),
  ].join('\n');
}

interface SurvivalValidationRow {
  n: number;
  events: number;
  concordance: number;
  stdError: number;
  ciLower: number;
  ciUpper: number;
}

/** ", the default for ..." when the resolution was not given (see algorithms' time-resolution.ts). */
function defaultNote(basis: string | undefined): string {
  return basis?.startsWith('default') ? `; ${basis}` : '';
}

function formatValidateSurvival(r: {
  time: string;
  event: string;
  strata: string | null;
  adjustForCentre?: boolean;
  timeResolution: number;
  timeResolutionBasis?: string;
  scoreResolution: number;
  pooled: SurvivalValidationRow & {
    concordant: number;
    discordant: number;
    tiedScore: number;
    tiedTime: number;
    uno?: { concordance: number; ciLower: number; ciUpper: number } | null;
    timeDependentAuc?: Array<{
      time: number;
      timeUsed: number | null;
      auc: number | null;
      cases: number | null;
      controls: number | null;
      /** from validate-survival 1.6.0 */
      se?: number | null;
      lower?: number | null;
      upper?: number | null;
    }>;
  };
  /** absent when the study withholds per-node breakdowns */
  perCentre?: Array<SurvivalValidationRow & { centre: string }>;
  nodes: string[];
}): string {
  const p = r.pooled;
  const row = (name: string, c: SurvivalValidationRow) => [
    name,
    c.n,
    c.events,
    num(c.concordance, 4),
    num(c.stdError),
    ciRange(c.concordance, c.ciLower, c.ciUpper, 4),
  ];
  return [
    `Validation of a frozen survival model on Surv(${r.time}, ${r.event})${r.strata ? `, pairs within strata of ${r.strata}` : ''}${r.adjustForCentre ? ', pairs within each centre (a model stratified by centre)' : ''}, over ${r.nodes.length} centres`,
    '',
    table(
      ['centre', 'n', 'events', "Harrell's C", 'std. error', '95% CI'],
      [...(r.perCentre ?? []).map((c) => row(c.centre, c)), row('pooled', p)],
    ),
    '',
    `Pooled pairs: ${p.concordant} concordant, ${p.discordant} discordant, ${p.tiedScore} tied on the score; ${p.tiedTime} tied on time (not comparable)`,
    `Times coarsened to ${r.timeResolution}${defaultNote(r.timeResolutionBasis)}, scores to ${r.scoreResolution}; standard error as survival::concordance (infinitesimal jackknife)`,
    ...(p.uno
      ? [
          `Uno's C (pooled, censoring weights 1/G²${r.strata ? ` with G per stratum of ${r.strata}` : r.adjustForCentre ? ' with G per centre' : ''}, survival::concordance timewt = "n/G2"): ${num(p.uno.concordance, 4)} (95% CI ${ciRange(p.uno.concordance, p.uno.ciLower, p.uno.ciUpper, 4)})`,
        ]
      : p.uno === null
        ? ["Uno's C: not computed with strata (a result of validate-survival before 1.4.0)"]
        : []),
    ...(p.timeDependentAuc
      ? [
          '',
          'Time-dependent AUC (cumulative cases, dynamic controls, IPCW; Blanche 2013):',
          table(
            ['time', 'AUC', 'std. error', '95% CI', 'cases', 'controls', 'exact at time'],
            p.timeDependentAuc.map((a) => [
              a.time,
              a.auc === null ? 'not estimable (no event before, or none after)' : num(a.auc, 4),
              a.auc === null || a.se == null ? '' : num(a.se),
              a.auc === null || a.se == null ? '' : ciRange(a.auc, a.lower, a.upper, 4),
              a.cases ?? '',
              a.controls ?? '',
              a.timeUsed ?? '',
            ]),
          ),
          ...(p.timeDependentAuc.some((a) => a.se != null)
            ? [
                'AUC(t) standard error as timeROC (iid = TRUE) on the coarsened data; 95% CI Wald on the AUC scale, clipped to [0, 1]',
              ]
            : []),
        ]
      : []),
  ].join('\n');
}

function formatQuantiles(r: {
  column: string;
  n: number;
  quantiles: Array<{
    prob: number;
    value: number | null;
    ciLower?: number | null;
    ciUpper?: number | null;
    ciCoverage?: number | null;
    ciLowerWithheld?: string;
    ciUpperWithheld?: string;
  }>;
  nodes: string[];
  resolution?: number;
  ci?: { level: number };
}): string {
  const end = (v: number | null | undefined, why: string | undefined, open: string) =>
    v !== null && v !== undefined ? num(v, 8) : why === 'FH_ERR_SMALL_CELL' ? 'withheld' : open;
  return [
    `Quantiles (type 7) of ${r.column}, n = ${r.n}, pooled over ${r.nodes.length} nodes${r.resolution ? `, released to the nearest ${r.resolution} (data dictionary)` : ''}`,
    '',
    table(
      ['probability', 'value', ...(r.ci ? [`${r.ci.level * 100}% CI (order statistics)`, 'coverage'] : [])],
      r.quantiles.map((q) => [
        q.prob,
        q.value === null ? 'withheld: too few records near it' : num(q.value, 8),
        ...(r.ci
          ? [
              `${end(q.ciLower, q.ciLowerWithheld, '-Inf')} to ${end(q.ciUpper, q.ciUpperWithheld, 'Inf')}`,
              num(q.ciCoverage ?? null, 4),
            ]
          : []),
      ]),
    ),
    ...(r.ci
      ? [
          '',
          'Interval ends are order statistics (binomial method; DescTools::MedianCI "exact" for the median), released as the quantiles are: rounded, and withheld where fewer than the minimum cell count of records lie within the rounding interval.',
        ]
      : []),
  ].join('\n');
}

function formatTtest(r: {
  method: string;
  column: string;
  group?: string;
  pairedWith?: string;
  groups: Array<{ level: string; n: number; mean: number; sd: number }>;
  statistic: number;
  df: number;
  pValue: number;
  difference: number;
  ciLower: number | null;
  ciUpper: number | null;
  confLevel?: number;
  alternative?: string;
  mu?: number;
}): string {
  const paired = r.pairedWith !== undefined;
  const what = paired
    ? `mean difference ${r.column} − ${r.pairedWith}`
    : `difference ${r.groups[0]?.level} − ${r.groups[1]?.level}`;
  const alt =
    r.alternative && r.alternative !== 'two.sided'
      ? `; alternative: the ${paired ? 'mean difference' : 'difference'} is ${r.alternative} than ${r.mu ?? 0}`
      : r.mu
        ? `; null value ${r.mu}`
        : '';
  // a one-sided interval has an infinite end (null in JSON)
  const end = (x: number | null, inf: string) => (x === null || !Number.isFinite(x) ? inf : num(x, 5));
  const level = Math.round((r.confLevel ?? 0.95) * 100);
  return [
    paired ? `${r.method}: ${r.column} and ${r.pairedWith}` : `${r.method}: ${r.column} by ${r.group}`,
    '',
    table(
      [paired ? 'difference' : 'group', 'n', 'mean', 'sd'],
      r.groups.map((g) => [g.level, g.n, num(g.mean, 6), num(g.sd, 6)]),
    ),
    '',
    `t = ${num(r.statistic, 6)}, df = ${num(r.df, 6)}, p = ${pFormat(r.pValue)}${alt}; ${what} = ${num(r.difference, 6)} (${level}% CI ${end(r.ciLower, '-Inf')} to ${end(r.ciUpper, 'Inf')})`,
  ].join('\n');
}

function formatChisq(
  r: Parameters<typeof formatCrosstab>[0] & {
    test: { statistic: number; df: number; pValue: number; yates: boolean } | null;
    fisher?: {
      pValue: number | null;
      oddsRatio: number | null;
      ciLower: number | null;
      ciUpper: number | null;
    } | null;
  },
): string {
  const out = [formatCrosstab(r)];
  if (r.test)
    out.push(
      '',
      `Pearson's chi-square${r.test.yates ? ' with Yates continuity correction' : ''}: X-squared = ${num(r.test.statistic, 6)}, df = ${r.test.df}, p = ${pFormat(r.test.pValue)}`,
    );
  if (r.fisher)
    out.push(
      r.fisher.pValue === null
        ? "Fisher's exact test: too many tables share these margins to enumerate"
        : `Fisher's exact test: p = ${pFormat(r.fisher.pValue)}${r.fisher.oddsRatio !== null ? `; odds ratio ${formatRatioCi(r.fisher.oddsRatio, r.fisher.ciLower, r.fisher.ciUpper).text.replace(' (', ' (95% CI ')}` : ''}`,
    );
  return out.join('\n');
}

function formatPing(r: PingResult): string {
  return `${r.nodes.length} node(s) answered: ${r.nodes.join(', ')}`;
}

function formatRadiomicsExtract(r: RadiomicsExtractResult): string {
  const rows = r.nodes.map((n) => [
    n.node,
    String(n.output ?? ''),
    String(n.features ?? ''),
    ...('processed' in n ? [String(n.processed)] : []),
  ]);
  return [
    `Radiomics features extracted for ${r.processed ?? 0} of ${r.patients ?? 0} patients; the features stay at each node as a derived dataset`,
    '',
    table(['node', 'dataset', 'features', ...(rows.some((x) => x.length > 3) ? ['processed'] : [])], rows),
  ].join('\n');
}

function formatLkb(r: LkbResult): string {
  const ci = (k: 'TD50' | 'm' | 'n') => {
    const b = r.profileIntervals?.[k];
    return b ? `${b[0] === null ? '-inf' : num(b[0])} .. ${b[1] === null ? 'inf' : num(b[1])}` : '';
  };
  const params = table(
    ['parameter', 'estimate', `${Math.round(r.confLevel * 100)}% profile CI`],
    (['TD50', 'm', 'n'] as const).map((k) => [k, num(r.estimates[k]), ci(k)]),
  );
  const curve = (r.ntcpCurve ?? [])
    .filter((_, i) => i % 4 === 0)
    // probabilities to three decimals, as NTCP tables print them
    .map((p) => [num(p.geudGy), formatFixed(p.ntcp, 3), formatFixed(p.lower, 3), formatFixed(p.upper, 3)]);
  const organ = ntcpReferencesFor(r.organ);
  const refs = organ
    ? [
        '',
        `Published parameters for ${organ.organ} (${r.organ}), fitted on other cohorts:`,
        table(
          ['source', 'endpoint', 'TD50 (Gy)', 'm', 'n', ...(curve.length > 0 ? ['NTCP at fitted TD50'] : [])],
          organ.references.map((ref) => [
            ref.source,
            ref.endpoint,
            num(ref.TD50),
            num(ref.m),
            num(ref.n),
            ...(curve.length > 0 ? [num(lkbNtcp(r.estimates.TD50 as number, ref), 3)] : []),
          ]),
        ),
      ]
    : [];
  return [
    `LKB NTCP: ${r.patients} patients, ${r.events} with the complication, log-likelihood ${num(r.logLik, 8)}${r.organ ? `; structure ${r.organ}` : ''}`,
    params,
    '',
    table(
      ['gEUD (Gy)', 'NTCP', `${Math.round(r.confLevel * 100)}% CI`],
      curve.map((c) => [c[0], c[1], `${c[2]} to ${c[3]}`]),
    ),
    ...refs,
  ].join('\n');
}

function formatDvhExtract(r: DvhExtractResult): string {
  return [
    `DVHs computed for ${r.processed ?? 0} of ${r.patients ?? 0} patients; the tables stay at each node as derived datasets`,
    '',
    table(
      ['node', 'dataset'],
      r.nodes.map((n) => [n.node, String(n.output ?? '')]),
    ),
  ].join('\n');
}

/** The terminal formatter of each algorithm's result, by algorithm name. */
// biome-ignore lint/suspicious/noExplicitAny: each formatter reads the result shape of its own algorithm, checked by its schema first
export const RESULT_FORMATTERS: Readonly<Record<string, (result: any) => string>> = {
  ping: formatPing,
  'radiomics-extract': formatRadiomicsExtract,
  lkb: formatLkb,
  'dvh-extract': formatDvhExtract,
  'dvh-bands': formatDvhBands,
  summary: formatSummary,
  crosstab: formatCrosstab,
  glm: formatGlm,
  coxph: formatCox,
  km: formatKm,
  'drl-survey': formatDrl,
  validate: formatValidate,
  'validate-survival': formatValidateSurvival,
  quantiles: formatQuantiles,
  ttest: formatTtest,
  chisq: formatChisq,
  'validate-imaging': formatValidateImaging,
};

/** A task's outcome for a terminal: the result table, or each node's refusal with its reason. */
export function formatTaskOutcome(task: TaskDetail): string {
  if (
    task.status === 'completed' &&
    task.result &&
    typeof task.result === 'object' &&
    !Array.isArray(task.result)
  ) {
    const formatter = Object.hasOwn(RESULT_FORMATTERS, task.algorithm)
      ? RESULT_FORMATTERS[task.algorithm]
      : undefined;
    const fits = RESULT_SCHEMAS[task.algorithm]?.safeParse(task.result).success === true;
    if (!formatter || !fits) return JSON.stringify(task.result, null, 2);
    return [formatter(task.result as never), ...formatWarnings(task.result)].join('\n');
  }
  const lines = [
    `Task ${task.id} ${task.status}${task.error ? `: ${task.error.code}: ${task.error.message}` : ''}`,
  ];
  for (const run of task.runs)
    if (run.error)
      lines.push(`  ${run.nodeName} (round ${run.round}): ${run.error.code}: ${run.error.message}`);
  return lines.join('\n');
}
