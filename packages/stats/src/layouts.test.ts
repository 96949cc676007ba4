import { describe, expect, it } from 'vitest';
import { coxCenterLocalPartial, coxCenterPartialLayout } from './cox/partial.js';
import { histogramLocalPartial, histogramPartialLayout } from './descriptive/histogram.js';
import {
  shiftedMomentsLocalPartial,
  shiftedMomentsPartialLayout,
  sumLocalPartial,
  sumPartialLayout,
} from './descriptive/moments.js';
import { countAtMostLocalPartial, countAtMostPartialLayout } from './descriptive/quantiles.js';
import { glmNullDevianceLocalPartial, glmNullDeviancePartialLayout } from './glm/partial.js';
import { survivalCountsLayout, survivalCountsLocalPartial } from './km/counts.js';
import { layoutSize, type PartialLayout, unflattenPartial } from './partial.js';
import { aucLocalPartial, aucPartialLayout } from './validation/auc.js';
import {
  brierLocalPartial,
  brierPartialLayout,
  hosmerLemeshowLocalPartial,
  hosmerLemeshowPartialLayout,
} from './validation/brier-hl.js';

const x = Float64Array.from([0.2, 0.4, 0.4, 0.9]);
const y = Float64Array.from([0, 1, 0, 1]);

describe('every local partial is a flat vector matching its declared layout', () => {
  const cases: [string, Float64Array, PartialLayout][] = [
    ['sum', sumLocalPartial(x), sumPartialLayout()],
    ['shifted moments', shiftedMomentsLocalPartial(x, 0.5), shiftedMomentsPartialLayout()],
    ['histogram', histogramLocalPartial(x, Float64Array.from([0, 0.5, 1])), histogramPartialLayout(2)],
    [
      'count at most',
      countAtMostLocalPartial(x, Float64Array.from([0.3, 0.4, 0.5])),
      countAtMostPartialLayout(3),
    ],
    [
      'glm null deviance',
      glmNullDevianceLocalPartial({ n: 4, y, weights: null }, 'binomial', 0.5),
      glmNullDeviancePartialLayout(),
    ],
    ['cox centre', coxCenterLocalPartial({ x, n: 2, p: 2, time: x, event: y }), coxCenterPartialLayout(2)],
    [
      'survival counts',
      survivalCountsLocalPartial(x, y, null, 1, Float64Array.from([0.2, 0.4, 0.9])),
      survivalCountsLayout(3, 1),
    ],
    [
      'auc',
      aucLocalPartial(y, x, { min: 0, width: 0.1, bins: 11 }),
      aucPartialLayout({ min: 0, width: 0.1, bins: 11 }),
    ],
    ['brier', brierLocalPartial(y, x), brierPartialLayout()],
    [
      'hosmer-lemeshow',
      hosmerLemeshowLocalPartial(y, x, Float64Array.from([0, 0.5, 1])),
      hosmerLemeshowPartialLayout(2),
    ],
  ];
  for (const [name, part, layout] of cases) {
    it(name, () => {
      expect(part).toBeInstanceOf(Float64Array);
      expect(part.length).toBe(layoutSize(layout));
      expect(() => unflattenPartial(layout, part)).not.toThrow();
    });
  }
  it('hand-checked values of the small partials', () => {
    expect([...brierLocalPartial(y, x)]).toEqual(
      [0.04 + 0.36 + 0.16 + 0.01, 4].map((v, i) => (i === 0 ? expect.closeTo(v, 15) : v)),
    );
    expect([...countAtMostLocalPartial(x, Float64Array.from([0.3, 0.4, 0.5]))]).toEqual([1, 3, 3]);
    expect([...hosmerLemeshowLocalPartial(y, x, Float64Array.from([0, 0.5, 1]))]).toEqual([
      3,
      1,
      expect.closeTo(1, 15),
      1,
      1,
      0.9,
    ]);
  });
});
