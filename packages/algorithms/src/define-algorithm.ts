import { FedhubError, type Json } from '@fedhub/protocol';
import { z } from 'zod';
import { algorithmDigest, definitionSite } from './algorithm-digest.js';
import { columnsRead } from './columns-read.js';
import type { FederatedAlgorithm, NodePart } from './types.js';

/**
 * What an algorithm's author writes. Required by the type: the parameter schema, the result schema (from
 * @fedhub/protocol's `results`), the release texts, and a `local` half that can only return a release
 * built by `release(payload, { subsetSize, cells, parameters })`, so no number leaves without its cells.
 */
type Definition<P, Input, State, Payload, Result> = Omit<
  FederatedAlgorithm<P, Input, State, Payload, Result>,
  'digest' | 'paramsJsonSchema'
>;

/** Where a schema refused a value, in words: the path and zod's message (which names types, never values). */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join('.') || '(top)'}: ${issue?.message}`;
}

/**
 * The parts with their payloads checked against `schema` (and as it parses them); a node's payload that
 * does not match fails the round, naming the node and where it differs.
 */
export function checkPayloads<Payload>(
  algorithm: string,
  schema: z.ZodType<Payload>,
  parts: ReadonlyArray<NodePart<unknown>>,
): NodePart<Payload>[] {
  return parts.map((p) => {
    const checked = schema.safeParse(p.payload);
    if (!checked.success)
      throw new FedhubError(
        'FH_ERR_ALGORITHM_FAILED',
        `${algorithm}: node ${p.nodeName} sent a payload that does not match this algorithm's payloads at ${firstIssue(checked.error)}`,
      );
    return { ...p, payload: checked.data };
  });
}

/**
 * Builds an algorithm from its halves and computes its digest from the name, version, parameter schema and
 * the content of every module it can execute (algorithm-digest.ts), so that any change of code, helpers
 * and stats included, gives a new digest (and reopens approval).
 * The digest and the JSON Schema are computed when first asked for: converting every registered
 * algorithm's parameter schema (the recursive filter grammar most of all) at import cost a tenth of a
 * second of every command's start.
 */
export function defineAlgorithm<P, Input = Json, State = Json, Payload = Json, Result = Json>(
  def: Definition<P, Input, State, Payload, Result>,
): FederatedAlgorithm<P, Input, State, Payload, Result> {
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
  type Algorithm = FederatedAlgorithm<P, Input, State, Payload, Result>;
  // the node's edge: a round input that is not one of this algorithm's inputs is refused before any data
  // is read (the input comes from the hub, over the network)
  const inputSchema = def.inputSchema;
  const local: Algorithm['local'] = inputSchema
    ? (ctx, params, input, round) => {
        const checked = inputSchema.safeParse(input);
        if (!checked.success)
          throw new FedhubError(
            'FH_ERR_ALGORITHM_FAILED',
            `${def.name}: the round's input from the hub does not match this algorithm's inputs at ${firstIssue(checked.error)}`,
          );
        return def.local(ctx, params, checked.data, round);
      }
    : def.local;
  // the hub's edge: each node's payload is checked before the aggregate reads it
  const payloadSchema = def.payloadSchema;
  const partsOf = (parts: NodePart<Payload>[]): NodePart<Payload>[] =>
    payloadSchema ? checkPayloads(def.name, payloadSchema, parts) : parts;
  // every done result is checked against the algorithm's own result schema: a result the web, the sdk and
  // the CLI cannot read is the algorithm's failure, found where it is made
  const aggregate: Algorithm['aggregate'] = (a) => {
    const out = def.aggregate({ ...a, parts: partsOf(a.parts) });
    if (out.kind === 'done') {
      const checked = def.resultSchema.safeParse(out.result);
      if (!checked.success)
        throw new FedhubError(
          'FH_ERR_ALGORITHM_FAILED',
          `${def.name}: the result does not match its schema at ${firstIssue(checked.error)}`,
        );
    }
    return out;
  };
  const algorithm = {
    ...def,
    local,
    aggregate,
    // every column the parameters read, whatever this algorithm's own list forgot (formulas, filters)
    variables: (p: P) => columnsRead(def.variables(p), p),
    paramsJsonSchema: () => structuredClone(once().jsonSchema),
  };
  Object.defineProperty(algorithm, 'digest', { get: () => once().digest, enumerable: true });
  return Object.freeze(algorithm) as Algorithm;
}
