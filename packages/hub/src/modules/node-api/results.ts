/** Run heartbeats (lease extension) and signed results, with round closing in the same transaction. */
import { sha256Hex, verifyMessage } from '@fedhub/crypto';
import { isoTime, lockForUpdate, toJson } from '@fedhub/db';
import { canonicalJson, FedhubError, type RunResultRequest, resultSigningString } from '@fedhub/protocol';
import type { NodePrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { withEffects } from '../../core/effects.js';
import { appendAudit, appendAuditAlone } from '../audit/service.js';
import { closeRoundIfComplete } from '../tasks/aggregation.js';
import { bumpRevision, runUpdatedEvent } from '../tasks/task-events.js';

const TERMINAL = new Set(['completed', 'refused', 'failed']);

async function ownRun(ctx: HubContext, node: NodePrincipal, runId: string) {
  const run = await ctx.db.db
    .selectFrom('runs')
    .selectAll()
    .where('id', '=', runId)
    .where('node_id', '=', node.id)
    .executeTakeFirst();
  if (!run) throw new FedhubError('FH_ERR_NOT_FOUND', 'run not found');
  return run;
}

function stale(message: string, details: Record<string, unknown>): FedhubError {
  return new FedhubError('FH_ERR_STALE_ATTEMPT', message, details);
}

/** Extends the lease of the current attempt; reports `cancelled` when the task was cancelled. */
export async function runHeartbeat(
  ctx: HubContext,
  node: NodePrincipal,
  runId: string,
  attempt: number,
  progress?: { done: number; total: number },
): Promise<{ leaseExpiresAt: string; cancelled: boolean }> {
  const run = await ownRun(ctx, node, runId);
  const nowMs = ctx.clock.now();
  if (run.status === 'cancelled' && Number(run.attempt) === attempt)
    return { leaseExpiresAt: isoTime(nowMs), cancelled: true };
  if (run.status !== 'claimed' || Number(run.attempt) !== attempt)
    throw stale(
      `attempt ${attempt} no longer holds the lease (run is ${run.status}, attempt ${run.attempt})`,
      {
        currentAttempt: Number(run.attempt),
        status: run.status,
      },
    );
  const leaseExpiresAt = isoTime(nowMs + ctx.config.leaseMs);
  const res = await ctx.db.db
    .updateTable('runs')
    .set({
      lease_expires_at: leaseExpiresAt,
      ...(progress
        ? { progress_done: Math.min(progress.done, progress.total), progress_total: progress.total }
        : {}),
    })
    .where('id', '=', runId)
    .where('attempt', '=', attempt)
    .where('status', '=', 'claimed')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1)
    throw stale(`attempt ${attempt} no longer holds the lease`, { currentAttempt: Number(run.attempt) });
  await ctx.db.db
    .updateTable('nodes')
    .set({ last_seen_at: isoTime(nowMs) })
    .where('id', '=', node.id)
    .execute();
  return { leaseExpiresAt, cancelled: false };
}

/**
 * Stores a node's signed result. Checks, in order: the digest covers the payload (or the error), the
 * signature verifies with the node's enrolled Ed25519 key, the attempt is the run's current one. A repeat
 * of an accepted result (same attempt and digest) answers 200 with `duplicate: true` and changes nothing.
 */
