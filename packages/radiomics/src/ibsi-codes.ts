/**
 * Four-letter IBSI identifiers of the features whose codes this package records, keyed by the base tag
 * (without aggregation suffix). Features missing here have `code` undefined.
 */
export const ibsiCodes: Readonly<Record<string, string>> = {
  morph_volume: 'RNU0',
  morph_vol_approx: 'YEKZ',
  morph_area_mesh: 'C0JK',
  morph_av: '2PR5',
  morph_comp_1: 'SKGS',
  morph_comp_2: 'BQWJ',
  morph_sph_dispr: 'KRCK',
  morph_sphericity: 'QCFX',
  morph_asphericity: '25C7',
  morph_com: 'KLMA',
  morph_diam: 'L0JK',
};

/** IBSI code of a feature tag (aggregation suffix such as `_3D_comb` or `_2_5D` ignored), if recorded. */
export function ibsiCode(tag: string): string | undefined {
  const base = tag.replace(/_(2D|2_5D|3D)(_avg|_comb)?$/, '');
  return ibsiCodes[base];
}
