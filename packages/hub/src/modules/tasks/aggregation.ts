/**
 * Closing a round: once every run of the task's current round is terminal, either fail the task (a node
 * refused or failed), call the algorithm's `aggregate` and finish it, or open the next round. Runs in the
 * transaction that stored the last result, with the task row locked; the conditional update on
 * (id, round, status = running) makes a second aggregation of the same round impossible.
 */
import { countOf, fromJson, type Schema, toJson } from '@fedhub/db';
import { type ErrorBody, FedhubError, type Json, type TaskStatus } from '@fedhub/protocol';
import type { Kysely } from 'kysely';
import type { HubContext } from '../../core/context.js';
import type { Effects } from '../../core/effects.js';
import { appendAudit } from '../audit/service.js';
import { newRunRow } from './run-row.js';
import { runUpdatedEvent } from './task-events.js';

const TERMINAL_RUN = new Set(['completed', 'refused', 'failed', 'cancelled']);

/** Ends a running task of round `round` with a status; false when someone else already moved it on. */
export async function finishTask(
  ctx: HubContext,
  trx: Kysely<Schema>,
  task: Schema['tasks'],
  outcome: { status: Exclude<TaskStatus, 'running'>; result?: Json; error?: ErrorBody | null },
  actor: string,
  fx: Effects,
): Promise<boolean> {
  const at = ctx.nowIso();
  const res = await trx
    .updateTable('tasks')
    .set((eb) => ({
      status: outcome.status,
      result: outcome.result === undefined ? null : toJson(outcome.result),
      error: outcome.error ? toJson(outcome.error) : null,
      finished_at: at,
      revision: eb('revision', '+', 1),
    }))
    .where('id', '=', task.id)
    .where('round', '=', task.round)
    .where('status', '=', 'running')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  await appendAudit(ctx.db.dialect, trx, {
    at,
    actor,
    action: outcome.status === 'cancelled' ? 'task.cancelled' : 'task.finished',
    object: `task:${task.id}`,
    details: {
      status: outcome.status,
      round: Number(task.round),
      ...(outcome.error ? { error: outcome.error.code } : {}),
    },
  });
  fx.events.push({
    type: 'task.finished',
    taskId: task.id,
    status: outcome.status,
    error: outcome.error ?? null,
    at,
  });
  return true;
}

function errorBodyOf(err: unknown): ErrorBody {
  if (err instanceof FedhubError) return err.toBody();
  return {
    code: 'FH_ERR_ALGORITHM_FAILED',
    message: `the aggregation failed: ${err instanceof Error ? err.message : String(err)}`,
  };
}

/** Closes the task's current round if all its runs are terminal (see the module comment). */
export async function closeRoundIfComplete(
  ctx: HubContext,
  trx: Kysely<Schema>,
  task: Schema['tasks'],
  fx: Effects,
): Promise<void> {
  if (task.status !== 'running') return;
  const round = Number(task.round);
  // Most results are not the last of their round: a count settles that without reading every payload
  // (reading them all on each result made a round of n nodes cost O(n^2)).
  const open = await trx
    .selectFrom('runs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('task_id', '=', task.id)
    .where('round', '=', round)
    .where('status', 'not in', [...TERMINAL_RUN])
    .executeTakeFirst();
  if (countOf(open?.n as number | string | bigint | undefined) > 0) return;
  const runs = await trx
    .selectFrom('runs')
    .innerJoin('nodes', 'nodes.id', 'runs.node_id')
    .selectAll('runs')
    .select('nodes.name as node_name')
    .where('runs.task_id', '=', task.id)
    .where('runs.round', '=', round)
    // in a running task, cancelled runs are those of a round restarted after a dropout (see dropout.ts)
    .where('runs.status', '!=', 'cancelled')
    .execute();
  if (runs.length === 0 || runs.some((r) => !TERMINAL_RUN.has(r.status))) return;
  const order = fromJson<string[]>(task.node_ids) ?? [];
  runs.sort((a, b) => order.indexOf(a.node_id) - order.indexOf(b.node_id));

  const bad = runs.filter((r) => r.status !== 'completed');
  if (bad.length > 0) {
    const nodes = bad.map((r) => {
      const e = fromJson<ErrorBody>(r.error);
      return {
        nodeId: r.node_id,
        nodeName: r.node_name,
        code: e?.code ?? 'FH_ERR_INTERNAL',
        message: e?.message ?? `run ${r.status}`,
      };
    });
    await finishTask(
      ctx,
      trx,
      task,
      {
        status: 'failed',
        error: {
          code: 'FH_ERR_NODE_REFUSED',
          message: `${bad.length} of ${runs.length} nodes did not contribute: ${nodes
            .map((n) => `${n.nodeName} (${n.code}: ${n.message})`)
            .join('; ')}`,
          details: { round, nodes },
        },
      },
      'hub',
      fx,
    );
    return;
  }

  const algorithm = ctx.algorithms.get(task.algorithm, task.version);
  if (!algorithm) {
    await finishTask(
      ctx,
      trx,
      task,
      {
        status: 'failed',
        error: {
          code: 'FH_ERR_UNKNOWN_ALGORITHM',
          message: `${task.algorithm}@${task.version} is not installed on this hub`,
        },
      },
      'hub',
      fx,
    );
    return;
  }
  let outcome: ReturnType<typeof algorithm.aggregate>;
  try {
    const params = algorithm.paramsSchema.parse(fromJson(task.params));
    const study = await trx
      .selectFrom('studies')
      .select('release_per_node_breakdown')
      .where('id', '=', task.study_id)
      .executeTakeFirst();
    outcome = algorithm.aggregate({
      releasePerNodeBreakdown: Number(study?.release_per_node_breakdown ?? 0) === 1,
      params,
      // the algorithm's own step: after a dropout restart the task began again at first_round
      round: round - Number(task.first_round ?? 1) + 1,
      state: fromJson<Json>(task.aggregator_state),
      parts: runs.map((r) => ({
        nodeId: r.node_id,
        nodeName: r.node_name,
        payload: fromJson<Json>(r.payload),
      })),
    });
  } catch (err) {
    await finishTask(ctx, trx, task, { status: 'failed', error: errorBodyOf(err) }, 'hub', fx);
    return;
  }
  if (outcome.kind === 'done') {
    await finishTask(ctx, trx, task, { status: 'completed', result: outcome.result }, 'hub', fx);
    return;
  }
  const moved = await trx
    .updateTable('tasks')
    .set((eb) => ({
      round: round + 1,
      aggregator_state: toJson(outcome.state),
      revision: eb('revision', '+', 1),
    }))
    .where('id', '=', task.id)
    .where('round', '=', round)
    .where('status', '=', 'running')
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) return;
  const at = ctx.nowIso();
  const next = runs.map((r) => newRunRow(task.id, r.node_id, round + 1, outcome.input, at));
  await trx.insertInto('runs').values(next).execute();
  fx.events.push({ type: 'round.started', taskId: task.id, round: round + 1, at });
  for (const [i, r] of next.entries()) {
    fx.events.push(runUpdatedEvent(r, runs[i]!.node_name, at));
    fx.nodes.add(r.node_id);
  }
}
