/** The hub's tamper-evident audit trail, as the API returns it. */
import { z } from 'zod';

/**
 * A stored audit event: `hash` covers `prevHash` and the entry, so editing, deleting or reordering any
 * event breaks the chain from there on.
 */
export const AuditEventSchema = z
  .object({
    seq: z.int().min(1),
    at: z.string(),
    actor: z.string().describe('user:<id>, node:<id>, hub or anonymous'),
    action: z.string(),
    object: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    prevHash: z.string(),
    hash: z.string(),
    actorName: z
      .string()
      .nullable()
      .optional()
      .describe('The actor by name (username, node name) when the hub still knows it; not part of the hash'),
    objectName: z
      .string()
      .nullable()
      .optional()
      .describe('The object by name (study title, node name, username, …); not part of the hash'),
    detailNames: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'Names of the ids in the details (studyId, nodeIds, organisationId, …), by id, where the hub still knows them; not part of the hash',
      ),
  })
  .meta({ id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/** The result of re-computing the chain from its first entry. */
export const AuditVerificationSchema = z
  .object({
    ok: z.boolean(),
    count: z.int().describe('Entries verified'),
    headHash: z.string().describe('Hash of the last verified entry'),
    broken: z.object({ seq: z.int(), reason: z.string() }).nullable(),
  })
  .meta({ id: 'AuditVerification' });
export type AuditVerification = z.infer<typeof AuditVerificationSchema>;
