/** Studies: the list, and the wizard that creates one (collaboration, title and purpose, nodes). */
import { type FormEvent, useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { navigate, useLoad } from '../api/hooks.js';
import { shortDateTime } from '../api/time.js';

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
            <th scope="col">nodes</th>
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
              <td>{s.nodeIds.length}</td>
              <td>{shortDateTime(s.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {studies.data?.length === 0 && <p>No studies yet.</p>}
    </section>
  );
}

/** The three-step wizard: collaboration, then title and purpose, then the participating nodes. */
export function NewStudy() {
  const { client } = useSession();
  const collabs = useLoad(() => client.listCollaborations(), []);
  const [step, setStep] = useState(1);
  const [collaborationId, setCollaborationId] = useState('');
  const [title, setTitle] = useState('');
  const [purpose, setPurpose] = useState('');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const nodes = useLoad(
    () => (collaborationId ? client.listNodes(collaborationId) : Promise.resolve([])),
    [collaborationId],
  );
  const next = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (step === 1 && collaborationId) {
      setStep(2);
    } else if (step === 2) {
      if (title.trim().length < 3 || purpose.trim().length < 3)
        setError('Title and purpose need at least 3 characters each.');
      else {
        setPicked(new Set((nodes.data ?? []).map((n) => n.id)));
        setStep(3);
      }
    } else if (step === 3) {
      if (picked.size === 0) {
        setError('Pick at least one node.');
        return;
      }
      client
        .createStudy({ collaborationId, title: title.trim(), purpose: purpose.trim(), nodeIds: [...picked] })
        .then((s) => navigate(`/studies/${s.id}`))
        .catch((err: unknown) => setError(errorText(err)));
    }
  };
  return (
    <section>
      <h1>New study</h1>
      <p className="muted">Step {step} of 3</p>
      <form onSubmit={next} aria-label="New study" className="stack">
        {step === 1 && (
          <>
            <label htmlFor="study-collab">Collaboration</label>
            <select
              id="study-collab"
              required
              value={collaborationId}
              onChange={(e) => setCollaborationId(e.target.value)}
            >
              <option value="">Choose…</option>
              {(collabs.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </>
        )}
        {step === 2 && (
          <>
            <label htmlFor="study-title">Title</label>
            <input
              id="study-title"
              required
              minLength={3}
              value={title}
              onChange={(e) => setTitle(e.target.value)}
            />
            <label htmlFor="study-purpose">Purpose</label>
            <textarea
              id="study-purpose"
              required
              minLength={3}
              rows={4}
              value={purpose}
              onChange={(e) => setPurpose(e.target.value)}
            />
          </>
        )}
        {step === 3 && (
          <fieldset>
            <legend>Participating nodes</legend>
            {(nodes.data ?? []).map((n) => (
              <label key={n.id} className="check">
                <input
                  type="checkbox"
                  checked={picked.has(n.id)}
                  onChange={(e) => {
                    const s = new Set(picked);
                    if (e.target.checked) s.add(n.id);
                    else s.delete(n.id);
                    setPicked(s);
                  }}
                />
                {n.name} <span className={`status status-${n.status}`}>{n.status}</span>
              </label>
            ))}
          </fieldset>
        )}
        <div className="row">
          {step > 1 && (
            <button type="button" onClick={() => setStep(step - 1)}>
              Back
            </button>
          )}
          <button type="submit">{step === 3 ? 'Create study' : 'Next'}</button>
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
