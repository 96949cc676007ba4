/** A study: its nodes and its tasks (paged), each with its per-node runs on demand. */
import type { Task } from '@fedhub/protocol';
import { useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { shortDateTime } from '../api/time.js';
import { usePage } from '../pager.js';
import { RunsTable } from './runs-table.js';

function TaskRuns({ id }: { id: string }) {
  const { client } = useSession();
  const t = useLoad(() => client.getTask(id), [id]);
  if (t.error) return <p className="error">{errorText(t.error)}</p>;
  return t.data ? <RunsTable runs={t.data.runs} /> : <p>Loading runs…</p>;
}

function TaskRow({ t }: { t: Task }) {
  // runs are fetched only when a row is opened: a page of 50 rows must not cost 50 requests
  const [open, setOpen] = useState(false);
  return (
    <tr data-testid="task-row">
      <th scope="row">
        <a href={`#/tasks/${t.id}`}>{t.algorithm}</a>
      </th>
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
    </tr>
  );
}

/** The study page. */
export function StudyPage({ id }: { id: string }) {
  const { client } = useSession();
  const study = useLoad(() => client.getStudy(id), [id]);
  // the hub lists newest first; re-listed every 5 s while a task runs (so its status moves), else every 30 s
  const [pollMs, setPollMs] = useState(5000);
  const tasks = useLoad(
    async () => {
      const list = await client.listTasks(id);
      setPollMs(list.some((t) => t.status === 'running') ? 5000 : 30_000);
      return list;
    },
    [id],
    pollMs,
  );
  const nodes = useLoad(
    () => (study.data ? client.listNodes(study.data.collaborationId) : Promise.resolve([])),
    [study.data?.collaborationId],
  );
  const page = usePage(tasks.data ?? [], 50);
  if (study.error)
    return (
      <p role="alert" className="error">
        {errorText(study.error)}
      </p>
    );
  if (!study.data) return <p>Loading study…</p>;
  const s = study.data;
  const nodeNames = (nodes.data ?? []).filter((n) => s.nodeIds.includes(n.id)).map((n) => n.name);
  return (
    <section>
      <h1 data-testid="study-title">{s.title}</h1>
      <p>{s.purpose}</p>
      <p className="muted">
        Nodes: {nodeNames.join(', ') || `${s.nodeIds.length}`} · created {shortDateTime(s.createdAt)}
      </p>
      <p>
        <a className="button" href={`#/run?study=${s.id}`}>
          Run an analysis
        </a>
      </p>
      <h2>Tasks</h2>
      {tasks.error ? (
        <p role="alert" className="error">
          {errorText(tasks.error)}
        </p>
      ) : null}
      <table data-testid="tasks-table">
        <thead>
          <tr>
            <th scope="col">algorithm</th>
            <th scope="col">status</th>
            <th scope="col">created</th>
            <th scope="col">runs</th>
          </tr>
        </thead>
        <tbody>
          {page.slice.map((t) => (
            <TaskRow key={t.id} t={t} />
          ))}
        </tbody>
      </table>
      {page.control}
    </section>
  );
}
