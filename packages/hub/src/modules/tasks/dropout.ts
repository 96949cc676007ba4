/**
 * Dropout under secure aggregation. A node's masked partial is only useful together with every other
 * participant's: the pairwise masks cancel in the sum of all of them, never of a subset. So when a node of
 * a running multi-node task goes silent (no heartbeat, claim or result for longer than the grace period)
 * while it still owes a run of the current round, the hub drops it: its run is cancelled with the reason,
 * it leaves the task's participants, and the task starts again from its first step among the remaining
 * nodes, in a new round (anything posted for the abandoned attempt is discarded). The nodes derive their
 * masks from the task, the round and the participant set, so a partial masked for the old set can never
 * cancel against one masked for the new set. With fewer nodes left than the study's minimum, the
 * task fails instead. Runs held for approval at a node (`pending-approval`) are not owed work and never
 * count as a dropout.
 */

import { fromJson, lockForUpdate, type Schema, toJson } from '@fedhub/db';
import type { Kysely } from 'kysely';
import type { HubContext } from '../../core/context.js';
import { type Effects, withEffects } from '../../core/effects.js';
import { appendAudit } from '../audit/service.js';
import { finishTask } from './aggregation.js';
import { newRunRow } from './run-row.js';
import { runUpdatedEvent } from './task-events.js';

/** Minimum number of nodes when the study row carries none (the study schema's default). */
const DEFAULT_MIN_NODES = 3;

/**
 * How long a node may stay silent before it is dropped: the configured grace, else the longer of two
 * leases and the window in which the hub still shows the node as online (a node is never dropped while
 * the dashboard calls it online, and a short network partition does not cost a centre its place).
 */
export function dropoutGraceMs(config: {
  dropoutGraceMs?: number | undefined;
  leaseMs: number;
  nodeOnlineWindowMs: number;
}): number {
  return config.dropoutGraceMs ?? Math.max(2 * config.leaseMs, config.nodeOnlineWindowMs);
}

/** Runs a node still owes in a round; `pending-approval` waits on a person, not on a live node. */
const OWED = ['queued', 'claimed'] as const;

/**
 * Drops silent nodes from running tasks (see the module comment); returns how many nodes were dropped.
 * `upSinceMs` is when this hub process started serving: no node can reach a hub that is down, so silence
 * only counts once the hub itself has been up for the grace period (after an outage, live nodes get that
 * long to come back).
 */
export async function sweepDropouts(ctx: HubContext, graceMs: number, upSinceMs: number): Promise<number> {
  if (ctx.clock.now() - upSinceMs < graceMs) return 0;
  const cutoff = new Date(ctx.clock.now() - graceMs).toISOString();
  const candidates = await ctx.db.db
    .selectFrom('runs')
    .innerJoin('tasks', (j) =>
      j.onRef('tasks.id', '=', 'runs.task_id').onRef('tasks.round', '=', 'runs.round'),
    )
    .innerJoin('nodes', 'nodes.id', 'runs.node_id')
    .select('runs.task_id')
    .distinct()
    .where('tasks.status', '=', 'running')
    .where('runs.status', 'in', [...OWED])
    .where((eb) => eb.or([eb('nodes.last_seen_at', 'is', null), eb('nodes.last_seen_at', '<', cutoff)]))
    .limit(100)
    .execute();
  let dropped = 0;
  for (const { task_id } of candidates)
    dropped += await withEffects(ctx, (trx, fx) => dropSilentNodes(ctx, trx, fx, task_id, cutoff, graceMs));
  return dropped;
}

