/** An in-process bus of task events, feeding the WebSocket and waking long-polls of this hub process. */
import type { TaskEvent } from '@fedhub/protocol';

export type TaskEventListener = (event: TaskEvent) => void;

export interface TaskEventBus {
  publish(event: TaskEvent): void;
  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: TaskEventListener): () => void;
}

/** A new bus; a listener that throws never stops delivery to the others. */
export function createTaskEventBus(): TaskEventBus {
  const listeners = new Set<TaskEventListener>();
  return {
    publish(event) {
      for (const l of [...listeners]) {
        try {
          l(event);
        } catch {
          // a subscriber's failure (e.g. a closed socket) is its own business
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
