/** Building task events and bumping task revisions (the long-poll cursor) inside a transaction. */
import type { Schema } from '@fedhub/db';
import { fromJson } from '@fedhub/db';
import type { ErrorBody, RunStatus, TaskEvent } from '@fedhub/protocol';
import type { Kysely } from 'kysely';

/** Increments a task's revision so waiting clients see a change. */
export async function bumpRevision(trx: Kysely<Schema>, taskId: string): Promise<void> {
  await trx
    .updateTable('tasks')
    .set((eb) => ({ revision: eb('revision', '+', 1) }))
    .where('id', '=', taskId)
    .execute();
}

/** A `run.updated` event for a run row. */
export function runUpdatedEvent(r: Schema['runs'], nodeName: string, at: string): TaskEvent {
  return {
    type: 'run.updated',
    taskId: r.task_id,
    runId: r.id,
    nodeId: r.node_id,
    nodeName,
    round: Number(r.round),
    attempt: Number(r.attempt),
    status: r.status as RunStatus,
    error: fromJson<ErrorBody>(r.error),
    at,
  };
}