async function dropSilentNodes(
  ctx: HubContext,
  trx: Kysely<Schema>,
  fx: Effects,
  taskId: string,
  cutoff: string,
  graceMs: number,
): Promise<number> {
  // re-read under the task's lock: a result may have closed the round, or another hub process dropped them
  const task = await lockForUpdate(
    ctx.db.dialect,
    trx.selectFrom('tasks').selectAll().where('id', '=', taskId),
  ).executeTakeFirst();
  if (task?.status !== 'running') return 0;
  const participants = fromJson<string[]>(task.node_ids) ?? [];
  // one node cannot be masked against anyone: its lost run is the lease sweeper's to re-queue
  if (participants.length < 2) return 0;
  const round = Number(task.round);
  const runs = await trx
    .selectFrom('runs')
    .innerJoin('nodes', 'nodes.id', 'runs.node_id')
    .selectAll('runs')
    .select(['nodes.name as node_name', 'nodes.last_seen_at as last_seen_at'])
    .where('runs.task_id', '=', taskId)
    .where('runs.round', '=', round)
    .where('runs.status', '!=', 'cancelled')
    .execute();
  const silent = runs.filter(
    (r) =>
      (OWED as readonly string[]).includes(r.status) &&
      participants.includes(r.node_id) &&
      (r.last_seen_at === null || r.last_seen_at < cutoff),
  );
  if (silent.length === 0) return 0;
  const at = ctx.nowIso();
  const goneIds = new Set(silent.map((r) => r.node_id));
  const remaining = participants.filter((id) => !goneIds.has(id));
  const study = await trx
    .selectFrom('studies')
    .select('min_nodes')
    .where('id', '=', task.study_id)
    .executeTakeFirst();
  const minNodes = Number(study?.min_nodes ?? DEFAULT_MIN_NODES);
  const names = silent.map((r) => r.node_name).join(', ');
  for (const r of silent) {
    const reason = `dropped out in round ${round}: no contact since ${r.last_seen_at ?? 'enrolment'} (grace ${graceMs} ms)`;
    await trx
      .updateTable('runs')
      .set({
        status: 'cancelled',
        lease_expires_at: null,
        finished_at: at,
        error: toJson({ code: 'FH_ERR_UNAVAILABLE', message: `node ${r.node_name} ${reason}` }),
      })
      .where('id', '=', r.id)
      .execute();
    fx.events.push(runUpdatedEvent({ ...r, status: 'cancelled', lease_expires_at: null }, r.node_name, at));
    await appendAudit(ctx.db.dialect, trx, {
      at,
      actor: 'hub',
      action: 'task.node-dropped',
      object: `task:${taskId}`,
      details: {
        nodeId: r.node_id,
        round,
        lastSeenAt: r.last_seen_at,
        remaining: remaining.length,
        minNodes,
      },
    });
  }
  if (remaining.length < minNodes) {
    await finishTask(
      ctx,
      trx,
      task,
      {
        status: 'failed',
        error: {
          code: 'FH_ERR_TOO_FEW_NODES',
          message: `${names} dropped out in round ${round}; ${remaining.length} node(s) remain and the study needs at least ${minNodes}`,
          details: { round, dropped: [...goneIds], remaining, minNodes },
        },
      },
      'hub',
      fx,
    );
    // the other runs of the round can never be aggregated now
    await trx
      .updateTable('runs')
      .set({ status: 'cancelled', lease_expires_at: null, finished_at: at })
      .where('task_id', '=', taskId)
      .where('round', '=', round)
      .where('status', 'in', [...OWED, 'pending-approval'])
      .execute();
    return silent.length;
  }
  // The task starts again from its first step among the remaining nodes. Restarting only the current round
  // would keep what the earlier rounds summed over the dropped node (a Cox model's risk sets and event
  // count, the levels a GLM agreed, a t-test's pooled mean), so the result would match no pooled
  // analysis. The runs of the abandoned attempt stay as history (cancelled); the new attempt's runs get a
  // new round number, so the masks, which bind task, round and participants, are fresh, and a late result
  // of the old attempt is refused as stale.
  const algorithm = ctx.algorithms.get(task.algorithm, task.version);
  if (!algorithm) return silent.length;
  const input = algorithm.firstInput(algorithm.paramsSchema.parse(fromJson(task.params)));
  await trx
    .updateTable('runs')
    .set({ status: 'cancelled', lease_expires_at: null, finished_at: at })
    .where('task_id', '=', taskId)
    .where('round', '=', round)
    .where('status', '!=', 'cancelled')
    .execute();
  const next = round + 1;
  await trx
    .updateTable('tasks')
    .set((eb) => ({
      node_ids: toJson(remaining),
      round: next,
      first_round: next,
      aggregator_state: null,
      revision: eb('revision', '+', 1),
    }))
    .where('id', '=', taskId)
    .execute();
  const byNode = new Map(runs.map((r) => [r.node_id, r.node_name]));
  const fresh = remaining.map((nodeId) => newRunRow(taskId, nodeId, next, input, at));
  if (fresh.length > 0) await trx.insertInto('runs').values(fresh).execute();
  fx.events.push({ type: 'round.started', taskId, round: next, at });
  for (const r of fresh) {
    fx.events.push(runUpdatedEvent(r, byNode.get(r.node_id) ?? r.node_id, at));
    fx.nodes.add(r.node_id);
  }
  await appendAudit(ctx.db.dialect, trx, {
    at,
    actor: 'hub',
    action: 'task.round-restarted',
    object: `task:${taskId}`,
    details: { round, restartedAt: next, dropped: [...goneIds], participants: remaining },
  });
  return silent.length;
}
