/**
 * A table of tasks that tells them apart: title (or parameters summary), algorithm and version, dataset
 * and filter, submitter, status, when, the runs per node on demand, and "edit and re-run".
 */
import type { TaskSummary } from '@fedhub/protocol';
import { useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { shortDateTime } from '../api/time.js';
import { paramsSummary, taskData, taskFilter, taskTitle } from '../forms/task-summary.js';
import { RunsTable } from './runs-table.js';

function TaskRuns({ id }: { id: string }) {
  const { client } = useSession();
  const t = useLoad(() => client.getTask(id), [id]);
  if (t.error) return <p className="error">{errorText(t.error)}</p>;
  return t.data ? <RunsTable runs={t.data.runs} /> : <p>Loading runs…</p>;
}

/** The link that opens the run form prefilled with a task's parameters. */
export const rerunHref = (t: Pick<TaskSummary, 'id'>) => `#/run?from=${encodeURIComponent(t.id)}`;

function TaskRow({ t, studyTitle }: { t: TaskSummary; studyTitle?: string | undefined }) {
  // runs are fetched only when a row is opened: a page of 50 rows must not cost 50 requests
  const [open, setOpen] = useState(false);
  const summary = paramsSummary(t.algorithm, t.params);
  return (
    <tr data-testid="task-row">
      <th scope="row">
        <a href={`#/tasks/${t.id}`} data-testid="task-title">
          {taskTitle(t)}
        </a>
        <div className="muted small">
          {t.algorithm} {t.version}
          {t.title ? ` · ${summary}` : ''}
        </div>
      </th>
      {studyTitle !== undefined && (
        <td>
          <a href={`#/studies/${t.studyId}`}>{studyTitle}</a>
        </td>
      )}
      <td className="small" data-testid="task-data">
        {taskData(t)}
        <div className="muted">{taskFilter(t)}</div>
      </td>
      <td data-testid="task-submitter">{t.createdByName ?? t.createdBy.slice(0, 8)}</td>
      <td>
        <span className={`status status-${t.status}`}>{t.status}</span>
      </td>
      <td>{shortDateTime(t.createdAt)}</td>
      <td>
        <details onToggle={(e) => setOpen(e.currentTarget.open)}>
          <summary>{t.nodeIds.length} nodes</summary>
          {open && <TaskRuns id={t.id} />}
        </details>
      </td>
      <td>
        <a href={rerunHref(t)} title="Open the run form with this task's parameters">
          Edit and re-run
        </a>
      </td>
    </tr>
  );
}

/** The table; `studyTitles` adds a study column (the "my tasks" list across studies). */
export function TaskTable({
  tasks,
  studyTitles,
}: {
  tasks: readonly TaskSummary[];
  studyTitles?: Map<string, string>;
}) {
  return (
    <table data-testid="tasks-table">
      <thead>
        <tr>
          <th scope="col">task</th>
          {studyTitles && <th scope="col">study</th>}
          <th scope="col">data and filter</th>
          <th scope="col">submitted by</th>
          <th scope="col">status</th>
          <th scope="col">created</th>
          <th scope="col">runs</th>
          <th scope="col">
            <span className="sr-only">actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <TaskRow
            key={t.id}
            t={t}
            studyTitle={studyTitles ? (studyTitles.get(t.studyId) ?? t.studyId) : undefined}
          />
        ))}
      </tbody>
    </table>
  );
}
