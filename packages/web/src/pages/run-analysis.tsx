/** Run an analysis: study, algorithm, the generated parameter form, submit, then the live task page. */
import { type FormEvent, useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { navigate, useLoad } from '../api/hooks.js';
import type { FormValues, JsonSchemaNode } from '../forms/field-kind.js';
import { buildParams } from '../forms/field-kind.js';
import { mergeDictionaries, SchemaForm } from '../forms/schema-form.js';
import { scopeAlgorithms, scopeDatasets } from '../forms/study-scope.js';

/** The run page; `studyId` preselects a study (from the study page's link). */
export function RunAnalysis({ studyId: initialStudy }: { studyId?: string }) {
  const { client } = useSession();
  const studies = useLoad(() => client.listStudies(), []);
  const algorithms = useLoad(() => client.listAlgorithms(), []);
  const [studyId, setStudyId] = useState(initialStudy ?? '');
  const [algorithm, setAlgorithm] = useState('');
  const [values, setValues] = useState<FormValues>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // a stopped study cannot run anything: it is not offered
  const active = (studies.data ?? []).filter((s) => s.status === 'active' || s.id === initialStudy);
  const study = active.find((s) => s.id === studyId);
  const nodes = useLoad(
    () => (study ? client.listNodes(study.collaborationId) : Promise.resolve([])),
    [study?.collaborationId],
  );
  const studyNodes = (nodes.data ?? []).filter((n) => study?.nodeIds.includes(n.id));
  // only what the study permits: the hub and the nodes would refuse anything else anyway
  const datasets = scopeDatasets(mergeDictionaries(studyNodes), study);
  const allowedAlgorithms = scopeAlgorithms(algorithms.data ?? [], study);
  const algo = allowedAlgorithms.find((a) => a.name === algorithm);
  const schema = algo?.paramsJsonSchema as JsonSchemaNode | undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!study || !algo || !schema) {
      setError('Choose a study and an algorithm.');
      return;
    }
    let params: Record<string, unknown>;
    try {
      params = buildParams(schema, values);
    } catch (err) {
      setError((err as Error).message);
      return;
    }
    setBusy(true);
    client
      .createTask({ studyId: study.id, algorithm: algo.name, params: params as never })
      .then((t) => navigate(`/tasks/${t.id}`))
      .catch((err: unknown) => setError(errorText(err)))
      .finally(() => setBusy(false));
  };
  return (
    <section>
      <h1>Run an analysis</h1>
      <form onSubmit={submit} aria-label="Run an analysis" className="stack">
        <div className="field">
          <label htmlFor="run-study">Study</label>
          <select id="run-study" required value={studyId} onChange={(e) => setStudyId(e.target.value)}>
            <option value="">Choose a study…</option>
            {active.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title}
              </option>
            ))}
          </select>
          {study && (
            <small id="run-study-help">
              Nodes: {studyNodes.map((n) => `${n.name} (${n.status})`).join(', ')}
              {study.status === 'stopped' && ' · this study is stopped: nothing more can run'}
              {study.variables !== null &&
                ` · ${study.variables.reduce((n, v) => n + v.columns.length, 0)} variables allowed`}
            </small>
          )}
        </div>
        <div className="field">
          <label htmlFor="run-algorithm">Algorithm</label>
          <select
            id="run-algorithm"
            required
            value={algorithm}
            onChange={(e) => {
              setAlgorithm(e.target.value);
              setValues((v) => (v.dataset ? { dataset: v.dataset } : {}));
            }}
          >
            <option value="">Choose an algorithm…</option>
            {allowedAlgorithms.map((a) => (
              <option key={a.name} value={a.name}>{`${a.title} (${a.name} ${a.version})`}</option>
            ))}
          </select>
          {algo && <small>{algo.description}</small>}
          {study && study.algorithms !== null && (
            <small>
              The study permits{' '}
              {study.algorithms.map((a) => `${a.name}${a.version ? ` ${a.version}` : ''}`).join(', ') ||
                'no algorithm'}
              .
            </small>
          )}
        </div>
        {schema && <SchemaForm schema={schema} datasets={datasets} values={values} onChange={setValues} />}
        <div className="row">
          <button type="submit" disabled={busy || !schema || study?.status === 'stopped'}>
            {busy ? 'Submitting…' : 'Run'}
          </button>
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