export async function postResult(
  ctx: HubContext,
  node: NodePrincipal,
  runId: string,
  body: RunResultRequest,
): Promise<{ accepted: boolean; duplicate: boolean; runId: string; attempt: number }> {
  const run = await ownRun(ctx, node, runId);
  const reject = async (code: 'FH_ERR_DIGEST' | 'FH_ERR_SIGNATURE', message: string): Promise<never> => {
    await appendAuditAlone(ctx.db, {
      at: ctx.nowIso(),
      actor: `node:${node.id}`,
      action: 'result.rejected',
      object: `run:${runId}`,
      details: { taskId: run.task_id, attempt: body.attempt, reason: code },
    });
    throw new FedhubError(code, message);
  };
  if (body.outcome === 'completed' ? body.payload === null : body.error === null)
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      body.outcome === 'completed'
        ? 'a completed result needs a payload'
        : `a ${body.outcome} result needs an error`,
      {
        fields: [{ path: body.outcome === 'completed' ? 'body.payload' : 'body.error', message: 'required' }],
      },
    );
  const covered = body.payload ?? body.error;
  if (sha256Hex(canonicalJson(covered)) !== body.digest)
    await reject('FH_ERR_DIGEST', 'the digest is not the sha256 of the canonical JSON of the payload');
  const signed = resultSigningString({
    taskId: run.task_id,
    runId,
    round: body.round,
    attempt: body.attempt,
    outcome: body.outcome,
    digest: body.digest,
  });
  if (!verifyMessage(node.ed25519PublicKey, signed, body.signature))
    await reject('FH_ERR_SIGNATURE', "the signature does not verify with the node's enrolled Ed25519 key");

  const response = await withEffects(ctx, async (trx, fx) => {
    // Lock the task first: results for one task are then stored one at a time, so whoever stores the
    // last result of a round sees all the others and closes the round.
    const task = await lockForUpdate(
      ctx.db.dialect,
      trx.selectFrom('tasks').selectAll().where('id', '=', run.task_id),
    ).executeTakeFirstOrThrow();
    const current = await trx
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    const currentAttempt = Number(current.attempt);
    if (TERMINAL.has(current.status)) {
      if (currentAttempt === body.attempt && current.digest === body.digest)
        return { accepted: true, duplicate: true, runId, attempt: body.attempt };
      if (currentAttempt === body.attempt)
        throw new FedhubError('FH_ERR_CONFLICT', 'a different result was already accepted for this attempt');
      throw stale(`the run was completed by attempt ${currentAttempt}`, { currentAttempt });
    }
    if (current.status === 'cancelled') throw stale('the task was cancelled', { status: 'cancelled' });
    // A lease that expired and was swept back to the queue no longer belongs to this attempt, even before
    // anyone re-claims it (and storing into a queued run could race a claim of it).
    if (current.status === 'queued')
      throw stale(`the lease of attempt ${body.attempt} expired; the run was re-queued`, { currentAttempt });
    if (currentAttempt !== body.attempt || body.attempt < 1)
      throw stale(`attempt ${body.attempt} is not the run's current attempt (${currentAttempt})`, {
        currentAttempt,
      });
    if (Number(current.round) !== body.round)
      throw stale(`the run belongs to round ${current.round}, not ${body.round}`, {
        round: Number(current.round),
      });
    const at = ctx.nowIso();
    const res = await trx
      .updateTable('runs')
      .set({
        status: body.outcome,
        payload: body.payload === null ? null : toJson(body.payload),
        error: body.error === null ? null : toJson(body.error),
        digest: body.digest,
        signature: body.signature,
        lease_expires_at: null,
        finished_at: at,
      })
      .where('id', '=', runId)
      .where('attempt', '=', body.attempt)
      .where('status', '=', 'claimed')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw stale('the run changed meanwhile', { currentAttempt });
    await bumpRevision(trx, task.id);
    await appendAudit(ctx.db.dialect, trx, {
      at,
      actor: `node:${node.id}`,
      action: body.outcome === 'completed' ? 'result.accepted' : 'result.refused',
      object: `run:${runId}`,
      details: {
        taskId: task.id,
        round: body.round,
        attempt: body.attempt,
        outcome: body.outcome,
        digest: body.digest,
        ...(body.error ? { error: body.error.code } : {}),
      },
    });
    const stored = await trx.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
    fx.events.push(runUpdatedEvent(stored, node.name, at));
    await closeRoundIfComplete(ctx, trx, task, fx);
    return { accepted: true, duplicate: false, runId, attempt: body.attempt };
  });
  return response;
}
