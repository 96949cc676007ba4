import { describe, expect, it } from 'vitest';
import { type buildModelCard, readableDate, readableNumber, renderModelCardHtml } from './card.js';

type Card = ReturnType<typeof buildModelCard>;

const card = {
  model: { name: 'toxicity', version: 1, kind: 'glm', createdAt: '2026-12-07T16:40:20.123Z' },
  intendedUse: 'Risk of grade 2+ toxicity',
  description: null,
  specification: {
    formula: 'toxicity ~ dose_gy',
    family: 'binomial',
    link: 'logit',
    ties: null,
    coefficients: [
      { term: '(Intercept)', estimate: -2.5, stdError: 0.41 },
      { term: 'dose_gy', estimate: -0.0000041, stdError: 0.012 },
    ],
  },
  provenance: {
    studyId: 's',
    taskId: 't',
    algorithm: { name: 'glm', version: '1.3.0', digest: 'd' },
    dataset: 'cohort',
    nodes: [],
  },
  trainingData: { n: 1200, nEvents: 310, deviance: 1159.1042406142994, nullDeviance: 1201.5 },
  performance: [],
  calibration: [
    {
      validationTaskId: 'v',
      groups: [
        { n: 100, expected: 10, observed: 12 },
        { n: 100, expected: 30, observed: 28 },
      ],
    },
  ],
  limitations: ['Not yet validated at any centre outside its training.'],
} as unknown as Card;

describe('the model card as people read it (issue 20)', () => {
  it('formats summary numbers and dates', () => {
    expect(readableNumber(1159.1042406142994)).toBe('1159.1');
    expect(readableNumber(1200)).toBe('1200');
    expect(readableNumber(-0.0000001)).toBe('-1e-7');
    expect(readableDate('2026-12-07T16:40:20.123Z')).toBe('7 December 2026, 16:40 UTC');
    expect(readableDate('not a date')).toBe('not a date');
  });

  it('renders no raw float, no negative zero, no ISO date, and a calibration plot with tick labels', () => {
    const html = renderModelCardHtml(card);
    expect(html).not.toContain('1159.1042406142994');
    expect(html).toContain('<th>deviance</th><td>1159.1</td>');
    expect(html).toContain('<th>n events</th><td>310</td>');
    expect(html).not.toMatch(/-0\.0+</);
    expect(html).toContain('<td>dose_gy</td><td>0.0000</td>');
    expect(html).toContain('registered on 7 December 2026, 16:40 UTC');
    expect(html).not.toContain('2026-12-07T16:40');
    for (const label of ['>0<', '>0.25<', '>0.50<', '>0.75<', '>1<']) expect(html).toContain(label);
    expect(html.match(/<circle /g)).toHaveLength(2);
  });
});
