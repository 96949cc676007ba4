/**
 * Nodes that release under differential privacy add a `privacy` block to their partial (mechanism, epsilon,
 * delta, sensitivity and scale of each noisy statistic); the pooled result lists them per node, so a reader
 * knows which numbers are noisy and by how much.
 */
import type { Json } from '@fedhub/protocol';
import type { NodePart } from './types.js';

export function noiseDescriptions(parts: NodePart[]): { privacy?: Json[] } {
  const out: Json[] = [];
  for (const p of parts) {
    const payload = p.payload as { privacy?: Json } | null;
    if (payload && typeof payload === 'object' && payload.privacy)
      out.push({ node: p.nodeName, ...(payload.privacy as Record<string, Json>) });
  }
  return out.length > 0 ? { privacy: out } : {};
}
