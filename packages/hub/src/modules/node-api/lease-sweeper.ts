/**
 * Re-queues claimed runs whose lease has expired on the hub clock (the node died, hung or lost its
 * network): delivery is at-least-once, and the attempt counter makes the late result of the lost attempt
 * stale. Safe with several hub processes: each re-queue is a conditional update on (id, attempt, status).
 * A run whose lease expired `maxRunAttempts` times fails for good (FH_ERR_RUN_ATTEMPTS), and its round
 * closes: a poison task cannot hold a node, or its task, forever.
 */
import { lockForUpdate, toJson } from '@fedhub/db';
import type { ErrorBody } from '@fedhub/protocol';
import type { HubContext } from '../../core/context.js';
import { withEffects } from '../../core/effects.js';
import { appendAudit } from '../audit/service.js';
import { closeRoundIfComplete } from '../tasks/aggregation.js';
import { bumpRevision, runUpdatedEvent } from '../tasks/task-events.js';

/** Largest number of runs re-queued per sweep (the next sweep takes the rest). */
const SWEEP_BATCH = 200;

/** Re-queues expired leases; returns how many runs went back to the queue. */
export async function sweepExpiredLeases(ctx: HubContext): Promise<number> {
  const now = ctx.nowIso();
  const expired = await ctx.db.db
    .selectFrom('runs')
    .select(['id', 'task_id'])
    .where('status', '=', 'claimed')
    .where('lease_expires_at', '<', now)
    .limit(SWEEP_BATCH)
    .execute();
  if (expired.length === 0) return 0;
  let count = 0;
  // One transaction per run: the audit append holds a lock until commit, and waiting for a second task's
  // row while holding it could deadlock with a result being stored for that task.
  for (const { id, task_id } of expired) {
    const requeued = await withEffects(ctx, async (trx, fx) => {
      // the task first, as a result being stored locks it (then its run): closing the round needs it
      const task = await lockForUpdate(
        ctx.db.dialect,
        trx.selectFrom('tasks').selectAll().where('id', '=', task_id),
      ).executeTakeFirstOrThrow();
      const run = await trx
        .selectFrom('runs')
        .innerJoin('nodes', 'nodes.id', 'runs.node_id')
        .selectAll('runs')
        .select('nodes.name as node_name')
        .where('runs.id', '=', id)
        .executeTakeFirst();
      // re-read inside the transaction: another hub process may have re-queued or finished it meanwhile
      if (run?.status !== 'claimed' || run.lease_expires_at === null || run.lease_expires_at >= now)
        return false;
      const attempts = Number(run.attempt);
      if (attempts >= ctx.config.maxRunAttempts) {
        const error: ErrorBody = {
          code: 'FH_ERR_RUN_ATTEMPTS',
          message: `the node lost the lease of this run ${attempts} times (at most ${ctx.config.maxRunAttempts} attempts): the run failed`,
          details: { attempts, maxRunAttempts: ctx.config.maxRunAttempts },
        };
        const res = await trx
          .updateTable('runs')
          .set({ status: 'failed', lease_expires_at: null, finished_at: now, error: toJson(error) })
          .where('id', '=', id)
          .where('status', '=', 'claimed')
          .where('attempt', '=', run.attempt)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return false;
        await bumpRevision(trx, run.task_id);
        await appendAudit(ctx.db.dialect, trx, {
          at: now,
          actor: 'hub',
          action: 'run.failed',
          object: `run:${id}`,
          details: { taskId: run.task_id, nodeId: run.node_id, attempts, code: error.code },
        });
        fx.events.push(
          runUpdatedEvent({ ...run, status: 'failed', lease_expires_at: null }, run.node_name, now),
        );
        await closeRoundIfComplete(ctx, trx, task, fx);
        return true;
      }
      const res = await trx
        .updateTable('runs')
        .set({ status: 'queued', lease_expires_at: null })
        .where('id', '=', id)
        .where('status', '=', 'claimed')
        .where('attempt', '=', run.attempt)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await bumpRevision(trx, run.task_id);
      await appendAudit(ctx.db.dialect, trx, {
        at: now,
        actor: 'hub',
        action: 'run.requeued',
        object: `run:${id}`,
        details: {
          taskId: run.task_id,
          nodeId: run.node_id,
          attempt: Number(run.attempt),
          leaseExpiredAt: run.lease_expires_at,
        },
      });
      fx.events.push(
        runUpdatedEvent({ ...run, status: 'queued', lease_expires_at: null }, run.node_name, now),
      );
      fx.nodes.add(run.node_id);
      return true;
    });
    if (requeued) count++;
  }
  return count;
}
