/**
 * Red team, class 6 (the hub assembles each round): secure aggregation masks this node's partial with
 * keys agreed with each peer's X25519 public key, and those keys come from the hub. A curious hub that
 * hands this node its own key in place of a genuine peer's (for every peer of a round, or for all but
 * one it colludes with) can remove this node's masks and read its partial. The node pins each peer's key
 * under its approval of the study (the first round after the approval) and refuses, before reading any
 * data, a round whose peer keys differ; approving the study again (after checking the key with the
 * peer's operator) pins the new key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summary } from '@fedhub/algorithms';
import { generateNodeKeys } from '@fedhub/crypto';
import { DisclosurePolicySchema, type RunAssignment, type StudyDescriptor } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../../datasets/duckdb-store.js';
import { executeRun } from '../../executor.js';
import { studyPermission } from '../approval-permission.js';
import { ApprovalStore } from '../approval-store.js';

const self = { id: crypto.randomUUID(), org: crypto.randomUUID(), keys: generateNodeKeys() };
const b = { id: crypto.randomUUID(), org: crypto.randomUUID(), keys: generateNodeKeys() };
const c = { id: crypto.randomUUID(), org: crypto.randomUUID(), keys: generateNodeKeys() };
/** The hub operator's own key pair, which it would hand out as a peer's. */
const hub = generateNodeKeys();
const dir = mkdtempSync(join(tmpdir(), 'fedhub-red-peer-keys-'));
let datasets: DatasetStore;
let approvals: ApprovalStore;
beforeAll(async () => {
  const file = join(dir, 'cohort.csv');
  writeFileSync(file, toCsv(generateCohort(DEMO_CENTRES[0]!, 200, 21)));
  datasets = await DatasetStore.open([
    { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
  ]);
  approvals = new ApprovalStore(dir);
});
afterAll(() => {
  datasets?.close();
  approvals?.close();
  rmSync(dir, { recursive: true, force: true });
});

const study: StudyDescriptor = {
  id: crypto.randomUUID(),
  title: 'Pinned keys',
  status: 'active',
  nodeIds: [self.id, b.id, c.id],
  minNodes: 3,
  variables: null,
  algorithms: null,
  startsAt: null,
  endsAt: null,
  releasePerNodeBreakdown: false,
};

/** One round of `summary` with the peer keys the hub hands out. */
function round(keyOf: { b: string; c: string }) {
  const run: RunAssignment = {
    runId: crypto.randomUUID(),
    taskId: crypto.randomUUID(),
    studyId: study.id,
    study,
    algorithm: summary.name,
    version: summary.version,
    digest: summary.digest,
    params: { dataset: 'cohort', columns: ['age'] },
    round: 1,
    attempt: 1,
    input: null,
    leaseExpiresAt: new Date().toISOString(),
    leaseMs: 30000,
    peers: [
      { nodeId: self.id, x25519: self.keys.x25519.publicKey, organisationId: self.org },
      { nodeId: b.id, x25519: keyOf.b, organisationId: b.org },
      { nodeId: c.id, x25519: keyOf.c, organisationId: c.org },
    ],
  };
  return executeRun(run, {
    node: { id: self.id, name: 'Hospital A', organisationId: self.org },
    policy: DisclosurePolicySchema.parse({}),
    datasets,
    secureAggregation: { x25519PrivateKey: self.keys.x25519.privateKey },
    peerKeys: (r) => approvals.peerKeyMismatches(r.studyId, r.peers, self.id),
  });
}

const genuine = { b: b.keys.x25519.publicKey, c: c.keys.x25519.publicKey };

describe("red team: peer keys pinned under the node's approval of the study", () => {
  it('masks with the genuine keys, then refuses rounds where the hub substitutes its own', async () => {
    approvals.approvePermission(study.id, studyPermission(study), 'dora');
    expect((await round(genuine)).outcome).toBe('completed');
    expect(approvals.pinnedPeerKeys(study.id)).toEqual({ [b.id]: genuine.b, [c.id]: genuine.c });
    for (const substituted of [
      { b: hub.x25519.publicKey, c: hub.x25519.publicKey },
      { b: genuine.b, c: hub.x25519.publicKey },
    ]) {
      const o = await round(substituted);
      expect(o.outcome).toBe('refused');
      expect(o.payload).toBeNull();
      expect(o.error?.code).toBe('FH_ERR_PEER_KEY_CHANGED');
    }
    // the genuine keys still run
    expect((await round(genuine)).outcome).toBe('completed');
  });

  it("pins a peer's new key only when the study is approved again (a re-keyed peer, checked out of band)", async () => {
    const rekeyed = generateNodeKeys();
    const next = { b: genuine.b, c: rekeyed.x25519.publicKey };
    expect((await round(next)).error?.code).toBe('FH_ERR_PEER_KEY_CHANGED');
    approvals.approvePermission(study.id, studyPermission(study), 'dora');
    expect((await round(next)).outcome).toBe('completed');
    expect((await round(genuine)).error?.code).toBe('FH_ERR_PEER_KEY_CHANGED');
  });
});
