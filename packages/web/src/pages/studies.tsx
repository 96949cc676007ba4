/** Studies: the list, and the wizard that creates one. */
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { shortDateTime } from '../api/time.js';
import { NoCollaboration, NoStudies } from './empty-states.js';
import { StudyWizard } from './study-wizard.js';

/** The list of studies the user can see. */
export function Studies() {
  const { client, me } = useSession();
  const studies = useLoad(() => client.listStudies(), []);
  const collabs = useLoad(() => client.listCollaborations(), []);
  const collabName = new Map((collabs.data ?? []).map((c) => [c.id, c.name]));
  const canCreate = me.roles.includes('researcher') || me.roles.includes('hub-admin');
  return (
    <section>
      <h1>Studies</h1>
      {canCreate && (
        <p>
          <a className="button" href="#/studies/new">
            New study
          </a>
        </p>
      )}
      {studies.error ? (
        <p role="alert" className="error">
          {errorText(studies.error)}
        </p>
      ) : null}
      <table data-testid="studies-table">
        <thead>
          <tr>
            <th scope="col">title</th>
            <th scope="col">collaboration</th>
            <th scope="col">status</th>
            <th scope="col">nodes</th>
            <th scope="col">period</th>
            <th scope="col">created</th>
          </tr>
        </thead>
        <tbody>
          {(studies.data ?? []).map((s) => (
            <tr key={s.id}>
              <th scope="row">
                <a href={`#/studies/${s.id}`}>{s.title}</a>
              </th>
              <td>{collabName.get(s.collaborationId) ?? s.collaborationId}</td>
              <td>
                <span className={`status status-${s.status}`}>{s.status}</span>
              </td>
              <td>{s.nodeIds.length}</td>
              <td>{s.startsAt || s.endsAt ? `${s.startsAt ?? '…'} – ${s.endsAt ?? '…'}` : 'open'}</td>
              <td>{shortDateTime(s.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {studies.data?.length === 0 &&
        (me.collaborationIds.length === 0 && !me.roles.includes('hub-admin') ? (
          <NoCollaboration me={me} />
        ) : (
          <NoStudies me={me} />
        ))}
    </section>
  );
}

/** The wizard that creates a study. */
export function NewStudy() {
  return <StudyWizard />;
}
