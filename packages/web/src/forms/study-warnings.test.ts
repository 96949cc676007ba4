import { describe, expect, it } from 'vitest';
import { emptyDraft } from './study-draft.js';
import { effectiveMinNodes, sameTitle, studyWarnings } from './study-warnings.js';

const draft = (over: Partial<ReturnType<typeof emptyDraft>>) => ({ ...emptyDraft(), ...over });

describe('study warnings', () => {
  it('warns when the minimum number of nodes is below the node floor', () => {
    const d = draft({ nodeIds: ['a', 'b', 'c', 'd'], minNodes: '2' });
    expect(studyWarnings(d, '2026-12-07')).toEqual([
      expect.stringMatching(/^Minimum nodes 2 is below the node floor of 3/),
    ]);
    expect(studyWarnings({ ...d, minNodes: '3' }, '2026-12-07')).toEqual([]);
    expect(studyWarnings({ ...d, minNodes: '' }, '2026-12-07')).toEqual([]);
    expect(effectiveMinNodes(draft({ nodeIds: ['a', 'b'] }))).toBe(2);
  });
  it('warns about too few nodes and a period already over', () => {
    const w = studyWarnings(draft({ nodeIds: ['a', 'b'], endsAt: '2026-01-31' }), '2026-12-07');
    expect(w).toHaveLength(3);
    expect(w[1]).toMatch(/Only 2 node\(s\)/);
    expect(w[2]).toMatch(/ended on 2026-01-31/);
  });
  it('finds a duplicate title in the same collaboration only, ignoring case and spaces', () => {
    const studies = [
      { id: 's1', title: 'Toxicity after RT', collaborationId: 'c1' },
      { id: 's2', title: 'Survival', collaborationId: 'c2' },
    ];
    expect(sameTitle(studies, 'c1', '  toxicity  after rt ')?.id).toBe('s1');
    expect(sameTitle(studies, 'c1', 'Survival')).toBeUndefined();
    expect(sameTitle(studies, 'c1', 'Toxicity after RT', 's1')).toBeUndefined();
  });
});
