/**
 * Registered ONNX files by digest, fetched from the hub over the node protocol and kept in memory (the
 * last 8) while the node runs; only bytes that hash to the digest are kept (the algorithm checks them
 * again and refuses others with FH_ERR_MODEL_DIGEST).
 */
import type { ModelSource } from '@fedhub/algorithms';
import { sha256Hex } from '@fedhub/crypto';
import { onnxLimits } from '@fedhub/inference';
import type { NodeApiClient } from '@fedhub/sdk';

const sources = new WeakMap<NodeApiClient, ModelSource>();

/** The node config's `models.onnx` section. */
export interface NodeOnnxLimits {
  maxModelMb: number;
  maxRunSeconds: number;
  threads: number;
  maxInputElements: number;
  maxRunnerMemoryMb: number;
}

export function hubModelSource(client: NodeApiClient, limits: NodeOnnxLimits): ModelSource {
  let source = sources.get(client);
  if (!source) {
    const cache = new Map<string, Uint8Array>();
    source = {
      onnxLimits: onnxLimits({
        maxModelBytes: limits.maxModelMb * 1024 * 1024,
        runTimeoutMs: limits.maxRunSeconds * 1000,
        threads: limits.threads,
        maxInputElements: limits.maxInputElements,
        maxRunnerRssMiB: limits.maxRunnerMemoryMb,
      }),
      async onnx(sha256: string): Promise<Uint8Array> {
        const hit = cache.get(sha256);
        if (hit) return hit;
        const bytes = new Uint8Array(Buffer.from((await client.onnxModel(sha256)).onnx, 'base64'));
        if (sha256Hex(bytes) !== sha256) return bytes;
        if (cache.size >= 8) cache.delete(cache.keys().next().value as string);
        cache.set(sha256, bytes);
        return bytes;
      },
    };
    sources.set(client, source);
  }
  return source;
}
