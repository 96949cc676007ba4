import type { Study } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { diffStudies } from './study-diff.js';

const base: Study = {
  id: '6f1d3c9e-2a4b-4c5d-8e7f-0a1b2c3d4e5f',
  collaborationId: '99999999-9999-4999-8999-999999999999',
  title: 'T',
  purpose: 'Dose and toxicity',
  legalBasis: ['art6-1e-public-interest', 'art9-2j-research'],
  legalBasisNote: '',
  ethicsApprovalRef: 'E1',
  dpiaRef: 'D1',
  dataCategories: ['health'],
  dataSubjectCategories: ['patients'],
  variables: [{ dataset: 'cohort', columns: ['age', 'sex'] }],
  algorithms: [{ name: 'summary' }, { name: 'glm', version: '1.0.0' }],
  nodeIds: ['11111111-1111-4111-8111-111111111111'],
  minNodes: 3,
  startsAt: '2026-01-01',
  endsAt: '2026-12-31',
  releasePerNodeBreakdown: false,
  controller: null,
  dpo: null,
  recipients: [],
  retention: null,
  status: 'active',
  stoppedAt: null,
  createdBy: '88888888-8888-4888-8888-888888888888',
  owner: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('diffStudies', () => {
  it('names each widening', () => {
    const d = diffStudies(base, {
      ...base,
      variables: [
        { dataset: 'cohort', columns: ['sex', 'age', 'bmi'] },
        { dataset: 'ct_dose', columns: ['dlp_mgycm'] },
      ],
      algorithms: [{ name: 'summary' }, { name: 'glm' }, { name: 'km' }],
      nodeIds: [...base.nodeIds, '22222222-2222-4222-8222-222222222222'],
      minNodes: 2,
      startsAt: null,
      endsAt: '2027-06-30',
      dataCategories: ['health', 'imaging'],
    });
    expect(d.widened.map((w) => `${w.field}: ${w.detail}`)).toEqual([
      'variables: added cohort: bmi',
      'variables: added ct_dose: dlp_mgycm',
      'algorithms: added glm (any version)',
      'algorithms: added km (any version)',
      'nodeIds: added node 22222222-2222-4222-8222-222222222222',
      'minNodes: lowered from 3 to 2',
      'startsAt: moved from 2026-01-01 to no start date',
      'endsAt: moved from 2026-12-31 to 2027-06-30',
      'dataCategories: added imaging',
    ]);
  });

  it('records narrowings and reorderings as changes, not widenings', () => {
    const d = diffStudies(base, {
      ...base,
      variables: [{ dataset: 'cohort', columns: ['sex'] }],
      algorithms: [{ name: 'glm', version: '1.0.0' }],
      minNodes: 5,
      endsAt: '2026-06-30',
      dpiaRef: 'D2',
    });
    expect(d.changed).toEqual(['dpiaRef', 'variables', 'algorithms', 'minNodes', 'endsAt']);
    expect(d.widened).toEqual([]);
    expect(diffStudies(base, { ...base }).changed).toEqual([]);
  });
});
