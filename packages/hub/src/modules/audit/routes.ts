import { AuditEventSchema, AuditVerificationSchema, ErrorBodySchema } from '@fedhub/protocol';
import { z } from 'zod';
import { requireRole, visibleCollaborationIds } from '../../access/membership.js';
import type { HubModule } from '../../core/module.js';
import { auditScope } from './audit-scope.js';
import { listAudit, verifyAudit } from './service.js';

const AuditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  action: z.string().max(64).optional().describe('An action ("task.submitted"), or all of a kind ("task.")'),
  actor: z.string().max(200).optional().describe('Who acted: user:<id>, node:<id> or hub'),
  username: z
    .string()
    .max(200)
    .optional()
    .describe('Who acted, by username (an unknown name matches nothing)'),
  object: z
    .string()
    .max(200)
    .optional()
    .describe('What it was about: study:<id>, or every object of a kind ("study:")'),
});

export const auditRoutes: HubModule = async (app, { ctx, auth }) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary:
          "The audit trail in chain order: a hub-admin's whole chain, an auditor's organisation and collaborations",
        querystring: AuditQuerySchema,
        response: { 200: z.array(AuditEventSchema), 403: ErrorBodySchema },
      },
    },
    async (req) => {
      const user = await auth.user(req);
      requireRole(user, 'auditor');
      return listAudit(ctx.db, req.query, auditScope(user, await visibleCollaborationIds(ctx.db.db, user)));
    },
  );
  app.get(
    '/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Re-compute the hash chain from the first entry (auditor or hub-admin)',
        response: { 200: AuditVerificationSchema, 403: ErrorBodySchema },
      },
    },
    async (req) => {
      requireRole(await auth.user(req), 'auditor');
      return verifyAudit(ctx.db);
    },
  );
};
