import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAlgorithm } from '@fedhub/algorithms';
import { generateAdminKeyPem, generateNodeKeys, signAdminStatement, signMessage } from '@fedhub/crypto';
import { type ApprovalDecision, approvalSigningString } from '@fedhub/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminKeyStore } from './approval-admin-keys.js';
import {
  type ApprovalsConfig,
  ApprovalsConfigSchema,
  applyDecision,
  approvalVerdict,
  type RelayTrust,
  relayedDecisionProblem,
} from './approval-gate.js';
import { ApprovalStore } from './approval-store.js';

const summary = getAlgorithm('summary')!;
const glm = getAlgorithm('glm')!;
const study = randomUUID();
const key = (a = summary, digest = a.digest, version = a.version) => ({
  studyId: study,
  algorithm: a.name,
  version,
  digest,
});
const manual: ApprovalsConfig = ApprovalsConfigSchema.parse({ defaultMode: 'manual' });

let dir: string;
let store: ApprovalStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedhub-approvals-'));
  store = new ApprovalStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('approval verdicts', () => {
  it('holds an unapproved version in manual mode and runs it once approved, bound to its digest', () => {
    expect(approvalVerdict(store, manual, key(), ['age']).kind).toBe('wait');
    applyDecision(store, { studyId: study, decision: 'approve', algorithm: 'summary' }, 'test');
    expect(approvalVerdict(store, manual, key(), ['age'])).toEqual({ kind: 'run', how: 'approved' });
    // another build of the same version, or another version: approval reopens
    expect(approvalVerdict(store, manual, key(summary, 'f'.repeat(64)), ['age']).kind).toBe('wait');
    expect(approvalVerdict(store, manual, key(summary, summary.digest, '9.9.9'), ['age']).kind).toBe('wait');
    // and another study is not approved by it
    expect(approvalVerdict(store, manual, { ...key(), studyId: randomUUID() }, []).kind).toBe('wait');
  });

  it('approves the versions held runs ask for when the study is approved as a whole', () => {
    store.addPending({
      ...key(glm),
      runId: randomUUID(),
      attempt: 1,
      taskId: randomUUID(),
      studyTitle: 'T',
      params: {},
      variables: ['age'],
      requester: null,
      since: new Date().toISOString(),
    });
    applyDecision(store, { studyId: study, decision: 'approve' }, 'test');
    expect(approvalVerdict(store, manual, key(glm), ['age']).kind).toBe('run');
    expect(approvalVerdict(store, manual, key(summary), ['age']).kind).toBe('wait');
  });

  it('refuses a denied version or study with the reason, and a stopped study for good', () => {
    applyDecision(
      store,
      { studyId: study, decision: 'deny', algorithm: 'glm', reason: 'not in the protocol' },
      'test',
    );
    const denied = approvalVerdict(store, manual, key(glm), []);
    expect(denied.kind === 'refuse' && denied.error.code).toBe('FH_ERR_NOT_APPROVED');
    expect(denied.kind === 'refuse' && denied.error.message).toContain('not in the protocol');
    applyDecision(store, { studyId: study, decision: 'deny', reason: 'ethics pending' }, 'test');
    const d2 = approvalVerdict(store, manual, key(), []);
    expect(d2.kind === 'refuse' && d2.error.message).toContain('ethics pending');
    // approving a version does not lift a denied study; approving the study does
    applyDecision(store, { studyId: study, decision: 'approve', algorithm: 'summary' }, 'test');
    expect(approvalVerdict(store, manual, key(), []).kind).toBe('refuse');
    applyDecision(store, { studyId: study, decision: 'approve' }, 'test');
    expect(approvalVerdict(store, manual, key(), []).kind).toBe('run');
    applyDecision(store, { studyId: study, decision: 'stop', reason: 'DPO request' }, 'test');
    const stopped = approvalVerdict(store, manual, key(), []);
    expect(stopped.kind === 'refuse' && stopped.error.code).toBe('FH_ERR_STUDY_STOPPED');
    applyDecision(store, { studyId: study, decision: 'approve', algorithm: 'summary' }, 'test');
    expect(approvalVerdict(store, manual, key(), []).kind).toBe('refuse');
  });

  it('lifts a study deny: the mode and the versions approved before it hold again (issue 20)', () => {
    const automatic = ApprovalsConfigSchema.parse({ defaultMode: 'automatic' });
    // summary approved, glm denied as a version, the study's mode set to manual by the node admin
    applyDecision(store, { studyId: study, decision: 'approve', algorithm: 'summary' }, 'dora');
    applyDecision(store, { studyId: study, decision: 'deny', algorithm: 'glm' }, 'dora');
    store.setMode(study, 'manual', 'dora');
    expect(approvalVerdict(store, automatic, key(), []).kind).toBe('run');
    // a deny of the whole study overrides the approval while it lasts (and a second deny changes nothing)
    expect(applyDecision(store, { studyId: study, decision: 'deny', reason: 'ethics' }, 'dora')).toContain(
      'until the deny is lifted',
    );
    applyDecision(store, { studyId: study, decision: 'deny', reason: 'ethics, again' }, 'dora');
    expect(store.study(study).mode).toBe('deny');
    expect(approvalVerdict(store, automatic, key(), []).kind).toBe('refuse');
    expect(approvalVerdict(store, automatic, key(glm), []).kind).toBe('refuse');
    // lifting restores the manual mode (not the config's automatic one) and the earlier decisions
    expect(applyDecision(store, { studyId: study, decision: 'approve' }, 'dora')).toContain('deny lifted');
    expect(store.study(study).mode).toBe('manual');
    expect(approvalVerdict(store, automatic, key(), [])).toEqual({ kind: 'run', how: 'approved' });
    const glmVerdict = approvalVerdict(store, automatic, key(glm), []);
    expect(glmVerdict.kind === 'refuse' && glmVerdict.error.message).toContain('denied glm');
    // a study that had no mode of its own falls back to the config's after the lift
    const other = randomUUID();
    applyDecision(store, { studyId: other, decision: 'deny' }, 'dora');
    expect(store.study(other).mode).toBe('deny');
    applyDecision(store, { studyId: other, decision: 'approve' }, 'dora');
    expect(store.study(other).mode).toBeNull();
    expect(approvalVerdict(store, automatic, { ...key(), studyId: other }, []).kind).toBe('run');
    // approving a study that was not denied says so, and lifts nothing
    expect(applyDecision(store, { studyId: other, decision: 'approve' }, 'dora')).toContain('approved at');
  });

  it('runs automatically only what the policy covers; the rest waits', () => {
    const auto = ApprovalsConfigSchema.parse({ automatic: { algorithms: ['summary'], maxVariables: 2 } });
    expect(approvalVerdict(store, auto, key(), ['a', 'b'])).toEqual({ kind: 'run', how: 'automatic' });
    expect(approvalVerdict(store, auto, key(), ['a', 'b', 'c']).kind).toBe('wait');
    expect(approvalVerdict(store, auto, key(glm), ['a']).kind).toBe('wait');
    const pinned = ApprovalsConfigSchema.parse({ automatic: { algorithms: [`glm@${glm.version}`] } });
    expect(approvalVerdict(store, pinned, key(glm), ['a']).kind).toBe('run');
    expect(approvalVerdict(store, pinned, key(glm, glm.digest, '0.0.1'), ['a']).kind).toBe('wait');
    // a per-study mode in the config overrides the default
    const perStudy = ApprovalsConfigSchema.parse({ studies: { [study]: 'deny' } });
    expect(approvalVerdict(store, perStudy, key(), []).kind).toBe('refuse');
  });
});

