import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNodeKeys, sha256Hex, signMessage } from '@fedhub/crypto';
import { type AuditCheckpoint, checkpointSigningString } from '@fedhub/protocol';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CheckpointStore, compareWithCheckpoints } from './checkpoint-store.js';

const hub = generateNodeKeys().ed25519;
const hashOf = (seq: number, branch = 'a') => sha256Hex(`${branch}:${seq}`);
function cp(seq: number, branch = 'a', key = hub): AuditCheckpoint {
  const c = { seq, headHash: hashOf(seq, branch), at: new Date(Date.UTC(2026, 10, 1, 0, seq)).toISOString() };
  return {
    ...c,
    signature: signMessage(key.privateKey, checkpointSigningString(c)),
    hubPublicKey: key.publicKey,
  };
}

let dir: string;
let store: CheckpointStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedhub-checkpoints-'));
  store = new CheckpointStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('trusts the first hub key and stores only checkpoints it signed', () => {
  expect(store.record(cp(3))).toEqual({ stored: true, problems: [] });
  expect(store.record(cp(3)).stored).toBe(false);
  expect(store.trustedKey()).toBe(hub.publicKey);
  const other = store.record(cp(4, 'a', generateNodeKeys().ed25519));
  expect(other.stored).toBe(false);
  expect(other.problems[0]!.message).toContain('other than the hub key');
  const forged = { ...cp(5), seq: 6 };
  expect(store.record(forged).problems[0]!.message).toContain('does not verify');
  expect(store.list().map((c) => c.seq)).toEqual([3]);
});

it('notices a hub whose log went back or whose entry changed', () => {
  store.record(cp(5));
  const back = store.record(cp(2));
  expect(back.problems.map((p) => p.key)).toEqual(['rolled-back:5']);
  const other = store.record(cp(5, 'b'));
  expect(other.problems.map((p) => p.key)).toEqual(['rewritten:5']);
});

it('compares a hub log with saved checkpoints: rolled back, rewritten, or consistent', () => {
  for (const s of [2, 4, 6]) store.record(cp(s));
  const saved = store.export();
  expect(compareWithCheckpoints(saved, 8, (s) => hashOf(s))).toEqual([]);
  const rolledBack = compareWithCheckpoints(saved, 4, (s) => hashOf(s));
  expect(rolledBack).toHaveLength(1);
  expect(rolledBack[0]).toContain('ROLLED BACK');
  const rewritten = compareWithCheckpoints(saved, 8, (s) => hashOf(s, s >= 4 ? 'b' : 'a'));
  expect(rewritten.map((p) => p.slice(0, 30))).toEqual([
    'hub log REWRITTEN: entry 4 has',
    'hub log REWRITTEN: entry 6 has',
  ]);
  const tampered = { ...saved, checkpoints: saved.checkpoints.map((c) => ({ ...c, seq: c.seq + 1 })) };
  expect(
    compareWithCheckpoints(tampered, 8, (s) => hashOf(s)).every((p) => p.includes('does not verify')),
  ).toBe(true);
});
