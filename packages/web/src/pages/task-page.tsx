/** One task: live progress per node (long-poll), refusals, and the result when it completes. */
import type { TaskDetail } from '@fedhub/protocol';
import { useEffect, useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { shortDateTime } from '../api/time.js';
import { mergeDictionaries } from '../forms/schema-form.js';
import { paramsSummary, taskData, taskDataset, taskFilter, taskTitle } from '../forms/task-summary.js';
import { ResultDictionary } from '../results/dictionary-context.js';
import { ResultView } from '../results/result-view.js';
import { RunsTable } from './runs-table.js';
import { rerunHref } from './task-list.js';

/** A completed binomial glm or coxph task: its model can be validated with frozen coefficients. */
function validatable(t: TaskDetail): boolean {
  if (t.status !== 'completed') return false;
  if (t.algorithm === 'coxph') return true;
  return t.algorithm === 'glm' && (t.result as { family?: string } | null)?.family === 'binomial';
}

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
  // the dictionary of the task's dataset, as the study's nodes declare it: axis units of the result views
  const studyId = task?.studyId;
  const dictionary = useLoad(async () => {
    if (!studyId) return [];
    const study = await client.getStudy(studyId);
    const nodes = (await client.listNodes(study.collaborationId)).filter((n) => study.nodeIds.includes(n.id));
    return mergeDictionaries(nodes);
  }, [studyId]);
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
        <span data-testid="task-heading">{taskTitle(task)}</span>{' '}
        <span className={`status status-${task.status}`} data-testid="task-status">
          {task.status}
        </span>
      </h1>
      <dl className="summary" data-testid="task-summary">
        <dt>Analysis</dt>
        <dd>{paramsSummary(task.algorithm, task.params)}</dd>
        <dt>Data</dt>
        <dd>
          {taskData(task)}, {taskFilter(task)}
        </dd>
        <dt>Submitted</dt>
        <dd>
          by {task.createdByName ?? task.createdBy} on {shortDateTime(task.createdAt)}
        </dd>
      </dl>
      <p className="muted">
        Task {task.id}, {task.algorithm} {task.version}, round {task.round}
        {' · '}
        <a href={`#/studies/${task.studyId}`}>back to the study</a>
      </p>
      <div className="row wrap">
        {task.status !== 'running' && (
          <a className="button secondary" href={rerunHref(task)} data-testid="edit-rerun">
            Edit and re-run
          </a>
        )}
        {validatable(task) && (
          <a
            className="button secondary"
            href={`#/run?modelTask=${encodeURIComponent(task.id)}`}
            data-testid="validate-model"
          >
            Validate this model at other centres
          </a>
        )}
      </div>
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
          <ResultDictionary.Provider
            value={(dictionary.data ?? []).find((d) => d.name === taskDataset(task))?.columns ?? []}
          >
            <ResultView algorithm={task.algorithm} result={task.result} />
          </ResultDictionary.Provider>
        </div>
      )}
    </section>
  );
}
