import { CreateOrganisationRequestSchema, ErrorBodySchema, OrganisationSchema } from '@fedhub/protocol';
import { z } from 'zod';
import type { HubModule } from '../../core/module.js';
import { createOrganisation, listOrganisations } from './service.js';

export const organisationRoutes: HubModule = async (app, { ctx, auth }) => {
  app.get(
    '/organisations',
    {
      schema: {
        tags: ['organisations'],
        summary: 'Organisations you may see',
        response: { 200: z.array(OrganisationSchema) },
      },
    },
    async (req) => listOrganisations(ctx, await auth.user(req)),
  );
  app.post(
    '/organisations',
    {
      schema: {
        tags: ['organisations'],
        summary: 'Create an organisation (hub-admin)',
        body: CreateOrganisationRequestSchema,
        response: { 201: OrganisationSchema, 403: ErrorBodySchema, 409: ErrorBodySchema },
      },
    },
    async (req, reply) => {
      const org = await createOrganisation(ctx, await auth.user(req), req.body);
      reply.code(201);
      return org;
    },
  );
};
