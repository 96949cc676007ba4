/** Requests to manage organisations, users, collaborations, nodes and studies. */
import { z } from 'zod';
import { IdSchema, NameSchema, RoleSchema } from '../common.js';
import { NodeSchema } from '../entities.js';

export const CreateOrganisationRequestSchema = z
  .object({ name: NameSchema, country: z.string().length(2).optional() })
  .meta({ id: 'CreateOrganisationRequest' });

export const CreateUserRequestSchema = z
  .object({
    username: z
      .string()
      .min(3)
      .max(120)
      .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only'),
    displayName: z.string().max(200).optional(),
    password: z.string().min(12, 'at least 12 characters').max(1024),
    organisationId: IdSchema,
    roles: z.array(RoleSchema).min(1),
  })
  .meta({ id: 'CreateUserRequest' });

export const CreateCollaborationRequestSchema = z
  .object({
    name: NameSchema,
    description: z.string().max(2000).optional(),
    organisationIds: z.array(IdSchema).default([]),
  })
  .meta({ id: 'CreateCollaborationRequest' });

export const AddOrganisationRequestSchema = z
  .object({ organisationId: IdSchema })
  .meta({ id: 'AddOrganisationRequest' });

export const CreateNodeRequestSchema = z
  .object({ collaborationId: IdSchema, organisationId: IdSchema, name: NameSchema })
  .meta({ id: 'CreateNodeRequest' });
/** The enrolment token is shown once; the node exchanges it for its credentials. */
export const CreatedNodeSchema = z
  .object({ node: NodeSchema, enrolmentToken: z.string(), enrolmentExpiresAt: z.string() })
  .meta({ id: 'CreatedNode' });

// CreateStudyRequest and UpdateStudyRequest live in ../study.ts.

export const ListQuerySchema = z.object({
  collaborationId: IdSchema.optional(),
  studyId: IdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
