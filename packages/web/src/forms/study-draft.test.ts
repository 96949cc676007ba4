import type { AlgorithmInfo, DataDictionary } from '@fedhub/protocol';
import { CreateStudyRequestSchema } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import {
  draftOf,
  emptyDraft,
  STEPS,
  type StudyDraft,
  stepErrors,
  toRequest,
  validateDraft,
} from './study-draft.js';

const cohort: DataDictionary = {
  name: 'cohort',
  columns: [
    { name: 'age', type: 'numeric', unit: 'a' },
    { name: 'dose_gy', type: 'numeric', unit: 'Gy' },
    { name: 'toxicity', type: 'boolean' },
  ],
};
const algos = [
  { name: 'summary', version: '1.1.0' },
  { name: 'glm', version: '1.0.0' },
] as AlgorithmInfo[];

const N1 = '1b0a3b9e-4a51-4c1e-9d55-0c8f2b9a1f11';
const N2 = '2b0a3b9e-4a51-4c1e-9d55-0c8f2b9a1f12';
const N3 = '3b0a3b9e-4a51-4c1e-9d55-0c8f2b9a1f13';

function complete(): StudyDraft {
  return {
    ...emptyDraft(),
    collaborationId: '7b0a3b9e-4a51-4c1e-9d55-0c8f2b9a1f10',
    title: 'Toxicity after RT',
    purpose: 'Dose-response of toxicity',
    legalBasis: ['art6-1e-public-interest', 'art9-2j-research'],
    ethicsApprovalRef: 'EC-2026-014',
    nodeIds: [N1, N2, N3],
    variables: { cohort: ['dose_gy', 'age'] },
    algorithms: ['glm', 'summary'],
    minNodes: '2',
    startsAt: '2026-01-01',
    endsAt: '2026-12-31',
  };
}

describe('study draft', () => {
  it('an empty draft has a message for each required field, in step order', () => {
    const e = validateDraft(emptyDraft());
    expect(Object.keys(e)).toEqual([
      'collaborationId',
      'title',
      'purpose',
      'legalBasis',
      'nodeIds',
      'variables',
      'algorithms',
    ]);
    // every message belongs to exactly one step
    const owned = STEPS.flatMap((s) => s.fields as readonly string[]);
    for (const k of Object.keys(e)) expect(owned).toContain(k);
  });

  it('a complete draft passes and becomes a request the protocol accepts', () => {
    const d = complete();
    expect(validateDraft(d)).toEqual({});
    const req = toRequest(d, [cohort], algos);
    expect(req.variables).toEqual([{ dataset: 'cohort', columns: ['age', 'dose_gy'] }]);
    expect(req.algorithms).toEqual([{ name: 'glm' }, { name: 'summary' }]);
    expect(req.minNodes).toBe(2);
    const parsed = CreateStudyRequestSchema.safeParse(req);
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('pins versions when asked and drops variables no chosen node publishes', () => {
    const d = { ...complete(), pinVersions: true, variables: { cohort: ['age', 'gone'], other: ['x'] } };
    const req = toRequest(d, [cohort], algos);
    expect(req.algorithms).toEqual([
      { name: 'glm', version: '1.0.0' },
      { name: 'summary', version: '1.1.0' },
    ]);
    expect(req.variables).toEqual([{ dataset: 'cohort', columns: ['age'] }]);
  });

  it('needs an Art. 6 basis and an Art. 9 condition, and an ethics reference for research', () => {
    expect(validateDraft({ ...complete(), legalBasis: ['art9-2j-research'] }).legalBasis).toMatch(/Art\. 6/);
    expect(validateDraft({ ...complete(), legalBasis: ['art6-1a-consent'] }).legalBasis).toMatch(/Art\. 9/);
    expect(validateDraft({ ...complete(), ethicsApprovalRef: ' ' }).ethicsApprovalRef).toMatch(/ethics/);
    expect(
      validateDraft({
        ...complete(),
        legalBasis: ['art6-1a-consent', 'art9-2a-explicit-consent'],
        ethicsApprovalRef: '',
      }).ethicsApprovalRef,
    ).toBeUndefined();
  });

  it('checks the period and the minimum number of nodes against the chosen nodes', () => {
    expect(validateDraft({ ...complete(), endsAt: '2025-12-31' }).endsAt).toMatch(/before the start/);
    expect(validateDraft({ ...complete(), startsAt: '2026-02-30x' }).startsAt).toMatch(/YYYY-MM-DD/);
    expect(validateDraft({ ...complete(), minNodes: '4' }).minNodes).toMatch(/At most 3/);
    expect(validateDraft({ ...complete(), minNodes: '0' }).minNodes).toMatch(/at least 1/);
    expect(validateDraft({ ...complete(), minNodes: '1.5' }).minNodes).toBeDefined();
    // left empty: 3, or fewer when the study has fewer nodes
    expect(toRequest({ ...complete(), minNodes: '', nodeIds: [N1, N2] }, [cohort], algos).minNodes).toBe(2);
  });

  it('reports only the fields of the step asked', () => {
    const e = stepErrors({ ...emptyDraft(), title: 'ok title' }, 0);
    expect(Object.keys(e)).toEqual(['collaborationId', 'purpose']);
    expect(Object.keys(stepErrors(emptyDraft(), 3))).toEqual([]);
  });

  it('an existing study becomes a draft that gives the same request back (edit without changes)', () => {
    const req = toRequest({ ...complete(), pinVersions: true }, [cohort], algos);
    const study = {
      ...CreateStudyRequestSchema.parse(req),
      id: '9b0a3b9e-4a51-4c1e-9d55-0c8f2b9a1f19',
      nodeIds: req.nodeIds ?? [],
      status: 'active' as const,
      stoppedAt: null,
      createdBy: N1,
      owner: null,
      createdAt: '2026-11-29T00:00:00.000Z',
      updatedAt: '2026-11-29T00:00:00.000Z',
    };
    expect(toRequest(draftOf(study), [cohort], algos)).toEqual(req);
  });
});
