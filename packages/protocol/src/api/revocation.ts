/**
 * Revocation (issue 15, item 10): an administrator disables or deletes a user, changes roles, revokes
 * another user's API tokens, resets a password; revokes or re-keys a node; removes an organisation from a
 * collaboration. Every one is audited.
 *
 * @example
 * await hub.disableUser(userId, { reason: 'left the hospital' });
 * const { enrolmentToken } = await hub.rekeyNode(nodeId, { reason: 'disk stolen' });
 */
import { z } from 'zod';
import { IdSchema, RoleSchema } from '../common.js';

export const RevocationReasonSchema = z
  .object({ reason: z.string().min(3).max(500).describe('Why (recorded in the audit trail)') })
  .meta({ id: 'RevocationReason' });
export type RevocationReason = z.infer<typeof RevocationReasonSchema>;

export const SetRolesRequestSchema = z
  .object({ roles: z.array(RoleSchema).min(1), reason: z.string().min(3).max(500) })
  .meta({ id: 'SetRolesRequest' });
export type SetRolesRequest = z.infer<typeof SetRolesRequestSchema>;

export const ResetPasswordRequestSchema = z
  .object({
    password: z.string().min(12, 'at least 12 characters').max(1024),
    reason: z.string().min(3).max(500),
  })
  .meta({ id: 'ResetPasswordRequest' });
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequestSchema>;

export const RevokeApiTokensRequestSchema = z
  .object({
    tokenId: IdSchema.optional().describe('One token; every token of the user when omitted'),
    reason: z.string().min(3).max(500),
  })
  .meta({ id: 'RevokeApiTokensRequest' });
export type RevokeApiTokensRequest = z.infer<typeof RevokeApiTokensRequestSchema>;

export const RevokedCountSchema = z
  .object({ revoked: z.int().min(0).describe('How many tokens or sessions were revoked') })
  .meta({ id: 'RevokedCount' });

export const ApiTokenInfoSchema = z
  .object({
    id: IdSchema,
    name: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revoked: z.boolean(),
  })
  .meta({ id: 'ApiTokenInfo' });
export type ApiTokenInfo = z.infer<typeof ApiTokenInfoSchema>;

export const RekeyNodeResponseSchema = z
  .object({
    nodeId: IdSchema,
    enrolmentToken: z.string().describe('One-time token: the node enrols again with fresh keys'),
    enrolmentExpiresAt: z.string(),
  })
  .meta({ id: 'RekeyNodeResponse' });
export type RekeyNodeResponse = z.infer<typeof RekeyNodeResponseSchema>;

export const UserTokenParamsSchema = z.object({ id: IdSchema });
export const CollaborationOrganisationParamsSchema = z.object({ id: IdSchema, organisationId: IdSchema });
