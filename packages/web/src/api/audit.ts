/**
 * The audit trail through the sdk's methods and protocol's schema (issue 21, item 8: no hand-written
 * types): pages of events with their actor's and object's names, filtered at the hub.
 */
import type { AuditEvent, AuditVerification } from '@fedhub/protocol';
import type { HubClient } from '@fedhub/sdk';

export type { AuditEvent, AuditVerification };

/** What the hub filters on (see HubClient.listAudit). */
export type AuditFilter = { action?: string; actor?: string; username?: string; object?: string };

/** Reads the audit trail as the signed-in user. */
export class AuditApi {
  constructor(private readonly client: HubClient) {}

  /** One page of the trail in chain order (`limit` at most 1000). */
  list(q: AuditFilter & { limit?: number; offset?: number } = {}): Promise<AuditEvent[]> {
    return this.client.listAudit(q);
  }

  /** Every entry that passes `filter`, page by page (the hub caps a page at 1000), at most `max`. */
  async listAll(filter: AuditFilter = {}, max = 20_000): Promise<AuditEvent[]> {
    const out: AuditEvent[] = [];
    for (;;) {
      const page = await this.list({ ...filter, limit: 1000, offset: out.length });
      out.push(...page);
      if (page.length < 1000 || out.length >= max) return out;
    }
  }

  /** Re-computes the hash chain at the hub. */
  verify(): Promise<AuditVerification> {
    return this.client.verifyAudit();
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
