/**
 * `ping`: reads no data and releases only the node's name; used to check a federation end to end and to
 * measure the round-trip overhead of the platform itself.
 */
import type { Json } from '@fedhub/protocol';
import { z } from 'zod';
import { defineAlgorithm } from '../define-algorithm.js';

export const PingParamsSchema = z.strictObject({});

export const ping = defineAlgorithm<z.infer<typeof PingParamsSchema>>({
  name: 'ping',
  version: '1.0.0',
  title: 'Connectivity check',
  description: 'Each node answers with its name; no data is read.',
  paramsSchema: PingParamsSchema,
  variables: () => ({ dataset: null, columns: [] }),
  firstInput: () => null,
  async local(ctx) {
    return { payload: { node: ctx.node.name }, disclosure: { subsetSize: null, cells: [] } };
  },
  aggregate({ parts }) {
    return {
      kind: 'done',
      result: { algorithm: 'ping', nodes: parts.map((p) => p.nodeName).sort() } as Json,
    };
  },
});
