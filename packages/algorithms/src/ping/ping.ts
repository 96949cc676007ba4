/**
 * `ping`: reads no data and releases only the node's name; used to check a federation end to end and to
 * measure the round-trip overhead of the platform itself.
 */
import { type Json, PingResultSchema } from '@fedhub/protocol';
import { z } from 'zod';
import { defineAlgorithm } from '../define-algorithm.js';
import { release } from '../types.js';

export const PingParamsSchema = z.strictObject({});

export const ping = defineAlgorithm<z.infer<typeof PingParamsSchema>>({
  name: 'ping',
  version: '1.0.0',
  title: 'Connectivity check',
  description: 'Each node answers with its name; no data is read.',
  paramsSchema: PingParamsSchema,
  resultSchema: PingResultSchema,
  releases: { pooled: 'the node name only; no data are read', perNode: null },
  variables: () => ({ dataset: null, columns: [] }),
  firstInput: () => null,
  async local(ctx) {
    return release({ node: ctx.node.name }, { subsetSize: null, cells: [] });
  },
  aggregate({ parts }) {
    return {
      kind: 'done',
      result: { algorithm: 'ping', nodes: parts.map((p) => p.nodeName).sort() } as Json,
    };
  },
});
