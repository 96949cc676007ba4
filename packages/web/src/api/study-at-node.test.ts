import type { ApprovalDecision, ApprovalState, PendingApproval } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { pendingKey, studyAtNode, visiblePendingGroups } from './study-at-node.js';

const N = 'node-1';
const S = 'study-1';
let seq = 0;
const decision = (
  d: ApprovalDecision['decision'],
  createdAt: string,
  ack: ApprovalDecision['ack'],
  more: Partial<ApprovalDecision> = {},
): ApprovalDecision => ({
  id: `d${++seq}`,
  nodeId: N,
  studyId: S,
  decision: d,
  algorithm: null,
  version: null,
  digest: null,
  reason: d === 'approve' ? null : 'ethics pending',
  decidedBy: { userId: 'a1', username: 'nina', organisationId: 'o1', roles: ['node-admin'] },
  createdAt,
  signature: 'sig',
  ack,
  ...more,
});
const applied = (at: string) => ({ applied: true, reason: null, at });
const state = (...decisions: ApprovalDecision[]): ApprovalState => ({ pending: [], decisions });

describe("a study's state at a node", () => {
  it('is open with no decision, and open with the version approvals when only versions were decided', () => {
    expect(studyAtNode(state(), N, S)).toEqual({ current: { state: 'open', lifted: null }, unapplied: null });
    const v = decision('approve', '2026-01-01T10:00:00Z', applied('x'), {
      algorithm: 'glm',
      version: '1.0.0',
    });
    expect(studyAtNode(state(v), N, S).current.state).toBe('open');
  });

  it('is denied once the node applied a deny, even with versions approved before it', () => {
    const s = state(
      decision('approve', '2026-01-01T10:00:00Z', applied('x'), { algorithm: 'glm', version: '1.0.0' }),
      decision('deny', '2026-01-02T10:00:00Z', applied('x')),
    );
    expect(studyAtNode(s, N, S).current).toEqual({
      state: 'denied',
      by: 'nina',
      at: '2026-01-02T10:00:00Z',
      reason: 'ethics pending',
    });
  });

  it('says a recorded deny is not in force until the node applies it, and not at all when rejected', () => {
    const waiting = studyAtNode(state(decision('deny', '2026-01-02T10:00:00Z', null)), N, S);
    expect(waiting.current.state).toBe('open');
    expect(waiting.unapplied).toMatchObject({ decision: 'deny', status: 'not yet' });
    const rejected = studyAtNode(
      state(decision('deny', '2026-01-02T10:00:00Z', { applied: false, reason: 'not signed', at: 'x' })),
      N,
      S,
    );
    expect(rejected.current.state).toBe('open');
    expect(rejected.unapplied).toMatchObject({ decision: 'deny', status: 'rejected', note: 'not signed' });
  });

  it('is open again after the deny is lifted, and says who lifted it', () => {
    const s = state(
      decision('deny', '2026-01-02T10:00:00Z', applied('x')),
      decision('approve', '2026-01-03T10:00:00Z', applied('x'), {
        decidedBy: { userId: 'a2', username: 'olga', organisationId: 'o1', roles: ['node-admin'] },
      }),
    );
    expect(studyAtNode(s, N, S)).toEqual({
      current: { state: 'open', lifted: { by: 'olga', at: '2026-01-03T10:00:00Z' } },
      unapplied: null,
    });
  });

  it('stays stopped whatever comes after a stop, and ignores other nodes and studies', () => {
    const s = state(
      decision('stop', '2026-01-02T10:00:00Z', applied('x')),
      decision('approve', '2026-01-03T10:00:00Z', applied('x')),
      decision('deny', '2026-01-04T10:00:00Z', applied('x'), { nodeId: 'node-2' }),
      decision('deny', '2026-01-04T10:00:00Z', applied('x'), { studyId: 'study-2' }),
    );
    expect(studyAtNode(s, N, S).current.state).toBe('stopped');
    expect(studyAtNode(s, 'node-2', S).current.state).toBe('denied');
  });
});

describe('the inbox after a decision', () => {
  const held = (algorithm: string): PendingApproval => ({
    runId: `r-${algorithm}`,
    taskId: 't',
    nodeId: N,
    nodeName: 'Hospital A',
    studyId: S,
    studyTitle: 'Toxicity',
    algorithm,
    version: '1.0.0',
    digest: 'd',
    params: {},
    variables: [],
    reason: 'manual',
    requester: null,
    since: '2026-01-01T09:00:00Z',
  });
  const groups = [[held('glm')], [held('km')]];

  it('hides a decided group at once and keeps the others', () => {
    const decided = new Map([[pendingKey(held('glm')), ['d-sent']]]);
    expect(visiblePendingGroups(groups, decided, []).map((g) => g[0]?.algorithm)).toEqual(['km']);
  });

  it('shows it again when the node rejected the decision sent for it, not for another rejection', () => {
    const decided = new Map([[pendingKey(held('glm')), ['d-sent']]]);
    const rejected = (id: string) =>
      decision(
        'approve',
        '2026-01-05T10:00:00Z',
        { applied: false, reason: 'not signed', at: 'x' },
        { id, algorithm: 'glm', version: '1.0.0' },
      );
    expect(visiblePendingGroups(groups, decided, [rejected('d-older')])).toHaveLength(1);
    expect(visiblePendingGroups(groups, decided, [rejected('d-sent')])).toHaveLength(2);
  });
});
