/** The audit routes, which `@fedhub/sdk` has no methods for yet (a small wrapper over its JsonHttp). */
import { JsonHttp } from '@fedhub/sdk';
import { z } from 'zod';

/** One entry of the hash-chained audit trail, as GET /api/audit returns it. */
export const AuditEventSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  object: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
/** One audit entry. */
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/** The answer of GET /api/audit/verify. */
export const AuditVerificationSchema = z.object({
  ok: z.boolean(),
  count: z.number().int(),
  headHash: z.string(),
  broken: z.object({ seq: z.number().int(), reason: z.string() }).nullable(),
});
/** The chain verification. */
export type AuditVerification = z.infer<typeof AuditVerificationSchema>;

/** Reads the audit trail with the signed-in user's access token. */
export class AuditApi {
  private readonly http: JsonHttp;
  constructor(baseUrl: string, accessToken: () => string | undefined) {
    this.http = new JsonHttp({
      baseUrl,
      authorization: () => {
        const t = accessToken();
        return t ? `Bearer ${t}` : undefined;
      },
    });
  }

  /** One page of the trail in chain order (`limit` at most 1000). */
  list(q: { limit?: number; offset?: number; action?: string } = {}): Promise<AuditEvent[]> {
    const p = new URLSearchParams();
    if (q.limit !== undefined) p.set('limit', String(q.limit));
    if (q.offset !== undefined) p.set('offset', String(q.offset));
    if (q.action) p.set('action', q.action);
    const qs = p.toString();
    return this.http.request('GET', `/api/audit${qs ? `?${qs}` : ''}`, z.array(AuditEventSchema));
  }

  /** Every entry, page by page (the hub caps a page at 1000). */
  async listAll(action?: string, max = 20_000): Promise<AuditEvent[]> {
    const out: AuditEvent[] = [];
    for (;;) {
      const page = await this.list({ limit: 1000, offset: out.length, action });
      out.push(...page);
      if (page.length < 1000 || out.length >= max) return out;
    }
  }

  /** Re-computes the hash chain at the hub. */
  verify(): Promise<AuditVerification> {
    return this.http.request('GET', '/api/audit/verify', AuditVerificationSchema);
  }
}

/** Audit filters applied in the browser: actor substring and an inclusive date range (YYYY-MM-DD, UTC). */
export function filterAudit(
  events: readonly AuditEvent[],
  f: { actor?: string; from?: string; to?: string },
): AuditEvent[] {
  const actor = f.actor?.trim().toLowerCase();
  return events.filter((e) => {
    if (actor && !e.actor.toLowerCase().includes(actor)) return false;
    const day = e.at.slice(0, 10);
    if (f.from && day < f.from) return false;
    if (f.to && day > f.to) return false;
    return true;
  });
}

/**
 * The events of one study: the study's own (object `study:<id>`), those naming it in their details
 * (task submissions, model registrations, approvals) and those on its tasks or their runs. The hub's audit
 * route filters by action only, so this runs in the browser over the trail.
 */
export function studyAuditEvents(
  events: readonly AuditEvent[],
  studyId: string,
  taskIds: Iterable<string>,
): AuditEvent[] {
  const tasks = new Set(taskIds);
  return events.filter((e) => {
    if (e.object === `study:${studyId}`) return true;
    if (e.details.studyId === studyId) return true;
    if (e.object?.startsWith('task:') && tasks.has(e.object.slice(5))) return true;
    const taskId = e.details.taskId;
    return typeof taskId === 'string' && tasks.has(taskId);
  });
}
