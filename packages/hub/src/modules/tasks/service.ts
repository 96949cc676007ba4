/** Submitting, reading, cancelling and waiting for tasks. */
import { randomUUID } from 'node:crypto';
import { lockForUpdate, type Schema, sql, toJson } from '@fedhub/db';
import {
  type CreateTaskRequest,
  FedhubError,
  studyDescriptor,
  studyRefusal,
  type Task,
  type TaskDetail,
  type TaskListEntry,
} from '@fedhub/protocol';
import type { Kysely } from 'kysely';
import { requireRole, requireVisible, visibleCollaborationIds } from '../../access/membership.js';
import type { UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { withEffects } from '../../core/effects.js';
import { runOut, taskListEntryOut, taskOut } from '../../core/mappers.js';
import { appendAudit } from '../audit/service.js';
import { requireTaskCanceller } from '../studies/ownership.js';
import { auditStudyRefusal } from '../studies/refusal-audit.js';
import { getStudy } from '../studies/service.js';
import { finishTask } from './aggregation.js';
import { checkAgainstDictionaries } from './dictionary-check.js';
import { refuseFormulaOutsideStudy } from './formula-precheck.js';
import { newRunRow } from './run-row.js';
import { refuseSubgroupOutsideStudy } from './subgroup-precheck.js';
import { runUpdatedEvent } from './task-events.js';

/** zod issues as `{ path, message }` with dotted paths under `prefix`. */
export function issueFields(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  prefix: string,
): Array<{ path: string; message: string }> {
  return issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join('.'), message: i.message }));
}

/**
 * Validates the parameters with the algorithm's schema (400 FH_ERR_BAD_PARAMS with field paths) and
 * creates the task and its round-1 runs in one transaction.
 */
