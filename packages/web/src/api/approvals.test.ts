import type { ApprovalDecision, PendingApproval } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { approvalRows, pendingGroups } from './approvals.js';

const S = 'study-1';
const pending = (nodeId: string, runId: string, algorithm: string, since: string): PendingApproval => ({
  runId,
  taskId: `task-${runId}`,
  nodeId,
  nodeName: nodeId.toUpperCase(),
  studyId: S,
  studyTitle: 'Toxicity',
  algorithm,
  version: '1.0.0',
  digest: `d-${algorithm}`,
  params: {},
  variables: ['age'],
  reason: 'manual approval',
  requester: { userId: 'u1', username: 'rita' },
  since,
});
const decision = (
  nodeId: string,
  algorithm: string | null,
  d: ApprovalDecision['decision'],
  createdAt: string,
  ack: ApprovalDecision['ack'],
): ApprovalDecision => ({
  id: `${nodeId}-${algorithm}-${createdAt}`,
  nodeId,
  studyId: S,
  decision: d,
  algorithm,
  version: algorithm ? '1.0.0' : null,
  digest: null,
  reason: d === 'approve' ? null : 'not now',
  decidedBy: { userId: 'a1', username: 'nina', organisationId: 'o1', roles: ['node-admin'] },
  createdAt,
  signature: 'sig',
  ack,
});

describe('approval rows', () => {
  const names = new Map([
    ['a', 'A'],
    ['b', 'B'],
  ]);
  it('groups held runs per algorithm version and keeps only the latest decision per version', () => {
    const rows = approvalRows(
      {
        pending: [
          pending('b', 'r1', 'glm', '2026-11-29T10:00:02Z'),
          pending('b', 'r2', 'glm', '2026-11-29T10:00:01Z'),
        ],
        decisions: [
          decision('a', 'glm', 'deny', '2026-11-29T09:00:00Z', { applied: true, reason: null, at: 'x' }),
          decision('a', 'glm', 'approve', '2026-11-29T09:30:00Z', null),
          decision('a', null, 'stop', '2026-11-29T09:40:00Z', {
            applied: false,
            reason: 'not from our organisation',
            at: 'x',
          }),
        ],
      },
      names,
      ['a', 'b'],
    );
    expect(rows.map((r) => [r.nodeName, r.algorithm, r.state, r.applied, r.runs])).toEqual([
      ['A', null, 'stopped', 'rejected', 0],
      ['A', 'glm', 'approved', 'not yet', 0],
      ['B', 'glm', 'waiting', null, 2],
    ]);
    // a rejected relay shows the node's reason; a waiting row starts at its oldest run
    expect(rows[0]?.note).toBe('not from our organisation');
    expect(rows[2]?.at).toBe('2026-11-29T10:00:01Z');
    expect(rows[2]?.by).toBe('rita');
  });

  it('one decision covers every held run of an algorithm version: one group each', () => {
    const g = pendingGroups([
      pending('a', 'r1', 'km', '2026-11-29T10:00:03Z'),
      pending('a', 'r2', 'glm', '2026-11-29T10:00:01Z'),
      pending('a', 'r3', 'km', '2026-11-29T10:00:02Z'),
    ]);
    expect(g.map((x) => x.map((p) => p.runId))).toEqual([['r2'], ['r1', 'r3']]);
  });
});
