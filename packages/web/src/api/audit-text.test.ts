import type { AuditEvent } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { ACTION_TEXT, actionText, actorText, auditCsv, detailsText, objectText } from './audit-text.js';

const ev = (over: Partial<AuditEvent> = {}): AuditEvent => ({
  seq: 7,
  at: '2026-11-01T10:00:00.000Z',
  actor: 'user:0b5cbd1c-1d3e-4a4f-9b1e-2f0c3c3c3c3c',
  action: 'study.created',
  object: 'study:6f1d2c3b-0000-4000-8000-000000000001',
  details: {},
  prevHash: 'p',
  hash: 'h',
  actorName: 'rita',
  objectName: 'Toxicity',
  ...over,
});

describe('audit as people read it', () => {
  it('names the actor and the object', () => {
    expect(actorText(ev())).toBe('rita');
    expect(actorText(ev({ actor: 'node:abc', actorName: 'Hospital A' }))).toBe('node Hospital A');
    expect(actorText(ev({ actor: 'hub', actorName: null }))).toBe('the hub');
    expect(actorText(ev({ actorName: null }))).toBe('user 0b5cbd1c…');
    expect(objectText(ev())).toBe('study “Toxicity”');
    expect(objectText(ev({ object: 'organisation:x', objectName: 'Hospital B' }))).toBe(
      'organisation Hospital B',
    );
    expect(
      objectText(ev({ object: 'api-token:0b5cbd1c-1d3e-4a4f-9b1e-2f0c3c3c3c3c', objectName: null })),
    ).toBe('api token 0b5cbd1c…');
    expect(objectText(ev({ object: null }))).toBe('');
  });

  it('says every action the hub records as a sentence', () => {
    expect(actionText('task.submitted')).toBe('submitted a task');
    expect(actionText('something.new-here')).toBe('something new here');
    // the hub's list of actions (packages/hub/src/modules/audit/service.ts) is covered
    for (const a of ['login.locked', 'user.disabled', 'node.rekeyed', 'approval.acknowledged', 'run.failed'])
      expect(ACTION_TEXT[a]).toBeDefined();
  });

  it('writes details as labelled values', () => {
    expect(
      detailsText({
        studyId: '6f1d2c3b-0000-4000-8000-000000000001',
        algorithm: 'glm',
        columns: ['age', 'sex'],
        n: 3,
      }),
    ).toEqual([
      ['study id', '6f1d2c3b…'],
      ['algorithm', 'glm'],
      ['columns', 'age, sex'],
      ['n', '3'],
    ]);
    // ids the hub named, by name and labelled without "id"; an id it could not name stays short
    expect(
      detailsText(
        {
          studyId: '6f1d2c3b-0000-4000-8000-000000000001',
          nodeIds: ['98e1689b-0000-4000-8000-000000000001', 'a8cc5ac6-0000-4000-8000-000000000002'],
          organisationId: 'dbe809d7-0000-4000-8000-000000000003',
        },
        {
          '6f1d2c3b-0000-4000-8000-000000000001': 'Toxicity',
          '98e1689b-0000-4000-8000-000000000001': 'Hospital A',
          'a8cc5ac6-0000-4000-8000-000000000002': 'Hospital B',
        },
      ),
    ).toEqual([
      ['study', 'Toxicity'],
      ['nodes', 'Hospital A, Hospital B'],
      ['organisation id', 'dbe809d7…'],
    ]);
    expect(detailsText({ decision: { kind: 'deny', reason: null } })).toEqual([
      ['decision', 'kind deny; reason –'],
    ]);
  });

  it('exports CSV with names, ids and hashes, and no cell a spreadsheet would run', () => {
    const csv = auditCsv([
      ev({ details: { reason: 'ethics' } }),
      ev({ seq: 8, actor: 'user:x', actorName: '=HYPERLINK("http://x")', objectName: '@SUM(A1)' }),
    ]);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('seq,time (UTC),who,actor,action,what,about,object,details,hash');
    expect(lines[1]).toBe(
      '7,2026-11-01T10:00:00.000Z,rita,user:0b5cbd1c-1d3e-4a4f-9b1e-2f0c3c3c3c3c,study.created,created a study,study “Toxicity”,study:6f1d2c3b-0000-4000-8000-000000000001,"{""reason"":""ethics""}",h',
    );
    expect(lines[2]).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(csv.split(/,|\r\n/).some((c) => /^"?[=+@]/.test(c))).toBe(false);
  });
});
