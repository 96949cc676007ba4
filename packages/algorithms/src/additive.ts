/**
 * Additive partials: a flat numeric vector per node whose element-wise sum is all the aggregator needs.
 * A node may send it in the clear (`additive`) or masked for secure aggregation (`maskedAdditive`, see
 * @fedhub/crypto's secure-aggregation): the hub then learns only the sum.
 */
import { sumMaskedVectors } from '@fedhub/crypto';
import { FedhubError, type Json } from '@fedhub/protocol';
import { z } from 'zod';
import type { NodePart } from './types.js';

/** The payload field an algorithm fills with its additive vector; the node may mask it. */
export const ADDITIVE_FIELD = 'additive';
export const MASKED_FIELD = 'maskedAdditive';

/**
 * The additive vector of a payload schema (spread it into the payload's object): in the clear as the node
 * builds it, or masked as the hub may receive it; `sumAdditive` checks that every node sent one, of one
 * length. Its elements are not checked one by one here (a vector of a model's sums can hold 10^5 numbers).
 */
export const additiveFields = {
  [ADDITIVE_FIELD]: z.custom<number[]>((v) => Array.isArray(v), 'expected an array of numbers').optional(),
  [MASKED_FIELD]: z.union([z.string(), z.array(z.string())]).optional(),
};

/** Element-wise sum of the parts' additive vectors, unmasking when the nodes masked them. */
export function sumAdditive(parts: ReadonlyArray<NodePart<unknown>>): Float64Array {
  const payloads = parts.map((p) => p.payload as Record<string, Json>);
  // a packed string (this version's nodes) or an array of hex elements (earlier nodes)
  const masked = payloads.filter(
    (p) => typeof p[MASKED_FIELD] === 'string' || Array.isArray(p[MASKED_FIELD]),
  );
  if (masked.length > 0) {
    if (masked.length !== payloads.length)
      throw new FedhubError(
        'FH_ERR_ALGORITHM_FAILED',
        'some nodes masked their partials and others did not: the masks cannot cancel',
      );
    return Float64Array.from(sumMaskedVectors(payloads.map((p) => p[MASKED_FIELD] as string | string[])));
  }
  const vectors = payloads.map((p, i) => {
    const v = p[ADDITIVE_FIELD];
    if (!Array.isArray(v))
      throw new FedhubError('FH_ERR_ALGORITHM_FAILED', `node ${parts[i]!.nodeName} sent no additive partial`);
    return v as number[];
  });
  const len = vectors[0]?.length ?? 0;
  const sum = new Float64Array(len);
  for (const v of vectors) {
    if (v.length !== len)
      throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'additive partials differ in length');
    for (let i = 0; i < len; i++) sum[i]! += v[i]!;
  }
  return sum;
}
