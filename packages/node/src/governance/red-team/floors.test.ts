/**
 * Red team, class 6: governance floors sat with the researcher and the hub. A study with `minNodes: 1`,
 * a round of two nodes (the other node, or the hub seeing the masked sum, subtracts its own share), a
 * member organisation running two of the three nodes with known rows, or a node the hub operator enrolled
 * and slipped into the round: each would unmask this node's partial. The node's own floors refuse them all
 * through its real executor, before reading any data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summary } from '@fedhub/algorithms';
import { generateNodeKeys } from '@fedhub/crypto';
import { DisclosurePolicySchema, type RunAssignment, type StudyDescriptor } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNodeConfig } from '../../config.js';
import { DatasetStore } from '../../datasets/duckdb-store.js';
import { executeRun, type RunOutcome } from '../../executor.js';

const SELF = { id: crypto.randomUUID(), org: crypto.randomUUID() };
const B = { id: crypto.randomUUID(), org: crypto.randomUUID() };
const C = { id: crypto.randomUUID(), org: crypto.randomUUID() };
const keys = generateNodeKeys();
const dir = mkdtempSync(join(tmpdir(), 'fedhub-red-floors-'));
let store: DatasetStore;
beforeAll(async () => {
  const file = join(dir, 'cohort.csv');
  writeFileSync(file, toCsv(generateCohort(DEMO_CENTRES[0]!, 200, 11)));
  store = await DatasetStore.open([
    { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
  ]);
});
afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function study(nodeIds: string[], minNodes = 1): StudyDescriptor {
  return {
    id: crypto.randomUUID(),
    title: 'Floors',
    status: 'active',
    nodeIds,
    minNodes,
    variables: null,
    algorithms: null,
    startsAt: null,
    endsAt: null,
    releasePerNodeBreakdown: false,
  };
}

/** One round of `summary` at this node with the peers (id, organisation) the hub says take part. */
function round(
  s: StudyDescriptor,
  peers: Array<{ id: string; org?: string }>,
  floors?: { minNodes: number; minOrganisations: number },
): Promise<RunOutcome> {
  const params = { dataset: 'cohort', columns: ['age'] };
  const run: RunAssignment = {
    runId: crypto.randomUUID(),
    taskId: crypto.randomUUID(),
    studyId: s.id,
    study: s,
    algorithm: summary.name,
    version: summary.version,
    digest: summary.digest,
    params,
    round: 1,
    attempt: 1,
    input: null,
    leaseExpiresAt: new Date().toISOString(),
    leaseMs: 30000,
    peers: peers.map((p) => ({
      nodeId: p.id,
      // any valid key: the node refuses before it masks
      x25519: keys.x25519.publicKey,
      ...(p.org ? { organisationId: p.org } : {}),
    })),
  };
  return executeRun(run, {
    node: { id: SELF.id, name: 'Hospital A', organisationId: SELF.org },
    policy: DisclosurePolicySchema.parse({}),
    datasets: store,
    secureAggregation: { x25519PrivateKey: keys.x25519.privateKey },
    ...(floors ? { floors } : {}),
  });
}

function expectRefusedWithoutData(o: RunOutcome, code: string): void {
  expect(o.outcome).toBe('refused');
  expect(o.payload).toBeNull();
  expect(o.error?.code).toBe(code);
  // nothing read: no number but the rule's own figures
  expect(o.error?.message).not.toMatch(/\d+\.\d/);
}

describe("the node's floors on the actual peer set of each round", () => {
  it('refuses a two-node round under the default floor, even when the study asks for one node', async () => {
    const o = await round(study([SELF.id, B.id], 1), [
      { id: SELF.id, org: SELF.org },
      { id: B.id, org: B.org },
    ]);
    expectRefusedWithoutData(o, 'FH_ERR_NODE_FLOOR');
    expect(o.error?.message).toContain('at least 3 nodes');
  });

  it('refuses three nodes of which two belong to the same organisation', async () => {
    const o = await round(study([SELF.id, B.id, C.id]), [
      { id: SELF.id, org: SELF.org },
      { id: B.id, org: B.org },
      { id: C.id, org: B.org },
    ]);
    expectRefusedWithoutData(o, 'FH_ERR_NODE_FLOOR');
    expect(o.error?.message).toContain('at least 3 distinct organisations');
  });

  it("counts its own organisation from its enrolment, not from the hub's peer list", async () => {
    // the hub claims this node belongs to a third organisation, while C is of this node's own
    const o = await round(study([SELF.id, B.id, C.id]), [
      { id: SELF.id, org: crypto.randomUUID() },
      { id: B.id, org: B.org },
      { id: C.id, org: SELF.org },
    ]);
    expectRefusedWithoutData(o, 'FH_ERR_NODE_FLOOR');
  });

  it('refuses peers whose organisation the hub does not state', async () => {
    const o = await round(study([SELF.id, B.id, C.id]), [{ id: SELF.id }, { id: B.id }, { id: C.id }]);
    expectRefusedWithoutData(o, 'FH_ERR_NODE_FLOOR');
  });

  it('refuses to mask with a node the hub slipped into the round (not a node of the study)', async () => {
    const intruder = { id: crypto.randomUUID(), org: crypto.randomUUID() };
    const o = await round(study([SELF.id, B.id, C.id]), [
      { id: SELF.id, org: SELF.org },
      { id: B.id, org: B.org },
      intruder,
    ]);
    expectRefusedWithoutData(o, 'FH_ERR_PEER_NOT_ACCEPTED');
  });

  it('lets a study raise the node floor, never lower it', async () => {
    const s = study([SELF.id, B.id, C.id], 4);
    const o = await round(s, [
      { id: SELF.id, org: SELF.org },
      { id: B.id, org: B.org },
      { id: C.id, org: C.org },
    ]);
    // the study gate says it first (the study's own minimum); the floor takes the larger of both
    expectRefusedWithoutData(o, 'FH_ERR_TOO_FEW_NODES');
    expect(o.error?.message).toContain('at least 4 nodes');
  });

  it('computes, masked, in a round of three nodes of three organisations of the study', async () => {
    const o = await round(study([SELF.id, B.id, C.id]), [
      { id: SELF.id, org: SELF.org },
      { id: B.id, org: B.org },
      { id: C.id, org: C.org },
    ]);
    expect(o.outcome, JSON.stringify(o.error)).toBe('completed');
  });

  it('follows a lower floor only where the node admin set it explicitly', async () => {
    const o = await round(
      study([SELF.id, B.id]),
      [
        { id: SELF.id, org: SELF.org },
        { id: B.id, org: B.org },
      ],
      { minNodes: 2, minOrganisations: 2 },
    );
    expect(o.outcome, JSON.stringify(o.error)).toBe('completed');
  });
});

describe('node.yaml policy', () => {
  it('defaults to 3 nodes of 3 organisations and rejects a floor of 0', () => {
    const base = { hub: { url: 'http://127.0.0.1:1' }, dataDir: dir };
    const cfg = parseNodeConfig(base, dir);
    expect(cfg.policy.minNodes).toBe(3);
    expect(cfg.policy.minOrganisations).toBe(3);
    expect(() => parseNodeConfig({ ...base, policy: { minNodes: 0 } }, dir)).toThrow(/minNodes/);
    expect(() => parseNodeConfig({ ...base, policy: { minNode: 2 } }, dir)).toThrow(/minNode/);
  });
});
