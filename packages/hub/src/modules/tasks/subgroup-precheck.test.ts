import { describe, expect, it } from 'vitest';
import { refuseSubgroupOutsideStudy } from './subgroup-precheck.js';

describe('refuseSubgroupOutsideStudy', () => {
  it('refuses a subgroup where the study does not allow subgroup analyses, with the rule named', () => {
    for (const releaseSubgroupAnalyses of [false, undefined])
      expect(() =>
        refuseSubgroupOutsideStudy({ id: 's', releaseSubgroupAnalyses }, { subgroup: 'sex' }),
      ).toThrow(expect.objectContaining({ code: 'FH_ERR_OUTSIDE_STUDY' }));
  });
  it('lets it through where the study allows them, and tasks without a subgroup anywhere', () => {
    expect(() =>
      refuseSubgroupOutsideStudy({ id: 's', releaseSubgroupAnalyses: true }, { subgroup: 'sex' }),
    ).not.toThrow();
    expect(() =>
      refuseSubgroupOutsideStudy({ id: 's', releaseSubgroupAnalyses: false }, { dataset: 'c' }),
    ).not.toThrow();
    expect(() => refuseSubgroupOutsideStudy({ id: 's' }, null)).not.toThrow();
  });
});
