/** A task refused at submission for being outside its study leaves a trace in the audit trail. */
import { withTransaction } from '@fedhub/db';
import type { FedhubError } from '@fedhub/protocol';
import type { UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { appendAudit } from '../audit/service.js';

/** Records the refusal in its own transaction (the refused task itself is never stored). */
export async function auditStudyRefusal(
  ctx: HubContext,
  user: UserPrincipal,
  studyId: string,
  asked: { algorithm: string; version: string },
  refusal: FedhubError,
): Promise<void> {
  await withTransaction(ctx.db, (trx) =>
    appendAudit(ctx.db.dialect, trx, {
      at: ctx.nowIso(),
      actor: `user:${user.id}`,
      action: 'task.refused',
      object: `study:${studyId}`,
      // the error names columns and algorithms, never data values
      details: { ...asked, code: refusal.code, message: refusal.message },
    }),
  );
}
