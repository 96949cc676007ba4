import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAlgorithm } from '@fedhub/algorithms';
import type { StudyDescriptor } from '@fedhub/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalsConfigSchema, applyDecision, approvalVerdict } from './approval-gate.js';
import { permissionDigest, permissionWidenings, studyPermission } from './approval-permission.js';
import { ApprovalStore } from './approval-store.js';

const glm = getAlgorithm('glm')!;
const manual = ApprovalsConfigSchema.parse({ defaultMode: 'manual' });
const studyId = randomUUID();
const base: StudyDescriptor = {
  id: studyId,
  title: 'Rectal toxicity',
  status: 'active',
  nodeIds: ['n-a', 'n-b'],
  minNodes: 2,
  variables: [{ dataset: 'rt', columns: ['age', 'dose'] }],
  algorithms: [{ name: 'glm', version: glm.version }],
  startsAt: '2026-01-01',
  endsAt: '2026-12-31',
  releasePerNodeBreakdown: false,
  purpose: 'NTCP of grade 2 rectal toxicity',
  dataCategories: ['health'],
};
const key = (d: StudyDescriptor) => ({
  studyId,
  algorithm: glm.name,
  version: glm.version,
  digest: glm.digest,
  permission: studyPermission(d),
});

let dir: string;
let store: ApprovalStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedhub-permission-'));
  store = new ApprovalStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function hold(d: StudyDescriptor): void {
  store.addPending({
    ...key(d),
    runId: randomUUID(),
    attempt: 1,
    taskId: randomUUID(),
    studyTitle: d.title,
    params: {},
    variables: ['age'],
    requester: null,
    since: new Date().toISOString(),
  });
}

describe('approvals bound to the study permission set', () => {
  it('the digest is the node’s own, from the descriptor, independent of list order', () => {
    const shuffled: StudyDescriptor = {
      ...base,
      nodeIds: ['n-b', 'n-a'],
      variables: [{ dataset: 'rt', columns: ['dose', 'age'] }],
    };
    expect(permissionDigest(studyPermission(shuffled))).toBe(permissionDigest(studyPermission(base)));
    expect(permissionDigest(studyPermission({ ...base, minNodes: 3 }))).not.toBe(
      permissionDigest(studyPermission(base)),
    );
  });

  const widenings: Array<[string, StudyDescriptor]> = [
    ['columns', { ...base, variables: [{ dataset: 'rt', columns: ['age', 'dose', 'postcode'] }] }],
    ['columns', { ...base, variables: null }],
    ['algorithms', { ...base, algorithms: [...(base.algorithms ?? []), { name: 'crosstab' }] }],
    ['algorithms', { ...base, algorithms: null }],
    ['nodes', { ...base, nodeIds: ['n-a', 'n-b', 'n-c'] }],
    ['minNodes', { ...base, minNodes: 1 }],
    ['breakdown', { ...base, releasePerNodeBreakdown: true }],
    ['subgroups', { ...base, releaseSubgroupAnalyses: true }],
    ['period', { ...base, endsAt: '2027-12-31' }],
    ['period', { ...base, startsAt: null }],
    ['purpose', { ...base, purpose: 'marketing' }],
    ['data categories', { ...base, dataCategories: ['health', 'genetic'] }],
  ];

  it.each(widenings)('a widening of %s after approval holds the run again at the node', (what, wider) => {
    hold(base);
    applyDecision(store, { studyId, decision: 'approve', algorithm: 'glm' }, 'admin');
    expect(approvalVerdict(store, manual, key(base), ['age'])).toEqual({ kind: 'run', how: 'approved' });
    const v = approvalVerdict(store, manual, key(wider), ['age']);
    expect(v.kind).toBe('wait');
    expect(v.kind === 'wait' && v.reason).toContain(what);
    // the administrator approves the wider study: runs again
    hold(wider);
    applyDecision(store, { studyId, decision: 'approve' }, 'admin');
    expect(approvalVerdict(store, manual, key(wider), ['age'])).toEqual({ kind: 'run', how: 'approved' });
  });

  it('a study without subgroup analyses keeps the digest it had before the flag existed', () => {
    expect(permissionDigest(studyPermission({ ...base, releaseSubgroupAnalyses: false }))).toBe(
      permissionDigest(studyPermission(base)),
    );
    expect(permissionDigest(studyPermission({ ...base, releaseSubgroupAnalyses: true }))).not.toBe(
      permissionDigest(studyPermission(base)),
    );
  });

  it('a narrowing keeps the approval', () => {
    hold(base);
    applyDecision(store, { studyId, decision: 'approve' }, 'admin');
    const narrower: StudyDescriptor = {
      ...base,
      variables: [{ dataset: 'rt', columns: ['age'] }],
      minNodes: 2,
      endsAt: '2026-06-30',
    };
    expect(permissionWidenings(studyPermission(base), studyPermission(narrower))).toEqual([]);
    expect(approvalVerdict(store, manual, key(narrower), ['age'])).toEqual({ kind: 'run', how: 'approved' });
    // and narrowing does not move the approved set: widening back to the approved one still runs
    expect(approvalVerdict(store, manual, key(base), ['age'])).toEqual({ kind: 'run', how: 'approved' });
  });

  it('an approval given before any run binds to the first permission set seen', () => {
    applyDecision(store, { studyId, decision: 'approve', algorithm: 'glm' }, 'admin');
    expect(approvalVerdict(store, manual, key(base), ['age'])).toEqual({ kind: 'run', how: 'approved' });
    expect(store.approvedPermission(studyId)?.digest).toBe(permissionDigest(studyPermission(base)));
    expect(approvalVerdict(store, manual, key({ ...base, minNodes: 1 }), ['age']).kind).toBe('wait');
  });

  it('a node store from before permission binding gains the column and keeps its held runs', () => {
    hold(base);
    store.close();
    store = new ApprovalStore(dir);
    expect(store.pending(studyId)[0]?.permission).toEqual(studyPermission(base));
  });
});
