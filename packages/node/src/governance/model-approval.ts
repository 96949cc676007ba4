/**
 * Approvals of runs that carry a registered model bind to the model's file too: the digest a node
 * administrator approves is then sha256(algorithm digest, "onnx:", model sha256), so approving `validate`
 * with model file A does not approve it with file B (a new file is a new version and reopens approval).
 * Runs without a model keep the algorithm's digest.
 */
import { sha256Hex } from '@fedhub/crypto';
import type { Json } from '@fedhub/protocol';

const ONNX_DIGEST = /^sha256:([0-9a-f]{64})$/;

/** The model file digest a run's parameters name (`model.onnx`), or null. */
export function runModelDigest(params: Json): string | null {
  const model = (params as { model?: { onnx?: unknown } } | null)?.model;
  const m = typeof model?.onnx === 'string' ? ONNX_DIGEST.exec(model.onnx) : null;
  return m ? (m[1] as string) : null;
}

/** The digest approvals of this run bind to. */
export function approvalDigest(run: { digest: string; params: Json }): string {
  const model = runModelDigest(run.params);
  return model === null ? run.digest : sha256Hex(`${run.digest}\nonnx:${model}`);
}
