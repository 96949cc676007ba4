/**
 * What a transaction wants the rest of the process to learn once it has committed: task events to
 * publish, nodes whose waiting claims should re-check, tasks whose long-polls should re-read. Collected
 * inside the transaction and applied after commit, so nobody is woken to read uncommitted state.
 */
import { type Schema, withTransaction } from '@fedhub/db';
import type { TaskEvent } from '@fedhub/protocol';
import type { Kysely } from 'kysely';
import type { HubContext } from './context.js';

export interface Effects {
  events: TaskEvent[];
  nodes: Set<string>;
  tasks: Set<string>;
}

/** An empty collector. */
export function newEffects(): Effects {
  return { events: [], nodes: new Set(), tasks: new Set() };
}

/** Publishes the events and wakes the waiters (call after the transaction committed). */
export function applyEffects(ctx: HubContext, fx: Effects): void {
  for (const e of fx.events) {
    fx.tasks.add(e.taskId);
    ctx.bus.publish(e);
  }
  for (const n of fx.nodes) ctx.claimWaiters.notify(n);
  for (const t of fx.tasks) ctx.taskWaiters.notify(t);
}

/**
 * Runs `fn` in a transaction with a fresh collector per run (PostgreSQL may run it again after a deadlock),
 * then applies the collected effects once the transaction has committed.
 */
export async function withEffects<T>(
  ctx: HubContext,
  fn: (trx: Kysely<Schema>, fx: Effects) => Promise<T>,
): Promise<T> {
  let fx = newEffects();
  const out = await withTransaction(ctx.db, (trx) => {
    fx = newEffects();
    return fn(trx, fx);
  });
  applyEffects(ctx, fx);
  return out;
}
