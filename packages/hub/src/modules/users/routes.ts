import { CreateUserRequestSchema, ErrorBodySchema, UserSchema } from '@fedhub/protocol';
import { z } from 'zod';
import type { HubModule } from '../../core/module.js';
import { createUser, listUsers } from './service.js';

export const userRoutes: HubModule = async (app, { ctx, auth }) => {
  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Every user (hub-admin)',
        response: { 200: z.array(UserSchema), 403: ErrorBodySchema },
      },
    },
    async (req) => listUsers(ctx, await auth.user(req)),
  );
  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user (hub-admin)',
        body: CreateUserRequestSchema,
        response: { 201: UserSchema, 403: ErrorBodySchema, 409: ErrorBodySchema },
      },
    },
    async (req, reply) => {
      const user = await createUser(ctx, await auth.user(req), req.body);
      reply.code(201);
      return user;
    },
  );
};
