import { createHash } from 'node:crypto';
import { canonicalJson } from '@fedhub/protocol';
import { z } from 'zod';
import type { FederatedAlgorithm } from './types.js';

type Definition<P> = Omit<FederatedAlgorithm<P>, 'digest' | 'paramsJsonSchema'>;

/**
 * Builds an algorithm from its halves and computes its digest from the name, version, parameter schema and
 * the source text of both halves, so that any change of code gives a new digest (and reopens approval).
 * The digest and the JSON Schema are computed when first asked for: converting every registered
 * algorithm's parameter schema (the recursive filter grammar most of all) at import cost a tenth of a
 * second of every command's start.
 */
export function defineAlgorithm<P>(def: Definition<P>): FederatedAlgorithm<P> {
  let computed: { jsonSchema: Record<string, unknown>; digest: string } | undefined;
  const once = () => {
    if (computed) return computed;
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
    computed = { jsonSchema, digest };
    return computed;
  };
  const algorithm = { ...def, paramsJsonSchema: () => structuredClone(once().jsonSchema) };
  Object.defineProperty(algorithm, 'digest', { get: () => once().digest, enumerable: true });
  return Object.freeze(algorithm) as FederatedAlgorithm<P>;
}