export async function createTask(
  ctx: HubContext,
  user: UserPrincipal,
  body: CreateTaskRequest,
): Promise<Task> {
  const study = await getStudy(ctx, user, body.studyId);
  requireRole(user, 'researcher');
  const algorithm = ctx.algorithms.get(body.algorithm, body.version);
  if (!algorithm)
    throw new FedhubError(
      'FH_ERR_UNKNOWN_ALGORITHM',
      `no algorithm ${body.algorithm}${body.version ? `@${body.version}` : ''} on this hub`,
    );
  const parsed = algorithm.paramsSchema.safeParse(body.params);
  if (!parsed.success) {
    const fields = issueFields(parsed.error.issues, 'params');
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      `invalid parameters for ${algorithm.name}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
      { fields },
    );
  }
  const nodeIds = body.nodeIds ? [...new Set(body.nodeIds)] : study.nodeIds;
  const outside = nodeIds.filter((n) => !study.nodeIds.includes(n));
  if (outside.length > 0)
    throw new FedhubError('FH_ERR_VALIDATION', `node ${outside.join(', ')} is not part of the study`, {
      fields: [{ path: 'body.nodeIds', message: 'not a node of the study' }],
      nodeIds: outside,
    });
  if (nodeIds.length === 0) throw new FedhubError('FH_ERR_TOO_FEW_NODES', 'the study has no nodes to run on');
  try {
    refuseFormulaOutsideStudy(study, parsed.data);
    refuseSubgroupOutsideStudy(study, parsed.data);
  } catch (err) {
    if (err instanceof FedhubError && err.code === 'FH_ERR_OUTSIDE_STUDY')
      await auditStudyRefusal(
        ctx,
        user,
        study.id,
        { algorithm: algorithm.name, version: algorithm.version },
        err,
      );
    throw err;
  }
  const refusal = studyRefusal(
    studyDescriptor(study),
    {
      algorithm: algorithm.name,
      version: algorithm.version,
      // test doubles may read nothing
      variables:
        typeof algorithm.variables === 'function'
          ? algorithm.variables(parsed.data)
          : { dataset: null, columns: [] },
      nodeCount: nodeIds.length,
      params: parsed.data,
    },
    ctx.nowIso(),
  );
  if (refusal) {
    await auditStudyRefusal(
      ctx,
      user,
      study.id,
      { algorithm: algorithm.name, version: algorithm.version },
      refusal,
    );
    throw refusal;
  }
  if (ctx.config.checkDictionaries) await checkAgainstDictionaries(ctx, algorithm, parsed.data, nodeIds);
  const input = algorithm.firstInput(parsed.data);
  const task = await withEffects(ctx, async (trx, fx) => {
    const at = ctx.nowIso();
    const row: Schema['tasks'] = {
      id: randomUUID(),
      study_id: study.id,
      collaboration_id: study.collaborationId,
      algorithm: algorithm.name,
      version: algorithm.version,
      digest: algorithm.digest,
      params: toJson(body.params),
      node_ids: toJson(nodeIds),
      status: 'running',
      round: 1,
      first_round: 1,
      aggregator_state: null,
      result: null,
      error: null,
      revision: 1,
      title: body.title ?? null,
      created_by: user.id,
      created_at: at,
      finished_at: null,
    };
    await trx.insertInto('tasks').values(row).execute();
    const runs = nodeIds.map((nodeId) => newRunRow(row.id, nodeId, 1, input, at));
    await trx.insertInto('runs').values(runs).execute();
    await appendAudit(ctx.db.dialect, trx, {
      at,
      actor: `user:${user.id}`,
      action: 'task.submitted',
      object: `task:${row.id}`,
      details: {
        studyId: study.id,
        algorithm: algorithm.name,
        version: algorithm.version,
        digest: algorithm.digest,
        nodeIds,
      },
    });
    fx.events.push({ type: 'task.created', taskId: row.id, studyId: study.id, at });
    fx.events.push({ type: 'round.started', taskId: row.id, round: 1, at });
    for (const n of nodeIds) fx.nodes.add(n);
    return taskOut(row, user.username);
  });
  return task;
}

/** What a task list is narrowed to, and whether its entries carry their results. */
export interface TaskListOptions {
  studyId?: string | undefined;
  /** Only the caller's own tasks, across studies. */
  mine?: boolean;
  /** Only tasks of these algorithms. */
  algorithms?: readonly string[] | undefined;
  /** Include each task's `result` (lists leave it out: 1,000 KM-sized results are ~24 MB). */
  withResults?: boolean;
}

/**
 * Tasks of the visible collaborations, or of one study (404 when it is not visible), newest first, each
 * with its submitter's username and without its result (`hasResult` says whether it has one) unless
 * `withResults`; `mine`: only the caller's own tasks, across studies; `algorithms`: only those.
 */
export async function listTasks(
  ctx: HubContext,
  user: UserPrincipal,
  opts: TaskListOptions = {},
): Promise<TaskListEntry[]> {
  let q = ctx.db.db
    .selectFrom('tasks')
    .leftJoin('users', 'users.id', 'tasks.created_by')
    .select([
      'tasks.id',
      'tasks.study_id',
      'tasks.collaboration_id',
      'tasks.algorithm',
      'tasks.version',
      'tasks.params',
      'tasks.node_ids',
      'tasks.status',
      'tasks.round',
      'tasks.error',
      'tasks.title',
      'tasks.created_by',
      'tasks.created_at',
      'tasks.finished_at',
    ])
    .select(sql<number>`case when tasks.result is null then 0 else 1 end`.as('has_result'))
    .select('users.username as created_by_name')
    .orderBy('tasks.created_at', 'desc');
  if (opts.mine) q = q.where('tasks.created_by', '=', user.id);
  if (opts.algorithms !== undefined) {
    if (opts.algorithms.length === 0) return [];
    q = q.where('tasks.algorithm', 'in', [...opts.algorithms]);
  }
  if (opts.studyId !== undefined) {
    await getStudy(ctx, user, opts.studyId);
    q = q.where('tasks.study_id', '=', opts.studyId);
  } else {
    const vis = await visibleCollaborationIds(ctx.db.db, user);
    if (!vis.all) {
      if (vis.ids.size === 0) return [];
      q = q.where('tasks.collaboration_id', 'in', [...vis.ids]);
    }
  }
  if (opts.withResults) {
    const rows = await q.select('tasks.result').execute();
    return rows.map((r) => taskListEntryOut(r, r.created_by_name));
  }
  return (await q.execute()).map((r) => taskListEntryOut(r, r.created_by_name));
}

async function usernameOf(db: Kysely<Schema>, id: string): Promise<string | null> {
  const u = await db.selectFrom('users').select('username').where('id', '=', id).executeTakeFirst();
  return u?.username ?? null;
}

async function detailOf(db: Kysely<Schema>, row: Schema['tasks']): Promise<TaskDetail> {
  const runs = await db
    .selectFrom('runs')
    .innerJoin('nodes', 'nodes.id', 'runs.node_id')
    .selectAll('runs')
    .select('nodes.name as node_name')
    .where('runs.task_id', '=', row.id)
    .orderBy('runs.round')
    .orderBy('nodes.name')
    .execute();
  return {
    ...taskOut(row, await usernameOf(db, row.created_by)),
    runs: runs.map((r) => runOut(r, r.node_name)),
  };
}

async function visibleTaskRow(ctx: HubContext, user: UserPrincipal, id: string): Promise<Schema['tasks']> {
  const row = await ctx.db.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  requireVisible(await visibleCollaborationIds(ctx.db.db, user), row?.collaboration_id, 'task');
  return row!;
}

/** One visible task with all its runs. */
export async function getTaskDetail(ctx: HubContext, user: UserPrincipal, id: string): Promise<TaskDetail> {
  return detailOf(ctx.db.db, await visibleTaskRow(ctx, user, id));
}

/**
 * Long-poll: returns the task as soon as its revision passes `since` (or it is no longer running), else
 * after `timeoutMs`. Woken by this process's events, and re-reads the database every `pollIntervalMs` so
 * changes made by other hub processes are seen too.
 */
export async function waitForTask(
  ctx: HubContext,
  user: UserPrincipal,
  id: string,
  since: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<TaskDetail & { revision: number }> {
  await visibleTaskRow(ctx, user, id);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await ctx.db.db
      .selectFrom('tasks')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const revision = Number(row.revision);
    const left = deadline - Date.now();
    if (
      revision > since ||
      row.status !== 'running' ||
      left <= 0 ||
      ctx.taskWaiters.closed ||
      signal?.aborted
    )
      return { ...(await detailOf(ctx.db.db, row)), revision };
    await ctx.taskWaiters.wait(id, Math.min(left, ctx.config.pollIntervalMs));
  }
}

/** Cancels a running task (researcher or hub-admin): its unfinished runs become `cancelled`. */
export async function cancelTask(ctx: HubContext, user: UserPrincipal, id: string): Promise<Task> {
  const visible = await visibleTaskRow(ctx, user, id);
  requireRole(user, 'researcher');
  requireTaskCanceller(user, await getStudy(ctx, user, visible.study_id), visible.created_by);
  const task = await withEffects(ctx, async (trx, fx) => {
    const row = await lockForUpdate(
      ctx.db.dialect,
      trx.selectFrom('tasks').selectAll().where('id', '=', id),
    ).executeTakeFirstOrThrow();
    if (row.status !== 'running')
      throw new FedhubError('FH_ERR_CONFLICT', `the task is already ${row.status}`);
    const at = ctx.nowIso();
    const open = await trx
      .selectFrom('runs')
      .innerJoin('nodes', 'nodes.id', 'runs.node_id')
      .selectAll('runs')
      .select('nodes.name as node_name')
      .where('runs.task_id', '=', id)
      .where('runs.status', 'in', ['queued', 'claimed', 'pending-approval'])
      .execute();
    await trx
      .updateTable('runs')
      .set({ status: 'cancelled', finished_at: at, lease_expires_at: null })
      .where('task_id', '=', id)
      .where('status', 'in', ['queued', 'claimed', 'pending-approval'])
      .execute();
    for (const r of open) {
      fx.events.push(runUpdatedEvent({ ...r, status: 'cancelled' }, r.node_name, at));
      fx.nodes.add(r.node_id);
    }
    await finishTask(ctx, trx, row, { status: 'cancelled' }, `user:${user.id}`, fx);
    return taskOut(await trx.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  });
  return task;
}