describe('decisions relayed by the hub', () => {
  const hub = generateNodeKeys().ed25519;
  const nodeId = randomUUID();
  const organisationId = randomUUID();
  const dora = generateAdminKeyPem();
  const mallory = generateAdminKeyPem();
  let trust: RelayTrust;
  beforeEach(() => {
    const admins = new AdminKeyStore(dir);
    admins.add('dora', dora.publicKeyPem);
    trust = { nodeId, organisationId, hubPublicKey: hub.publicKey, admins: admins.list(), store };
  });
  function relayed(
    over: Partial<ApprovalDecision> = {},
    signWith = hub.privateKey,
    admin: { key: string; name: string } | null = { key: dora.privateKeyPem, name: 'dora' },
    asked: { version?: string } = { version: summary.version },
  ): ApprovalDecision {
    const d = {
      id: randomUUID(),
      nodeId,
      studyId: study,
      decision: 'approve' as const,
      algorithm: 'summary',
      version: summary.version,
      digest: summary.digest,
      reason: null,
      decidedBy: { userId: randomUUID(), username: 'dora', organisationId, roles: ['node-admin'] },
      createdAt: new Date().toISOString(),
      ...over,
    };
    const adminSignature = admin
      ? signAdminStatement(admin.key, admin.name, d.nodeId, {
          studyId: d.studyId,
          decision: d.decision,
          algorithm: d.algorithm ?? undefined,
          ...asked,
        })
      : null;
    return { ...d, signature: signMessage(signWith, approvalSigningString(d)), adminSignature, ack: null };
  }

  it('honours only decisions signed by an administrator key enrolled at the node, once', () => {
    // a node-admin user the hub operator created: hub-signed, right organisation and role, no enrolled key
    expect(relayedDecisionProblem(relayed({}, hub.privateKey, null), trust)).toContain(
      'not signed by a node administrator key enrolled at this node',
    );
    expect(
      relayedDecisionProblem(
        relayed({}, hub.privateKey, { key: mallory.privateKeyPem, name: 'mallory' }),
        trust,
      ),
    ).toContain('no administrator key "mallory"');
    // mallory's key under dora's name
    expect(
      relayedDecisionProblem(
        relayed({}, hub.privateKey, { key: mallory.privateKeyPem, name: 'dora' }),
        trust,
      ),
    ).toContain('not signed by the key of administrator "dora"');
    // the hub turns dora's signed denial into an approval (and re-signs it with its own key)
    const denial = relayed({ decision: 'deny' });
    const turned = { ...denial, decision: 'approve' as const };
    turned.signature = signMessage(hub.privateKey, approvalSigningString(turned));
    expect(relayedDecisionProblem(turned, trust)).toContain('not signed by the key of administrator "dora"');
    const good = relayed();
    expect(relayedDecisionProblem(good, trust)).toBeNull();
    expect(relayedDecisionProblem(good, trust)).toContain('replay');
    // an unpinned approval stands for the node's latest version, not one the hub picks
    expect(relayedDecisionProblem(relayed({}, hub.privateKey, undefined, {}), trust)).toBeNull();
    expect(
      relayedDecisionProblem(
        relayed({ version: '0.0.1', digest: summary.digest }, hub.privateKey, undefined, {}),
        trust,
      ),
    ).not.toBeNull();
  });

  it("accepts a hub-signed decision by a node-admin of the node's organisation", () => {
    expect(relayedDecisionProblem(relayed(), trust)).toBeNull();
  });

  it('rejects another organisation, another role, another node, a forged signature, another build', () => {
    const other = {
      userId: randomUUID(),
      username: 'eve',
      organisationId: randomUUID(),
      roles: ['node-admin'],
    };
    expect(relayedDecisionProblem(relayed({ decidedBy: other }), trust)).toContain(
      "this node's organisation",
    );
    const researcher = { ...other, organisationId, roles: ['researcher'] };
    expect(relayedDecisionProblem(relayed({ decidedBy: researcher }), trust)).toContain('not a node-admin');
    expect(relayedDecisionProblem(relayed({ nodeId: randomUUID() }), trust)).toContain('another node');
    const forged = relayed({}, generateNodeKeys().ed25519.privateKey);
    expect(relayedDecisionProblem(forged, trust)).toContain('not signed by the hub key');
    // a decision altered after signing (the hub's database edited) fails the signature too
    expect(relayedDecisionProblem({ ...relayed(), decidedBy: other }, trust)).toContain('not signed');
    expect(relayedDecisionProblem(relayed({ digest: '0'.repeat(64) }), trust)).toContain('digest mismatch');
    expect(relayedDecisionProblem(relayed(), { ...trust, organisationId: undefined })).toContain(
      'does not know its organisation',
    );
  });
});
