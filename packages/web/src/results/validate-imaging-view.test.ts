// Server-side renders of the validate-imaging view: Dice and surface Dice with 3 decimals (never "1" for a
// score below 1), HD95 in mm with 1 decimal. Expected strings are R's: formatC(x, format = "f", digits = k).
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ResultView } from './result-view.js';

const metric = (mean: number, sd: number, q1: number, median: number, q3: number) => ({
  n: 18,
  mean,
  sd,
  q1,
  median,
  q3,
  below: [],
  intervals: [],
});

/** The cells of the table row whose header is `name`. */
function row(html: string, name: string): string[] {
  const m = new RegExp(`<tr><th scope="row">${name}</th>(.*?)</tr>`).exec(html);
  expect(m, `a row "${name}" in ${html}`).not.toBeNull();
  return [...m![1]!.matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1]!);
}

describe('validate-imaging view', () => {
  it('shows Dice and surface Dice with 3 decimals and HD95 with 1', () => {
    const result = {
      algorithm: 'validate-imaging',
      task: 'segmentation',
      model: { registered: 'gtv-seg@2' },
      cases: { processed: 18, excluded: [] },
      segmentation: {
        // a mean Dice of 0.99962 printed "1" with 3 significant digits
        dice: metric(0.99962, 0.00041, 0.6875, 0.97349, 1),
        hd95: metric(4.25, 12.349, 0.6875, 0.825, 0.9625),
        surfaceDice: [{ tolerance: 2, metric: metric(0.8333, 0.1, 0.6875, 0.825, 0.9625) }],
        emptyPredictions: 0,
      },
      nodes: ['A', 'B', 'C'],
    };
    const out = renderToStaticMarkup(createElement(ResultView, { algorithm: 'validate-imaging', result }));
    // R: "1.000" at 3 decimals, "0.9996" at 4: a score below 1 is never shown as 1
    expect(row(out, 'Dice')).toEqual(['18', '0.9996', '0.0004', '0.973', '0.688 to 1.000', '']);
    expect(row(out, 'HD95 \\(mm\\)')).toEqual(['18', '4.2', '12.3', '0.8', '0.7 to 1.0', '']);
    expect(row(out, 'surface Dice at 2 mm')).toEqual(['18', '0.833', '0.100', '0.825', '0.688 to 0.963', '']);
  });
});
