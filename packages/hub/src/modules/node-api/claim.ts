/**
 * Claiming work: a long-poll that atomically takes a queued run of the node and leases it: the oldest run
 * of the study the node served least recently (round-robin across studies).
 */
import { forUpdateSkipLocked, fromJson, isoTime } from '@fedhub/db';
import { type Json, type RunAssignment, studyDescriptor } from '@fedhub/protocol';
import type { NodePrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { withEffects } from '../../core/effects.js';
import { studyOut } from '../../core/mappers.js';
import { appendAudit } from '../audit/service.js';
import { bumpRevision, runUpdatedEvent } from '../tasks/task-events.js';
import { sweepExpiredLeases } from './lease-sweeper.js';

/** Takes one queued run for the node, or returns null when there is none. */
export async function claimOnce(ctx: HubContext, node: NodePrincipal): Promise<RunAssignment | null> {
  const assignment = await withEffects(ctx, async (trx, fx) => {
    const candidate = await forUpdateSkipLocked(
      ctx.db.dialect,
      trx
        .selectFrom('runs')
        .innerJoin('tasks', 'tasks.id', 'runs.task_id')
        .select(['runs.id'])
        .where('runs.node_id', '=', node.id)
        .where('runs.status', '=', 'queued')
        .where('tasks.status', '=', 'running')
        // fair across studies: the study this node served least recently first (round-robin), so one
        // study's queue (or a poison task's retries) cannot hold back another study's runs
        .orderBy((eb) =>
          eb.fn.coalesce(
            eb
              .selectFrom('runs as served')
              .innerJoin('tasks as served_task', 'served_task.id', 'served.task_id')
              .select((s) => s.fn.max('served.started_at').as('last'))
              .where('served.node_id', '=', node.id)
              .whereRef('served_task.study_id', '=', 'tasks.study_id'),
            eb.val(''),
          ),
        )
        .orderBy('runs.created_at')
        .orderBy('runs.id')
        .limit(1),
      'runs',
    ).executeTakeFirst();
    const nowMs = ctx.clock.now();
    const now = isoTime(nowMs);
    await trx.updateTable('nodes').set({ last_seen_at: now }).where('id', '=', node.id).execute();
    if (!candidate) return null;
    const leaseExpiresAt = isoTime(nowMs + ctx.config.leaseMs);
    const res = await trx
      .updateTable('runs')
      .set((eb) => ({
        status: 'claimed',
        attempt: eb('attempt', '+', 1),
        lease_expires_at: leaseExpiresAt,
        started_at: eb.fn.coalesce('started_at', eb.val(now)),
      }))
      .where('id', '=', candidate.id)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return null;
    const run = await trx
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', candidate.id)
      .executeTakeFirstOrThrow();
    const task = await trx
      .selectFrom('tasks')
      .selectAll()
      .where('id', '=', run.task_id)
      .executeTakeFirstOrThrow();
    const peers = await trx
      .selectFrom('runs')
      .innerJoin('nodes', 'nodes.id', 'runs.node_id')
      .select([
        'nodes.id as nodeId',
        'nodes.x25519_public_key as x25519',
        'nodes.organisation_id as organisationId',
      ])
      .where('runs.task_id', '=', run.task_id)
      .where('runs.round', '=', run.round)
      // a round restarted after a dropout masks among the remaining nodes only
      .where('runs.status', '!=', 'cancelled')
      .orderBy('nodes.id')
      .execute();
    const studyRow = await trx
      .selectFrom('studies')
      .selectAll()
      .where('id', '=', task.study_id)
      .executeTakeFirstOrThrow();
    // the order getStudy gives, so that the descriptor equals the study as the API shows it
    const studyNodes = await trx
      .selectFrom('study_nodes')
      .innerJoin('nodes', 'nodes.id', 'study_nodes.node_id')
      .select('study_nodes.node_id')
      .where('study_nodes.study_id', '=', task.study_id)
      .orderBy('nodes.created_at')
      .orderBy('nodes.name')
      .execute();
    const study = studyDescriptor(
      studyOut(
        studyRow,
        studyNodes.map((r) => r.node_id),
      ),
    );
    const requester = await trx
      .selectFrom('users')
      .select(['id', 'username'])
      .where('id', '=', task.created_by)
      .executeTakeFirst();
    await bumpRevision(trx, run.task_id);
    await appendAudit(ctx.db.dialect, trx, {
      at: now,
      actor: `node:${node.id}`,
      action: 'run.claimed',
      object: `run:${run.id}`,
      details: { taskId: run.task_id, round: Number(run.round), attempt: Number(run.attempt) },
    });
    fx.events.push(runUpdatedEvent(run, node.name, now));
    return {
      runId: run.id,
      taskId: run.task_id,
      studyId: task.study_id,
      study,
      algorithm: task.algorithm,
      version: task.version,
      digest: task.digest,
      params: fromJson<Json>(task.params),
      round: Number(run.round),
      firstRound: Number(task.first_round ?? 1),
      attempt: Number(run.attempt),
      input: fromJson<Json>(run.input),
      leaseExpiresAt,
      leaseMs: ctx.config.leaseMs,
      peers: peers.map((p) => ({
        nodeId: p.nodeId,
        x25519: p.x25519 ?? '',
        organisationId: p.organisationId,
      })),
      ...(requester ? { requester: { userId: requester.id, username: requester.username } } : {}),
    } satisfies RunAssignment;
  });
  return assignment;
}

/**
 * Waits up to `waitMs` for a run: woken at once by this process when runs are queued for the node, and
 * re-checking the database every pollIntervalMs for runs queued by other hub processes. Stops early when
 * `signal` aborts (the client disconnected).
 */
export async function claim(
  ctx: HubContext,
  node: NodePrincipal,
  waitMs: number,
  signal?: AbortSignal,
): Promise<RunAssignment | null> {
  const deadline = Date.now() + waitMs;
  await sweepExpiredLeases(ctx);
  for (let first = true; ; first = false) {
    // A node that hung up gets nothing: a run claimed now would sit leased to nobody until it expired.
    if (signal?.aborted) return null;
    // After the first try, a read decides whether to try again: claimOnce is a write transaction (it
    // records the node as seen), and hundreds of idle nodes polling twice a second would queue every
    // other write behind theirs.
    if (first || (await hasQueuedRun(ctx, node.id))) {
      const run = await claimOnce(ctx, node);
      if (run) return run;
    }
    const left = deadline - Date.now();
    if (left <= 0 || ctx.claimWaiters.closed) return null;
    await ctx.claimWaiters.wait(node.id, Math.min(left, ctx.config.pollIntervalMs));
  }
}

/** Whether a run is queued for the node in a running task (a read, no lock). */
async function hasQueuedRun(ctx: HubContext, nodeId: string): Promise<boolean> {
  const row = await ctx.db.db
    .selectFrom('runs')
    .innerJoin('tasks', 'tasks.id', 'runs.task_id')
    .select('runs.id')
    .where('runs.node_id', '=', nodeId)
    .where('runs.status', '=', 'queued')
    .where('tasks.status', '=', 'running')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
