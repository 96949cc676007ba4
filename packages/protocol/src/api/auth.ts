import { z } from 'zod';
import { IdSchema, RoleSchema } from '../common.js';

export const LoginRequestSchema = z
  .object({ username: z.string().min(1).max(120), password: z.string().min(1).max(1024) })
  .meta({ id: 'LoginRequest' });

/** Access tokens are short-lived and signed; refresh tokens rotate on every use. */
export const TokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.int().describe('Access-token lifetime in seconds'),
  })
  .meta({ id: 'TokenPair' });
export type TokenPair = z.infer<typeof TokenPairSchema>;

export const RefreshRequestSchema = z
  .object({ refreshToken: z.string().min(1).max(4096) })
  .meta({ id: 'RefreshRequest' });

export const CreateApiTokenRequestSchema = z
  .object({ name: z.string().min(1).max(120), expiresInDays: z.int().min(1).max(3650).default(365) })
  .meta({ id: 'CreateApiTokenRequest' });
export const ApiTokenSchema = z
  .object({
    id: IdSchema,
    name: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiToken' });
/** The secret is shown once, at creation. */
export const CreatedApiTokenSchema = ApiTokenSchema.extend({ token: z.string() }).meta({
  id: 'CreatedApiToken',
});

export const MeSchema = z
  .object({
    id: IdSchema,
    username: z.string(),
    organisationId: IdSchema,
    roles: z.array(RoleSchema),
    collaborationIds: z.array(IdSchema),
    passwordChangeRequired: z
      .boolean()
      .optional()
      .describe('Signed in with a one-time password: change it before anything else'),
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof MeSchema>;

/** Change one's own password (signs out the user's other sessions). */
export const ChangePasswordRequestSchema = z
  .object({
    currentPassword: z.string().min(1).max(1024),
    newPassword: z.string().min(12, 'at least 12 characters').max(1024),
  })
  .meta({ id: 'ChangePasswordRequest' });
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequestSchema>;
