/** "My tasks": the signed-in researcher's tasks across every study, newest first, paged. */
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { usePage } from '../pager.js';
import { TaskTable } from './task-list.js';

export function MyTasks() {
  const { client } = useSession();
  const tasks = useLoad(() => client.listMyTasks(), [], 15_000);
  const studies = useLoad(() => client.listStudies(), []);
  const page = usePage(tasks.data ?? [], 50, 'Task pages');
  const titles = new Map((studies.data ?? []).map((s) => [s.id, s.title]));
  return (
    <section>
      <h1>My tasks</h1>
      {tasks.error ? (
        <p role="alert" className="error">
          {errorText(tasks.error)}
        </p>
      ) : null}
      {tasks.data && tasks.data.length === 0 ? (
        <p className="muted">
          You have not run any analysis yet. <a href="#/run">Run an analysis</a> in one of your studies.
        </p>
      ) : (
        <>
          <TaskTable tasks={page.slice} studyTitles={titles} />
          {page.control}
        </>
      )}
    </section>
  );
}
