import {
  AddOrganisationRequestSchema,
  CollaborationSchema,
  CreateCollaborationRequestSchema,
  ErrorBodySchema,
  IdParamsSchema,
} from '@fedhub/protocol';
import { z } from 'zod';
import type { HubModule } from '../../core/module.js';
import { addOrganisation, createCollaboration, getCollaboration, listCollaborations } from './service.js';

export const collaborationRoutes: HubModule = async (app, { ctx, auth }) => {
  app.get(
    '/collaborations',
    {
      schema: {
        tags: ['collaborations'],
        summary: 'Collaborations you belong to (all for a hub-admin)',
        response: { 200: z.array(CollaborationSchema) },
      },
    },
    async (req) => listCollaborations(ctx, await auth.user(req)),
  );
  app.get(
    '/collaborations/:id',
    {
      schema: {
        tags: ['collaborations'],
        summary: 'One collaboration',
        params: IdParamsSchema,
        response: { 200: CollaborationSchema, 404: ErrorBodySchema },
      },
    },
    async (req) => getCollaboration(ctx, await auth.user(req), req.params.id),
  );
  app.post(
    '/collaborations',
    {
      schema: {
        tags: ['collaborations'],
        summary: 'Create a collaboration (hub-admin)',
        body: CreateCollaborationRequestSchema,
        response: { 201: CollaborationSchema, 403: ErrorBodySchema, 409: ErrorBodySchema },
      },
    },
    async (req, reply) => {
      const c = await createCollaboration(ctx, await auth.user(req), req.body);
      reply.code(201);
      return c;
    },
  );
  app.post(
    '/collaborations/:id/organisations',
    {
      schema: {
        tags: ['collaborations'],
        summary: 'Add an organisation to a collaboration (hub-admin)',
        params: IdParamsSchema,
        body: AddOrganisationRequestSchema,
        response: { 200: CollaborationSchema, 403: ErrorBodySchema, 404: ErrorBodySchema },
      },
    },
    async (req) => addOrganisation(ctx, await auth.user(req), req.params.id, req.body.organisationId),
  );
};
