/** Sign-in, token refresh and sign-out, the caller's identity, and API tokens. */
import {
  ApiTokenSchema,
  ChangePasswordRequestSchema,
  CreateApiTokenRequestSchema,
  CreatedApiTokenSchema,
  ErrorBodySchema,
  IdParamsSchema,
  LoginRequestSchema,
  MeSchema,
  RefreshRequestSchema,
  TokenPairSchema,
} from '@fedhub/protocol';
import { z } from 'zod';
import { visibleCollaborationIds } from '../../access/membership.js';
import type { HubModule } from '../../core/module.js';
import {
  bearerOf,
  changePassword,
  createApiToken,
  listApiTokens,
  login,
  revokeApiToken,
  sessionOfAccessToken,
} from './service.js';
import { revokeRefreshFamily, revokeSession, rotateRefreshToken } from './tokens.js';

const OkSchema = z.object({ ok: z.literal(true) }).meta({ id: 'Ok' });
const LogoutRequestSchema = z
  .object({ refreshToken: z.string().max(4096).optional() })
  .meta({ id: 'LogoutRequest' });

export const authRoutes: HubModule = async (app, { ctx, auth }) => {
  const rateLimit = { max: ctx.config.loginRateLimitPerMinute, timeWindow: 60_000 };
  app.post(
    '/auth/login',
    {
      config: { rateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with a password',
        body: LoginRequestSchema,
        response: { 200: TokenPairSchema, 401: ErrorBodySchema, 423: ErrorBodySchema },
      },
    },
    (req) => login(ctx, req.body, req.ip),
  );
  app.post(
    '/auth/refresh',
    {
      config: { rateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new pair (the old one stops working)',
        body: RefreshRequestSchema,
        response: { 200: TokenPairSchema, 401: ErrorBodySchema },
      },
    },
    (req) => rotateRefreshToken(ctx, req.body.refreshToken),
  );
  app.post(
    '/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Sign out: revoke the refresh token, every token rotated from the same sign-in and their access tokens',
        body: LogoutRequestSchema,
        response: { 200: OkSchema },
      },
    },
    async (req) => {
      if (req.body.refreshToken) await revokeRefreshFamily(ctx, req.body.refreshToken);
      // the access token of the request, if any, ends with its session even without the refresh token
      const sid = await sessionOfAccessToken(ctx, bearerOf(req.headers.authorization));
      if (sid) await revokeSession(ctx, sid);
      return { ok: true as const };
    },
  );
  app.get(
    '/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        response: { 200: MeSchema, 401: ErrorBodySchema },
      },
    },
    async (req) => {
      const user = await auth.user(req);
      const vis = await visibleCollaborationIds(ctx.db.db, user);
      const collaborationIds = vis.all
        ? (await ctx.db.db.selectFrom('collaborations').select('id').orderBy('created_at').execute()).map(
            (r) => r.id,
          )
        : [...vis.ids].sort();
      return {
        id: user.id,
        username: user.username,
        organisationId: user.organisationId,
        roles: user.roles,
        collaborationIds,
        ...(user.passwordChangeRequired ? { passwordChangeRequired: true } : {}),
      };
    },
  );
  app.post(
    '/me/password',
    {
      config: { rateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Change your password; signs out your other sessions',
        body: ChangePasswordRequestSchema,
        response: { 200: OkSchema, 400: ErrorBodySchema, 401: ErrorBodySchema },
      },
    },
    async (req) => {
      await changePassword(ctx, await auth.user(req), req.body);
      return { ok: true as const };
    },
  );
  app.post(
    '/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an API token (shown once)',
        body: CreateApiTokenRequestSchema,
        response: { 201: CreatedApiTokenSchema },
      },
    },
    async (req, reply) => {
      const user = await auth.user(req);
      reply.code(201);
      return createApiToken(ctx, user, req.body);
    },
  );
  app.get(
    '/tokens',
    { schema: { tags: ['auth'], summary: 'Your API tokens', response: { 200: z.array(ApiTokenSchema) } } },
    async (req) => listApiTokens(ctx, await auth.user(req)),
  );
  app.delete(
    '/tokens/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke one of your API tokens',
        params: IdParamsSchema,
        response: { 200: OkSchema, 404: ErrorBodySchema },
      },
    },
    async (req) => {
      await revokeApiToken(ctx, await auth.user(req), req.params.id);
      return { ok: true as const };
    },
  );
};
