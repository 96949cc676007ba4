// Server-side render of a validation's subgroup table: per level the AUC, Brier, O/E and (validate 1.6.0 on)
// the calibration slope and in the large with their Wald CIs; older results without them show n/a.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { SubgroupTable } from './subgroup-table.js';
import type { SubgroupRow } from './types.js';

const row = (level: string, extra: Partial<SubgroupRow> = {}): SubgroupRow => ({
  level,
  n: 300,
  events: 90,
  auc: 0.71,
  aucCiLower: 0.65,
  aucCiUpper: 0.77,
  brier: 0.19,
  observedExpected: 0.98,
  ...extra,
});
const html = (levels: SubgroupRow[]) =>
  renderToStaticMarkup(createElement(SubgroupTable, { g: { column: 'sex', levels, centresWithheld: 0 } }));

describe('SubgroupTable', () => {
  it('shows each level calibration slope and in the large with their Wald CIs', () => {
    const out = html([
      row('F', {
        calibrationSlope: 1.184,
        calibrationSlopeCiLower: 0.785,
        calibrationSlopeCiUpper: 1.583,
        calibrationInLarge: -0.617,
        calibrationInLargeCiLower: -0.797,
        calibrationInLargeCiUpper: -0.438,
      }),
    ]);
    expect(out).toContain('calibration slope (95% CI, Wald)');
    expect(out).toContain('1.18 (0.79 to 1.58)');
    expect(out).toContain('-0.62 (-0.80 to -0.44)');
  });

  it('a level without calibration fits (older result, or not fitted) shows them as missing', () => {
    const out = html([row('M', { calibrationSlope: null })]);
    expect(out).toContain('data-testid="subgroup-table"');
    expect(out).not.toContain('NaN');
    expect(out).not.toContain('undefined');
  });
});
