import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAlgorithm } from '@fedhub/algorithms';
import type { Json } from '@fedhub/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApprovalsConfig, ApprovalsConfigSchema, approvalVerdict } from './approval-gate.js';
import { ApprovalStore } from './approval-store.js';
import { approvalDigest, runModelDigest } from './model-approval.js';

const validate = getAlgorithm('validate')!;
const study = randomUUID();
const manual: ApprovalsConfig = ApprovalsConfigSchema.parse({ defaultMode: 'manual' });
const modelA = `sha256:${'a'.repeat(64)}`;
const modelB = `sha256:${'b'.repeat(64)}`;
const run = (onnx?: string): { digest: string; params: Json } => ({
  digest: validate.digest,
  params: {
    dataset: 'd',
    outcome: 'y',
    model: (onnx ? { onnx, inputs: { x: ['a'] }, output: 'p' } : { score: 's' }) as Json,
  },
});
const key = (onnx?: string) => ({
  studyId: study,
  algorithm: 'validate',
  version: validate.version,
  digest: approvalDigest(run(onnx)),
});

let dir: string;
let store: ApprovalStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedhub-model-approval-'));
  store = new ApprovalStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('approvals of runs with an ONNX model bind to the model file', () => {
  it('keeps the algorithm digest for runs without a model, and mixes in the model digest otherwise', () => {
    expect(approvalDigest(run())).toBe(validate.digest);
    expect(runModelDigest(run(modelA).params)).toBe('a'.repeat(64));
    expect(approvalDigest(run(modelA))).toMatch(/^[0-9a-f]{64}$/);
    expect(approvalDigest(run(modelA))).not.toBe(approvalDigest(run(modelB)));
    expect(approvalDigest(run(modelA))).not.toBe(validate.digest);
  });

  it('an approval given for model A does not let model B (or the bare algorithm) run', () => {
    store.decideAlgorithm(key(modelA), 'approved', 'node-admin');
    expect(approvalVerdict(store, manual, key(modelA), ['y', 'a'])).toEqual({ kind: 'run', how: 'approved' });
    expect(approvalVerdict(store, manual, key(modelB), ['y', 'a']).kind).toBe('wait');
    expect(approvalVerdict(store, manual, key(), ['y', 's']).kind).toBe('wait');
  });
});
