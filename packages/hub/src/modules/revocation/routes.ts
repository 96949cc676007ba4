/** Revocation routes (issue 15, item 10): every one audited with its reason; see service.ts for who may. */
import {
  ApiTokenInfoSchema,
  CollaborationOrganisationParamsSchema,
  CollaborationSchema,
  ErrorBodySchema,
  IdParamsSchema,
  RekeyNodeResponseSchema,
  ResetPasswordRequestSchema,
  RevocationReasonSchema,
  RevokeApiTokensRequestSchema,
  RevokedCountSchema,
  SetRolesRequestSchema,
  UserSchema,
} from '@fedhub/protocol';
import { z } from 'zod';
import type { HubModule } from '../../core/module.js';
import {
  deleteUser,
  disableUser,
  enableUser,
  listApiTokens,
  rekeyNode,
  removeOrganisation,
  resetPassword,
  revokeApiTokens,
  revokeNode,
  revokeSessions,
  setRoles,
} from './service.js';

const errors = { 400: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema };

export const revocationRoutes: HubModule = async (app, { ctx, auth }) => {
  const userAction = (
    path: string,
    summary: string,
    fn: typeof disableUser,
    method: 'POST' | 'DELETE' = 'POST',
  ) =>
    app.route({
      method,
      url: path,
      schema: {
        tags: ['users'],
        summary,
        params: IdParamsSchema,
        body: RevocationReasonSchema,
        response: { 200: UserSchema, ...errors },
      },
      handler: async (req) => fn(ctx, await auth.user(req), req.params.id, req.body.reason),
    });
  userAction(
    '/users/:id/disable',
    'Disable a user: no sign-in, sessions and API tokens revoked (hub-admin)',
    disableUser,
  );
  userAction('/users/:id/enable', 'Enable a disabled user (hub-admin)', enableUser);
  userAction(
    '/users/:id/sessions/revoke',
    'Sign a user out everywhere: sessions and access tokens revoked, API tokens kept (hub-admin)',
    revokeSessions,
  );
  userAction(
    '/users/:id',
    'Delete a user: disabled, renamed, no password or roles (hub-admin)',
    deleteUser,
    'DELETE',
  );
  app.patch(
    '/users/:id/roles',
    {
      schema: {
        tags: ['users'],
        summary: "Replace a user's roles; their sessions are revoked (hub-admin)",
        params: IdParamsSchema,
        body: SetRolesRequestSchema,
        response: { 200: UserSchema, ...errors },
      },
    },
    async (req) => setRoles(ctx, await auth.user(req), req.params.id, req.body.roles, req.body.reason),
  );
  app.post(
    '/users/:id/password-reset',
    {
      schema: {
        tags: ['users'],
        summary: "Set a user's password; sessions and API tokens revoked, lock lifted (hub-admin)",
        params: IdParamsSchema,
        body: ResetPasswordRequestSchema,
        response: { 200: UserSchema, ...errors },
      },
    },
    async (req) =>
      resetPassword(ctx, await auth.user(req), req.params.id, req.body.password, req.body.reason),
  );
  app.get(
    '/users/:id/api-tokens',
    {
      schema: {
        tags: ['users'],
        summary: "A user's API tokens, without secrets (hub-admin, or the user)",
        params: IdParamsSchema,
        response: { 200: z.array(ApiTokenInfoSchema), ...errors },
      },
    },
    async (req) => listApiTokens(ctx, await auth.user(req), req.params.id),
  );
  app.post(
    '/users/:id/api-tokens/revoke',
    {
      schema: {
        tags: ['users'],
        summary: 'Revoke one or every API token of a user (hub-admin)',
        params: IdParamsSchema,
        body: RevokeApiTokensRequestSchema,
        response: { 200: RevokedCountSchema, ...errors },
      },
    },
    async (req) => revokeApiTokens(ctx, await auth.user(req), req.params.id, req.body),
  );
  app.post(
    '/nodes/:id/revoke',
    {
      schema: {
        tags: ['nodes'],
        summary:
          "Revoke a node: its token stops working, its open runs fail (hub-admin or the node's node-admin)",
        params: IdParamsSchema,
        body: RevocationReasonSchema,
        response: { 200: z.object({ nodeId: z.string(), failedRuns: z.int() }), ...errors },
      },
    },
    async (req) => revokeNode(ctx, await auth.user(req), req.params.id, req.body.reason),
  );
  app.post(
    '/nodes/:id/rekey',
    {
      schema: {
        tags: ['nodes'],
        summary:
          "Void a node's token and keys and issue a new enrolment token (hub-admin or the node's node-admin)",
        params: IdParamsSchema,
        body: RevocationReasonSchema,
        response: { 200: RekeyNodeResponseSchema, ...errors },
      },
    },
    async (req) => rekeyNode(ctx, await auth.user(req), req.params.id, req.body.reason),
  );
  app.delete(
    '/collaborations/:id/organisations/:organisationId',
    {
      schema: {
        tags: ['collaborations'],
        summary: 'Remove an organisation from a collaboration; its nodes there are revoked (hub-admin)',
        params: CollaborationOrganisationParamsSchema,
        body: RevocationReasonSchema,
        response: { 200: CollaborationSchema, ...errors },
      },
    },
    async (req) =>
      removeOrganisation(
        ctx,
        await auth.user(req),
        req.params.id,
        req.params.organisationId,
        req.body.reason,
      ),
  );
};
