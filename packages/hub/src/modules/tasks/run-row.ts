/** The row of a new run: one node's share of one round of a task, queued with its round input. */
import { randomUUID } from 'node:crypto';
import { type Schema, toJson } from '@fedhub/db';
import type { Json } from '@fedhub/protocol';

/** A queued, never-claimed run of `taskId` for `nodeId` in `round`, created at `at`. */
export function newRunRow(
  taskId: string,
  nodeId: string,
  round: number,
  input: Json,
  at: string,
): Schema['runs'] {
  return {
    id: randomUUID(),
    task_id: taskId,
    node_id: nodeId,
    round,
    attempt: 0,
    status: 'queued',
    lease_expires_at: null,
    input: toJson(input),
    payload: null,
    digest: null,
    signature: null,
    error: null,
    created_at: at,
    started_at: null,
    finished_at: null,
  };
}
