import { createHash } from 'node:crypto';
import { canonicalJson } from '@fedhub/protocol';
import { z } from 'zod';
import type { FederatedAlgorithm } from './types.js';

type Definition<P> = Omit<FederatedAlgorithm<P>, 'digest' | 'paramsJsonSchema'>;

/**
 * Builds an algorithm from its halves and computes its digest from the name, version, parameter schema and
 * the source text of both halves, so that any change of code gives a new digest (and reopens approval).
 */
export function defineAlgorithm<P>(def: Definition<P>): FederatedAlgorithm<P> {
  const jsonSchema = z.toJSONSchema(def.paramsSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  const digest = createHash('sha256')
    .update(
      canonicalJson({
        name: def.name,
        version: def.version,
        params: jsonSchema,
        local: def.local.toString(),
        aggregate: def.aggregate.toString(),
        firstInput: def.firstInput.toString(),
      }),
    )
    .digest('hex');
  return Object.freeze({ ...def, digest, paramsJsonSchema: () => structuredClone(jsonSchema) });
}
