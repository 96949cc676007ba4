/** One task: live progress per node (long-poll), refusals, and the result when it completes. */
import type { TaskDetail } from '@fedhub/protocol';
import { useEffect, useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { shortDateTime } from '../api/time.js';
import { ResultView } from '../results/result-view.js';
import { RunsTable } from './runs-table.js';

/** Watches task `id` with `waitForTask` until it is terminal, re-rendering on every revision. */
export function TaskPage({ id }: { id: string }) {
  const { client } = useSession();
  const [task, setTask] = useState<TaskDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setTask(null);
    client
      .getTask(id)
      .then((t) => {
        if (!live) return;
        setTask(t);
        if (t.status === 'running')
          return client
            .waitForTask(id, { onUpdate: (u) => live && setTask(u) })
            .then((u) => live && setTask(u));
      })
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [client, id]);
  if (error)
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  if (!task) return <p aria-live="polite">Loading task…</p>;
  // a run held at a node until its admin approves the algorithm version (manual approval mode)
  const waiting = task.runs.filter((r) => r.status === 'pending-approval').map((r) => r.nodeName);
  return (
    <section>
      <h1>
        {task.algorithm}{' '}
        <span className={`status status-${task.status}`} data-testid="task-status">
          {task.status}
        </span>
      </h1>
      <p className="muted">
        Task {task.id}, version {task.version}, created {shortDateTime(task.createdAt)}, round {task.round}
        {' · '}
        <a href={`#/studies/${task.studyId}`}>back to the study</a>
      </p>
      <details>
        <summary>Parameters</summary>
        <pre className="json">{JSON.stringify(task.params, null, 2)}</pre>
      </details>
      <p role="status" className={waiting.length > 0 ? 'waiting' : 'sr-only'} data-testid="task-waiting">
        {waiting.length > 0
          ? `Waiting for approval at ${waiting.join(', ')}: the node admins decide in their approvals inbox.`
          : ''}
      </p>
      <RunsTable runs={task.runs} />
      {task.error && (
        <p role="alert" className="error" data-testid="task-error">
          <code>{task.error.code}</code> {task.error.message}
        </p>
      )}
      {task.status === 'completed' && task.result !== null && (
        <div data-testid="task-result">
          <h2>Result</h2>
          <ResultView algorithm={task.algorithm} result={task.result} />
        </div>
      )}
    </section>
  );
}
