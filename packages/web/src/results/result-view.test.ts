// Server-side renders of the result views (no browser needed): each shape gets its table and chart.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ResultDictionary } from './dictionary-context.js';
import { ResultView } from './result-view.js';

const html = (algorithm: string, result: unknown) =>
  renderToStaticMarkup(createElement(ResultView, { algorithm, result }));
const count = (s: string, needle: string) => s.split(needle).length - 1;

describe('ResultView', () => {
  it('draws a Cox model as a table and a hazard-ratio forest plot on a log axis', () => {
    const out = html('coxph', {
      formula: 'Surv(months, dead) ~ age + sex',
      ties: 'efron',
      coefficients: [
        {
          term: 'age',
          estimate: 0.03,
          stdError: 0.005,
          pValue: 1e-8,
          hazardRatio: 1.0305,
          hrLower: 1.02,
          hrUpper: 1.041,
          z: 6,
        },
        {
          term: 'sexM',
          estimate: 0.15,
          stdError: 0.08,
          pValue: 0.06,
          hazardRatio: 1.162,
          hrLower: 0.993,
          hrUpper: 1.359,
          z: 1.9,
        },
      ],
      loglik: [-100, -90],
      likelihoodRatio: { statistic: 20, df: 2, pValue: 4.5e-5 },
      concordance: { value: 0.61 },
      n: 1200,
      events: 700,
      nodes: ['A', 'B', 'C'],
      levels: { sex: ['F', 'M'] },
    });
    expect(out).toContain('data-testid="cox-table"');
    expect(out).toContain('data-testid="forest-plot"');
    expect(count(out, 'data-testid="forest-row"')).toBe(2);
    // the factor's reference level is drawn and named, its other level labelled as glm's are
    expect(count(out, 'data-testid="forest-row-reference"')).toBe(1);
    expect(out).toContain('sex: F');
    expect(out).toContain('sex: M');
    expect(out).toContain('hazard ratio (log scale)');
    expect(out).not.toContain('NaN');
  });

  it('draws a crosstab with margins', () => {
    const out = html('crosstab', {
      rowVariable: 'sex',
      colVariable: 'stage',
      rows: ['F', 'M'],
      cols: ['I', 'II'],
      counts: [
        [10, 20],
        [30, 40],
      ],
      rowTotals: [30, 70],
      colTotals: [40, 60],
      total: 100,
      nodes: ['A'],
    });
    expect(out).toContain('data-testid="crosstab-table"');
    expect(out).toContain('<td>100</td>');
    // the chart of row percentages, and its CSV export
    expect(out).toContain('data-testid="crosstab-chart"');
    expect(out).toContain('Download table (CSV)');
  });

  it('shows the published QUANTEC and Burman parameters beside an LKB fit of a known organ', () => {
    const curve = Array.from({ length: 41 }, (_, i) => ({
      geudGy: i * 4,
      ntcp: i / 40,
      lower: Math.max(0, i / 40 - 0.1),
      upper: Math.min(1, i / 40 + 0.1),
    }));
    const base = {
      algorithm: 'lkb',
      estimates: { TD50: 78.2, m: 0.15, n: 0.1 },
      confLevel: 0.95,
      profileIntervals: null,
      logScaleStdErrors: null,
      logScaleCovariance: null,
      ntcpCurve: curve,
      logLik: -80.1,
      patients: 300,
      events: 60,
      converged: true,
      nodes: ['A', 'B'],
    };
    const out = html('lkb', { ...base, organ: 'Rectum' });
    expect(out).toContain('data-testid="ntcp-references"');
    expect(out).toContain('QUANTEC 2010');
    expect(out).toContain('76.9');
    expect(count(out, 'data-testid="ntcp-reference-curve"')).toBe(2);
    const unknown = html('lkb', { ...base, organ: 'PTV_70' });
    expect(unknown).not.toContain('data-testid="ntcp-references"');
    expect(unknown).toContain('No published reference parameters');
    expect(count(unknown, 'data-testid="ntcp-reference-curve"')).toBe(0);
  });

  it('draws a DRL survey box per facility against the survey and reference DRLs', () => {
    const out = html('drl-survey', {
      method: 'DRL = 75th percentile of facility medians',
      nodes: ['A', 'B', 'C'],
      results: [
        {
          exam: 'ct-head',
          group: 'adult',
          phantom: 'head16',
          quantity: 'ctdivol',
          unit: 'mGy',
          drl: 55,
          nFacilities: 3,
          facilities: [
            { facility: 'A', median: 50, q1: 45, q3: 56, n: 40, exceedsSurveyDrl: false },
            { facility: 'B', median: 58, q1: 52, q3: 63, n: 35, exceedsSurveyDrl: true },
            { facility: 'C', median: 42, q1: 40, q3: 47, n: 50, exceedsSurveyDrl: false },
          ],
          references: [{ id: 'uk-ndrl-2022-head', ctdivol: 60, dlp: 970 }],
        },
      ],
    });
    expect(count(out, 'data-testid="drl-plot"')).toBe(1);
    expect(out).toContain('survey DRL');
    expect(out).toContain('uk-ndrl-2022-head');
    // one box per facility, its number of exams beside its name, the reference values printed, a legend
    expect(count(out, 'data-testid="drl-facility"')).toBe(3);
    expect(out).toContain('B (n = 35)');
    expect(out).toContain('survey DRL 55 mGy');
    expect(out).toContain('uk-ndrl-2022-head 60 mGy');
    expect(out).toContain('16 cm phantom');
    expect(out).not.toContain('head16');
    expect(out).toContain('data-testid="drl-legend"');
  });

  it('draws KM curves with bands and a number-at-risk row per group', () => {
    const curve = (group: string, surv: number[]) => ({
      group,
      time: [2, 5, 9],
      nRisk: [50, 40, 20],
      nEvent: [5, 10, 5],
      nCensor: [5, 10, 5],
      surv,
      lower: surv.map((s) => s - 0.1),
      upper: surv.map((s) => Math.min(1, s + 0.1)),
      median: null,
      medianLower: null,
      medianUpper: null,
    });
    const out = html('km', {
      time: 'months',
      group: 'sex',
      curves: [curve('F', [0.9, 0.7, 0.55]), curve('M', [0.85, 0.6, 0.45])],
      logRank: { chisq: 4, df: 1, pValue: 0.0455 },
      nodes: ['A'],
    });
    expect(count(out, 'data-testid="km-curve"')).toBe(2);
    expect(out).toContain('log-rank p = 0.0455');
    expect(out).toContain('not reached');
    expect(out).not.toContain('NaN');
  });

  it('shows fractional numbers at risk as released, with a note, never rounded to whole counts', () => {
    const out = html('km', {
      time: 'months',
      group: null,
      mergedBins: 2,
      curves: [
        {
          group: 'all',
          time: [2, 5, 9],
          nRisk: [50, 41.5, 20.25],
          nEvent: [5, 10, 5],
          nCensor: [3.5, 11.25, 15.25],
          censorings: { start: [0, 5], time: [5, 12], count: [15, 15] },
          start: [0, 2, 5],
          coarsened: [false, false, true],
          surv: [0.9, 0.7, 0.5],
          lower: [0.8, 0.6, 0.4],
          upper: [1, 0.8, 0.6],
          median: 8,
          medianInterval: [5, 9],
          medianLower: 5,
          medianUpper: null,
        },
      ],
      nodes: ['A'],
    });
    expect(out).toContain('data-testid="km-fractional-note"');
    expect(out).toContain('censorings within merged intervals are spread over the interval');
    // the ticks at 0, 2, 4, 6, 8, 10 read the released numbers 50, 50, 41.5, 20.3, 20.3, 0
    const risk = out.slice(out.indexOf('data-testid="km-risk-table"'));
    expect(risk).toContain('>41.5<');
    expect(risk).toContain('>20.3<');
    expect(risk).not.toContain('>42<');
    // the group's size (events and censorings released), not its first number at risk; the median
    // inside a merged interval as that interval
    const table = out.slice(out.indexOf('data-testid="km-table"'), out.indexOf('</table>'));
    expect(table).toContain('<td>50</td><td>~8 in (5, 9]</td>');
  });

  it('falls back to JSON for an algorithm without a view', () => {
    expect(html('not-an-algorithm', { hello: 'world' })).toContain('&quot;hello&quot;');
  });

  it('draws a validation as a per-centre table, a ROC curve and a calibration plot', () => {
    const centre = (name: string, auc: number) => ({
      centre: name,
      n: 400,
      events: 120,
      auc,
      aucCiLower: auc - 0.05,
      aucCiUpper: auc + 0.05,
      brier: 0.2,
      calibrationSlope: 0.9,
      calibrationInLarge: -0.1,
    });
    const out = html('validate', {
      algorithm: 'validate',
      outcome: 'toxicity',
      scoreResolution: 0.001,
      pooled: {
        ...centre('pooled', 0.7),
        // a model fitted on these very records: its pooled calibration in the large is 0 up to rounding
        calibrationInLarge: -9.11e-9,
        roc: [
          { threshold: 1.001, tpr: 0, fpr: 0 },
          { threshold: 0.6, tpr: 0.4, fpr: 0.1 },
          { threshold: 0.3, tpr: 0.8, fpr: 0.5 },
          { threshold: 0, tpr: 1, fpr: 1 },
        ],
        rocMinStep: 10,
        hosmerLemeshow: {
          statistic: 7.1,
          df: 8,
          pValue: 0.52,
          n: [120, 120, 120],
          observed: [12, 36, 72],
          expected: [14, 30, 75],
        },
      },
      perCentre: [centre('A', 0.68), centre('B', 0.72), centre('C', 0.7)],
      nodes: ['A', 'B', 'C'],
    });
    expect(out).toContain('data-testid="validate-table"');
    expect(count(out, '<tr>')).toBe(1 + 3 + 1);
    // calibration in the large on the logit scale to 3 decimals: no "-9.11e-09", no "-0.000"
    expect(out).toContain('<td>-0.100</td>');
    expect(out).toContain('<td>0.000</td>');
    expect(out).not.toContain('e-09');
    expect(out).toContain('data-testid="roc-plot"');
    // (fpr, tpr) (0,0) (0.1,0.4) (0.5,0.8) (1,1) on a 310 px square from (60, 324), the legend beside it
    expect(out).toContain('d="M60.00,324.00L91.00,200.00L215.00,76.00L370.00,14.00"');
    // pooled only (no centre sent its curve): one curve and its band, each plot titled "pooled"
    expect(count(out, 'data-testid="roc-curve"')).toBe(1);
    expect(count(out, 'data-testid="roc-band"')).toBe(1);
    expect(out).toContain('ROC curve of toxicity, pooled (bands: pointwise 95% CI of sensitivity)');
    expect(count(out, 'data-testid="calibration-point"')).toBe(3);
    // each group's observed rate with its Wilson interval; the AUC of each centre and pooled as a forest
    expect(count(out, 'data-testid="calibration-ci"')).toBe(3);
    expect(count(out, 'data-testid="forest-row"')).toBe(3);
    expect(count(out, 'data-testid="forest-row-pooled"')).toBe(1);
    expect(out).toContain('steps of ≥ 10 patients');
    expect(out).toContain('data-testid="hosmer-lemeshow"');
    expect(out).not.toContain('NaN');
  });

  it('labels a histogram in the dictionary unit of its column and each bar with its released count', () => {
    const result = {
      columns: [
        {
          column: 'dose_gy',
          n: 30,
          missing: 0,
          mean: 60,
          sd: 10,
          histogram: { breaks: [40, 50, 60, 70], counts: [10, 12, 8], below: 0, above: 0 },
        },
      ],
      nodes: ['A', 'B', 'C'],
    };
    const out = renderToStaticMarkup(
      createElement(
        ResultDictionary.Provider,
        { value: [{ name: 'dose_gy', type: 'numeric', unit: 'Gy' }] },
        createElement(ResultView, { algorithm: 'summary', result }),
      ),
    );
    expect(out).toContain('>dose_gy (Gy)</text>');
    expect(out).toContain('>count (records)</text>');
    expect(
      out.match(/data-testid="histogram-count"[^>]*>(\d+)</g)?.map((m) => m.split('>')[1]!.slice(0, -1)),
    ).toEqual(['10', '12', '8']);
    // without a dictionary the axis carries the name alone: no unit is guessed
    expect(html('summary', result)).toContain('>dose_gy</text>');
  });

  it('draws each centre its ROC and calibration curve with pointwise bands, beside the pooled ones', () => {
    const roc = [
      { threshold: 1.001, tpr: 0, fpr: 0 },
      { threshold: 0.5, tpr: 0.5, fpr: 0.2 },
      { threshold: 0, tpr: 1, fpr: 1 },
    ];
    const hosmerLemeshow = { n: [40, 40], observed: [8, 20], expected: [10, 18] };
    const metrics = (centre: string, auc: number) => ({
      centre,
      n: 80,
      events: 28,
      auc,
      aucCiLower: auc - 0.1,
      aucCiUpper: auc + 0.1,
      brier: 0.2,
      calibrationSlope: 1,
      calibrationInLarge: 0,
      roc,
      hosmerLemeshow,
    });
    const out = html('validate', {
      algorithm: 'validate',
      outcome: 'toxicity',
      scoreResolution: 0.001,
      pooled: { ...metrics('pooled', 0.7), n: 240, events: 84, rocMinStep: 10 },
      perCentre: [metrics('A', 0.68), metrics('B', 0.72), metrics('C', 0.7)],
      nodes: ['A', 'B', 'C'],
    });
    expect(out).toContain('ROC curve of toxicity per centre and pooled');
    expect(count(out, 'data-testid="roc-curve"')).toBe(4);
    expect(count(out, 'data-testid="roc-band"')).toBe(4);
    for (const c of ['A', 'B', 'C', 'pooled']) expect(out).toContain(`data-curve="${c}"`);
    // 2 groups for each of 3 centres and pooled, each with its interval
    expect(count(out, 'data-testid="calibration-point"')).toBe(8);
    expect(count(out, 'data-testid="calibration-ci"')).toBe(8);
    expect(count(out, 'data-testid="calibration-band"')).toBe(4);
    expect(out).toContain('AUC 0.68 (0.58–0.78)');
    expect(out).not.toContain('NaN');
  });

  it('draws a survival validation as a table of C per centre and pooled, and a dot-and-CI plot', () => {
    const centre = (name: string, c: number) => ({
      centre: name,
      n: 600,
      events: 340,
      concordance: c,
      stdError: 0.015,
      ciLower: c - 0.0294,
      ciUpper: c + 0.0294,
    });
    const out = html('validate-survival', {
      algorithm: 'validate-survival',
      time: 'months',
      event: 'dead',
      strata: null,
      timeResolution: 3,
      scoreResolution: 0.001,
      scoreBins: 2901,
      pooled: {
        ...centre('pooled', 0.652),
        comparablePairs: 1071202,
        variance: 0.000225,
        concordant: 697993,
        discordant: 372689,
        tiedScore: 520,
        tiedTime: 40789,
        tiedBoth: 23,
      },
      perCentre: [centre('Centre A', 0.641), centre('Centre B', 0.67), centre('Centre C', 0.621)],
      nodes: ['Centre A', 'Centre B', 'Centre C'],
    });
    expect(out).toContain('data-testid="validate-survival-table"');
    expect(count(out, '<tr>')).toBe(1 + 3 + 1);
    expect(out).toContain('<td>0.652</td>');
    expect(count(out, 'data-testid="forest-row"')).toBe(3);
    expect(count(out, 'data-testid="forest-row-pooled"')).toBe(1);
    expect(out).toContain('697993 concordant');
    expect(out).not.toContain('NaN');
    // Uno's C and the time-dependent AUC, when the result has them
    const withUno = html('validate-survival', {
      algorithm: 'validate-survival',
      time: 'months',
      event: 'dead',
      strata: null,
      timeResolution: 0.1,
      timeResolutionBasis: "default from the time column's declared unit and range",
      scoreResolution: 0.001,
      pooled: {
        ...centre('pooled', 0.652),
        concordant: 1,
        discordant: 1,
        tiedScore: 0,
        tiedTime: 0,
        uno: { concordance: 0.645, ciLower: 0.627, ciUpper: 0.663 },
        timeDependentAuc: [
          {
            time: 12,
            timeUsed: 12,
            auc: 0.671,
            cases: 90,
            controls: 1500,
            se: 0.0148,
            lower: 0.642,
            upper: 0.7,
          },
          {
            time: 500,
            timeUsed: null,
            auc: null,
            cases: null,
            controls: null,
            se: null,
            lower: null,
            upper: null,
          },
        ],
      },
      nodes: ['Centre A'],
    });
    expect(withUno).toContain('data-testid="uno-c"');
    expect(withUno).toContain('0.645');
    expect(withUno).toContain('data-testid="td-auc-table"');
    expect(withUno).toContain('<td>0.671</td>');
    expect(withUno).toContain('not estimable');
    // its standard error and 95% CI (validate-survival 1.6.0), blank where the AUC is not estimable
    expect(withUno).toContain('<td>0.0148</td>');
    expect(withUno).toContain('<td>0.642 to 0.7</td>');
    expect(withUno).toContain('data-testid="td-auc-note"');
    expect(withUno).not.toContain('null');
    expect(withUno).not.toContain('NaN');
    expect(withUno).toContain('(default from the time column');
    // pooled only: the table has the pooled row alone, the plot its diamond
    const pooledOnly = html('validate-survival', {
      algorithm: 'validate-survival',
      time: 'months',
      event: 'dead',
      strata: 'centre',
      timeResolution: 1,
      scoreResolution: 0.01,
      pooled: { ...centre('pooled', 0.65), concordant: 1, discordant: 1, tiedScore: 0, tiedTime: 0 },
      nodes: ['A', 'B', 'C'],
    });
    expect(count(pooledOnly, '<tr>')).toBe(1 + 1);
    expect(pooledOnly).toContain('pairs within strata of centre');
    // a model stratified by centre: pairs within each centre, Uno's G per centre
    const byCentre = html('validate-survival', {
      algorithm: 'validate-survival',
      time: 'months',
      event: 'dead',
      strata: null,
      adjustForCentre: true,
      timeResolution: 1,
      scoreResolution: 0.01,
      pooled: {
        ...centre('pooled', 0.65),
        concordant: 1,
        discordant: 1,
        tiedScore: 0,
        tiedTime: 0,
        uno: { concordance: 0.644, ciLower: 0.626, ciUpper: 0.662 },
      },
      nodes: ['A', 'B', 'C'],
    });
    expect(byCentre).toContain('pairs within each centre (a model stratified by centre)');
    expect(byCentre).toContain('with G per centre');
    expect(byCentre).toContain('0.644');
  });

  it('draws quantiles, a t-test and a chi-square test as tables with their statistics', () => {
    const q = html('quantiles', {
      algorithm: 'quantiles',
      column: 'age',
      type: 7,
      n: 900,
      quantiles: [
        { prob: 0.25, value: 55 },
        { prob: 0.5, value: 63 },
      ],
      nodes: ['A', 'B'],
    });
    expect(q).toContain('data-testid="quantiles-table"');
    expect(q).toContain('R type 7');
    const t = html('ttest', {
      algorithm: 'ttest',
      method: 'Welch Two Sample t-test',
      column: 'age',
      group: 'sex',
      groups: [
        { level: 'F', n: 400, mean: 61.2, sd: 9.1 },
        { level: 'M', n: 500, mean: 63.4, sd: 9.8 },
      ],
      statistic: -3.5,
      df: 880.2,
      pValue: 0.0005,
      difference: -2.2,
      ciLower: -3.4,
      ciUpper: -0.97,
      confLevel: 0.95,
      nodes: ['A', 'B'],
    });
    expect(t).toContain('data-testid="ttest-table"');
    expect(t).toContain('95% CI');
    const c = html('chisq', {
      algorithm: 'chisq',
      rowVariable: 'sex',
      colVariable: 'toxicity',
      rows: ['F', 'M'],
      cols: ['0', '1'],
      counts: [
        [300, 100],
        [350, 150],
      ],
      rowTotals: [400, 500],
      colTotals: [650, 250],
      total: 900,
      nodes: ['A', 'B'],
      test: { statistic: 2.1, df: 1, pValue: 0.15, yates: true, expected: [] },
    });
    expect(c).toContain('data-testid="crosstab-table"');
    expect(c).toContain('Yates continuity correction');
  });
  it("shows a result's coded warnings under its view", () => {
    const out = html('glm', {
      formula: 'sep ~ x',
      family: 'binomial',
      coefficients: [{ term: 'x', estimate: 31, stdError: 67000, statistic: 0, pValue: 1 }],
      deviance: 0,
      nullDeviance: 400,
      aic: 6,
      dfResidual: 297,
      n: 300,
      nodes: ['A'],
      converged: false,
      warnings: [{ code: 'FH_WARN_SEPARATION', message: 'fitted probabilities numerically 0 or 1 occurred' }],
    });
    expect(out).toContain('FH_WARN_SEPARATION');
    expect(out).toContain('fitted probabilities numerically 0 or 1 occurred');
    expect(html('glm', { coefficients: [], nodes: [] })).not.toContain('warnings');
  });
  it("shows a GLM's theta, robust standard errors and likelihood-ratio tests", () => {
    const coef = {
      term: 'x',
      estimate: 0.3,
      stdError: 0.03,
      statistic: 10,
      pValue: 1e-20,
      ciLower: 0.24,
      ciUpper: 0.36,
    };
    const out = html('glm', {
      formula: 'y ~ x',
      family: 'negative.binomial',
      link: 'log',
      coefficients: [coef],
      deviance: 1500,
      nullDeviance: 1900,
      aic: 6000,
      dfResidual: 1448,
      n: 1450,
      nodes: ['A', 'B', 'C'],
      theta: 1.7085,
      seTheta: 0.1126,
      robust: {
        type: 'cluster-centre',
        clusters: 3,
        covariance: [0.0016],
        coefficients: [{ ...coef, stdError: 0.04 }],
      },
      anova: [{ term: 'x', df: 1, deviance: 400, residDf: 1448, residDeviance: 1500, pValue: 1e-30 }],
    });
    expect(out).toContain('Negative binomial theta 1.7085');
    expect(out).toContain('data-testid="glm-robust-table"');
    expect(out).toContain('the centre as the cluster (3 clusters)');
    expect(out).toContain('data-testid="glm-anova-table"');
    expect(html('glm', { coefficients: [], nodes: [] })).not.toContain('glm-anova-table');
  });
  it("shows coxph's per-term Wald tests and the proportional-hazards test", () => {
    const out = html('coxph', {
      formula: 'Surv(months, dead) ~ age',
      ties: 'efron',
      coefficients: [
        {
          term: 'age',
          estimate: 0.03,
          stdError: 0.005,
          pValue: 1e-8,
          hazardRatio: 1.03,
          hrLower: 1.02,
          hrUpper: 1.04,
          z: 6,
        },
      ],
      loglik: [-100, -90],
      likelihoodRatio: { statistic: 20, df: 1, pValue: 1e-5 },
      concordance: { value: 0.6 },
      n: 100,
      events: 40,
      nodes: ['A'],
      termTests: [{ term: 'age', chisq: 36, df: 1, pValue: 2e-9 }],
      proportionalHazards: {
        transform: 'km',
        table: [
          { term: 'age', chisq: 0.5, df: 1, pValue: 0.48 },
          { term: 'GLOBAL', chisq: 0.5, df: 1, pValue: 0.48 },
        ],
      },
    });
    expect(
      html('coxph', {
        formula: 'f',
        coefficients: [],
        likelihoodRatio: { statistic: 1, df: 1, pValue: 0.3 },
        concordance: { value: 0.5 },
        n: 1,
        events: 1,
        nodes: [],
        timeResolution: 0.25,
      }),
    ).toContain('multiples of 0.25');
    expect(out).toContain('data-testid="cox-term-tests"');
    expect(out).toContain('cox.zph, transform &quot;km&quot;');
    expect(out).toContain('GLOBAL');
  });
  it("shows coxph's robust standard errors and its predicted survival curves with merged intervals dashed", () => {
    const out = html('coxph', {
      formula: 'Surv(months, dead) ~ age',
      ties: 'efron',
      coefficients: [
        {
          term: 'age',
          estimate: 0.03,
          stdError: 0.005,
          pValue: 1e-8,
          hazardRatio: 1.03,
          hrLower: 1.02,
          hrUpper: 1.04,
          z: 6,
        },
      ],
      likelihoodRatio: { statistic: 20, df: 1, pValue: 1e-5 },
      concordance: { value: 0.6 },
      n: 100,
      events: 40,
      nodes: ['A', 'B', 'C'],
      robust: {
        cluster: 'centre',
        clusters: 3,
        coefficients: [
          { term: 'age', robustSe: 0.004, z: 7.5, pValue: 6e-14, hrLower: 1.022, hrUpper: 1.038 },
        ],
        wald: { statistic: 56.25, df: 1, pValue: 6e-14 },
        score: { statistic: 40.5, df: 1, pValue: 2e-10 },
      },
      survivalCurves: {
        confLevel: 0.95,
        minCellCount: 5,
        mergedTimes: 1,
        curves: [
          {
            label: 'age=60',
            stratum: null,
            start: [0, 2],
            time: [2, 5],
            coarsened: [false, true],
            nEvent: [6, 7],
            surv: [0.95, 0.9],
            stdErr: [0.02, 0.03],
            lower: [0.91, 0.85],
            upper: [0.99, 0.95],
          },
        ],
      },
    });
    expect(out).toContain('data-testid="cox-robust"');
    expect(out).toContain('the centre as the cluster, 3 clusters');
    expect(out).toContain('robust score test 40.5 on 1 df');
    expect(out).toContain('data-testid="cox-curves-plot"');
    expect(out.match(/data-testid="cox-merged-interval"/g)?.length).toBe(1);
    expect(out).toContain('times 2 to 5 merged');
    expect(out).toContain('data-testid="cox-merged-note"');
    // the x axis is labelled with the time column
    expect(out).toContain('>months<');
  });
});
