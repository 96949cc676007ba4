/**
 * What a transaction wants the rest of the process to learn once it has committed: task events to
 * publish, nodes whose waiting claims should re-check, tasks whose long-polls should re-read. Collected
 * inside the transaction and applied after commit, so nobody is woken to read uncommitted state.
 */
import type { TaskEvent } from '@fedhub/protocol';
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
