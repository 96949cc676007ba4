import {
  CreatedNodeSchema,
  CreateNodeRequestSchema,
  ErrorBodySchema,
  IdParamsSchema,
  IdSchema,
  NodeSchema,
} from '@fedhub/protocol';
import { z } from 'zod';
import type { HubModule } from '../../core/module.js';
import { createNode, getNode, listNodes } from './service.js';

const NodeListQuerySchema = z.object({ collaborationId: IdSchema.optional() });

export const nodeRoutes: HubModule = async (app, { ctx, auth }) => {
  app.get(
    '/nodes',
    {
      schema: {
        tags: ['nodes'],
        summary: 'Nodes of your collaborations (or of one)',
        querystring: NodeListQuerySchema,
        response: { 200: z.array(NodeSchema), 404: ErrorBodySchema },
      },
    },
    async (req) => listNodes(ctx, await auth.user(req), req.query.collaborationId),
  );
  app.get(
    '/nodes/:id',
    {
      schema: {
        tags: ['nodes'],
        summary: 'One node',
        params: IdParamsSchema,
        response: { 200: NodeSchema, 404: ErrorBodySchema },
      },
    },
    async (req) => getNode(ctx, await auth.user(req), req.params.id),
  );
  app.post(
    '/nodes',
    {
      schema: {
        tags: ['nodes'],
        summary: 'Register a node; returns its one-time enrolment token (valid 7 days)',
        body: CreateNodeRequestSchema,
        response: {
          201: CreatedNodeSchema,
          403: ErrorBodySchema,
          404: ErrorBodySchema,
          409: ErrorBodySchema,
        },
      },
    },
    async (req, reply) => {
      const created = await createNode(ctx, await auth.user(req), req.body);
      reply.code(201);
      return created;
    },
  );
};
