import { describe, expect, it } from 'vitest';
import { type AuditEvent, filterAudit, studyAuditEvents } from './audit.js';

const ev = (seq: number, actor: string, at: string): AuditEvent => ({
  seq,
  at,
  actor,
  action: 'task.create',
  object: null,
  details: {},
  prevHash: '',
  hash: '',
});

describe('filterAudit', () => {
  const all = [
    ev(1, 'user:aaa', '2026-11-01T10:00:00.000Z'),
    ev(2, 'node:bbb', '2026-11-02T23:59:59.000Z'),
    ev(3, 'user:ccc', '2026-11-03T00:00:00.000Z'),
  ];
  it('filters by actor substring and inclusive UTC dates', () => {
    expect(filterAudit(all, { actor: 'USER' }).map((e) => e.seq)).toEqual([1, 3]);
    expect(filterAudit(all, { from: '2026-11-02', to: '2026-11-02' }).map((e) => e.seq)).toEqual([2]);
    expect(filterAudit(all, {}).length).toBe(3);
  });
});

describe('studyAuditEvents', () => {
  const e = (seq: number, action: string, object: string | null, details: Record<string, unknown> = {}) => ({
    ...ev(seq, 'user:aaa', '2026-11-01T10:00:00.000Z'),
    action,
    object,
    details,
  });
  it("keeps the study's events, its tasks' and its runs', and nothing of another study", () => {
    const all = [
      e(1, 'study.created', 'study:S'),
      e(2, 'study.created', 'study:T'),
      e(3, 'task.submitted', 'task:t1', { studyId: 'S' }),
      e(4, 'task.submitted', 'task:t9', { studyId: 'T' }),
      e(5, 'run.claimed', 'run:r1', { taskId: 't1' }),
      e(6, 'run.claimed', 'run:r9', { taskId: 't9' }),
      e(7, 'login.succeeded', null),
      e(8, 'result.accepted', 'task:t1'),
    ];
    expect(studyAuditEvents(all, 'S', ['t1']).map((x) => x.seq)).toEqual([1, 3, 5, 8]);
  });
});
