import { FedhubError } from '@fedhub/protocol';
import { z } from 'zod';
import { algorithmDigest, definitionSite } from './algorithm-digest.js';
import { columnsRead } from './columns-read.js';
import type { FederatedAlgorithm } from './types.js';

/**
 * What an algorithm's author writes. Required by the type: the parameter schema, the result schema (from
 * @fedhub/protocol's `results`), the release texts, and a `local` half that can only return a release
 * built by `release(payload, { subsetSize, cells, parameters })`, so no number leaves without its cells.
 */
type Definition<P> = Omit<FederatedAlgorithm<P>, 'digest' | 'paramsJsonSchema'>;

/**
 * Builds an algorithm from its halves and computes its digest from the name, version, parameter schema and
 * the content of every module it can execute (algorithm-digest.ts), so that any change of code, helpers
 * and stats included, gives a new digest (and reopens approval).
 * The digest and the JSON Schema are computed when first asked for: converting every registered
 * algorithm's parameter schema (the recursive filter grammar most of all) at import cost a tenth of a
 * second of every command's start.
 */
export function defineAlgorithm<P>(def: Definition<P>): FederatedAlgorithm<P> {
  const site = definitionSite();
  let computed: { jsonSchema: Record<string, unknown>; digest: string } | undefined;
  const once = () => {
    if (computed) return computed;
    const jsonSchema = z.toJSONSchema(def.paramsSchema, { io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
    const digest = algorithmDigest({ name: def.name, version: def.version, params: jsonSchema, site });
    computed = { jsonSchema, digest };
    return computed;
  };
  // every done result is checked against the algorithm's own result schema: a result the web, the sdk and
  // the CLI cannot read is the algorithm's failure, found where it is made
  const aggregate: FederatedAlgorithm<P>['aggregate'] = (a) => {
    const out = def.aggregate(a);
    if (out.kind === 'done') {
      const checked = def.resultSchema.safeParse(out.result);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        throw new FedhubError(
          'FH_ERR_ALGORITHM_FAILED',
          `${def.name}: the result does not match its schema at ${issue?.path.join('.') || '(top)'}: ${issue?.message}`,
        );
      }
    }
    return out;
  };
  const algorithm = {
    ...def,
    aggregate,
    // every column the parameters read, whatever this algorithm's own list forgot (formulas, filters)
    variables: (p: P) => columnsRead(def.variables(p), p),
    paramsJsonSchema: () => structuredClone(once().jsonSchema),
  };
  Object.defineProperty(algorithm, 'digest', { get: () => once().digest, enumerable: true });
  return Object.freeze(algorithm) as FederatedAlgorithm<P>;
}
