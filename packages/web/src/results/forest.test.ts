import { describe, expect, it } from 'vitest';
import { coxForestRows, glmCentreForestRows, glmForestRows } from './forest.js';

describe('forest rows', () => {
  const coefs = [
    { term: '(Intercept)', estimate: -9, stdError: 1, pValue: 0, ciLower: -11, ciUpper: -7 },
    {
      term: 'dose_gy',
      estimate: Math.log(1.2),
      stdError: 0.05,
      pValue: 0.001,
      ciLower: Math.log(1.1),
      ciUpper: Math.log(1.3),
    },
  ];
  it('drops the intercept and gives odds ratios for a logit model', () => {
    const rows = glmForestRows(coefs, true);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.estimate).toBeCloseTo(1.2, 12);
    expect(rows[0]!.lower).toBeCloseTo(1.1, 12);
    expect(rows[0]!.upper).toBeCloseTo(1.3, 12);
    expect(glmForestRows(coefs, false)[0]!.estimate).toBeCloseTo(Math.log(1.2), 12);
  });
  it('uses the Wald interval when the CI is missing', () => {
    const [r] = coxForestRows([{ term: 'age', estimate: 0.03, stdError: 0.01, pValue: 0.01 }]);
    expect(r!.estimate).toBeCloseTo(Math.exp(0.03), 12);
    expect(r!.lower).toBeCloseTo(Math.exp(0.03 - 1.959963984540054 * 0.01), 12);
  });
});

describe('glmCentreForestRows', () => {
  const coef = (term: string, estimate: number) => ({
    term,
    estimate,
    stdError: 0.1,
    pValue: 0.01,
    ciLower: estimate - 0.196,
    ciUpper: estimate + 0.196,
  });
  it('gives each term its centres then the pooled row, skipping centres that could not fit', () => {
    const rows = glmCentreForestRows(
      [coef('(Intercept)', -5), coef('dose_gy', 0.05), coef('sexM', 0.3)],
      [
        {
          centre: 'A',
          n: 600,
          coefficients: [coef('(Intercept)', -5.8), coef('dose_gy', 0.054), coef('sexM', 0.31)],
        },
        { centre: 'B', n: 40, error: 'not estimable at this centre' },
        {
          centre: 'C',
          n: 500,
          coefficients: [coef('(Intercept)', -4.9), coef('dose_gy', 0.041), coef('sexM', 0.2)],
        },
      ],
      true,
    );
    expect(rows.map((r) => r.label)).toEqual([
      'dose_gy · A',
      'dose_gy · C',
      'dose_gy · pooled',
      'sexM · A',
      'sexM · C',
      'sexM · pooled',
    ]);
    expect(rows.filter((r) => r.pooled).map((r) => r.term)).toEqual(['dose_gy', 'sexM']);
    expect(rows[0]!.estimate).toBeCloseTo(Math.exp(0.054), 12);
    expect(rows[0]!.lower).toBeCloseTo(Math.exp(0.054 - 0.196), 12);
  });
});

describe('reference levels', () => {
  it('adds each factor reference level above its coefficients and names the levels', async () => {
    const { withReferenceLevels } = await import('./forest.js');
    const rows = glmForestRows(
      [
        { term: '(Intercept)', estimate: -1, stdError: 0.2, pValue: 0.1 },
        { term: 'age', estimate: 0.02, stdError: 0.01, pValue: 0.05 },
        { term: 'stageII', estimate: 0.4, stdError: 0.2, pValue: 0.04 },
        { term: 'stageIII', estimate: 0.9, stdError: 0.3, pValue: 0.01 },
      ],
      true,
    );
    const out = withReferenceLevels(rows, { stage: ['I', 'II', 'III'] }, 1);
    expect(out.map((r) => r.label ?? r.term)).toEqual(['age', 'stage: I', 'stage: II', 'stage: III']);
    expect(out[1]).toMatchObject({ reference: true, estimate: 1, lower: 1, upper: 1 });
    expect(withReferenceLevels(rows, undefined, 1)).toEqual(rows);
    // factor(stage) in the formula: R names the coefficients factor(stage)II
    const wrapped = rows.map((r) => ({ ...r, term: r.term.replace(/^stage/, 'factor(stage)') }));
    expect(
      withReferenceLevels(wrapped, { stage: ['I', 'II', 'III'] }, 1).map((r) => r.label ?? r.term),
    ).toEqual(['age', 'stage: I', 'stage: II', 'stage: III']);
  });
});
