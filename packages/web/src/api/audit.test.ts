import { describe, expect, it } from 'vitest';
import { type AuditEvent, filterAudit } from './audit.js';

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
