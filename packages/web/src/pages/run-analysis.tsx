/**
 * Run an analysis: study, algorithm, the parameter form generated from the algorithm's schema metadata,
 * an optional title, submit, then the live task page. Opened with `from` it is "edit and re-run": the
 * form is prefilled with that task's study, algorithm and parameters (failed tasks included); with
 * `model`, `modelTask` or `onnx` it is "validate this model" from a model card, a fitted task or a registered
 * ONNX model's page.
 */
import type { ModelVersion, OnnxModel, Task } from '@fedhub/protocol';
import { type FormEvent, useEffect, useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { navigate, useLoad } from '../api/hooks.js';
import type { KnownColumn } from '../forms/bins.js';
import type { JsonSchemaNode } from '../forms/field-kind.js';
import { buildParams, chosenDataset, type FormValues, valuesFromParams } from '../forms/params-values.js';
import { type FormContext, mergeDictionaries, SchemaForm } from '../forms/schema-form.js';
import { notPermittedText, scopeAlgorithms, scopeDatasets } from '../forms/study-scope.js';
import { paramsSummary } from '../forms/task-summary.js';
import { draftFromModel, draftFromOnnx, draftFromTask, outcomeOfTask } from '../forms/widgets/model-field.js';

export interface RunAnalysisProps {
  studyId?: string | undefined;
  from?: string | undefined;
  algorithm?: string | undefined;
  model?: string | undefined;
  modelTask?: string | undefined;
  /** A registered ONNX model ("name@version") to validate. */
  onnx?: string | undefined;
}

/**
 * What the latest completed summary of `dataset` among `tasks` released per column (n, mean, sd, how many
 * nodes): it sizes suggested histogram bins. Only pooled numbers the study already released are used.
 */
export function knownColumns(tasks: readonly Task[], dataset: unknown): Record<string, KnownColumn> {
  const out: Record<string, KnownColumn> = {};
  for (const t of tasks) {
    if (t.algorithm !== 'summary' || t.status !== 'completed') continue;
    if ((t.params as { dataset?: unknown } | null)?.dataset !== dataset) continue;
    const r = t.result as {
      nodes?: unknown[];
      columns?: Array<{ column: string; n: unknown; mean: unknown; sd: unknown }>;
    } | null;
    for (const c of r?.columns ?? [])
      if (typeof c.n === 'number' && !(c.column in out))
        out[c.column] = {
          n: c.n,
          mean: typeof c.mean === 'number' ? c.mean : null,
          sd: typeof c.sd === 'number' ? c.sd : null,
          nodes: r?.nodes?.length,
        };
  }
  return out;
}

/** The algorithms whose released results the form reads: summary (knownColumns), glm and coxph (ModelField). */
const RESULT_ALGORITHMS = ['summary', 'glm', 'coxph'] as const;

/** The validation algorithm of a model kind, as the hub picks it. */
const VALIDATOR = { glm: 'validate', coxph: 'validate-survival' } as const;

export function RunAnalysis(props: RunAnalysisProps) {
  const { client } = useSession();
  const studies = useLoad(() => client.listStudies(), []);
  const algorithms = useLoad(() => client.listAlgorithms(), []);
  const models = useLoad(() => client.listModels().catch((): ModelVersion[] => []), []);
  const onnxModels = useLoad(() => client.listOnnxModels().catch((): OnnxModel[] => []), []);
  const source = useLoad(
    () => (props.from ? client.getTask(props.from) : Promise.resolve(null)),
    [props.from],
  );
  const modelTask = useLoad(
    () => (props.modelTask ? client.getTask(props.modelTask) : Promise.resolve(null)),
    [props.modelTask],
  );
  const [studyId, setStudyId] = useState(props.studyId ?? '');
  const [algorithm, setAlgorithm] = useState(props.algorithm ?? '');
  const [values, setValues] = useState<FormValues>({});
  const [title, setTitle] = useState('');
  const [prefilled, setPrefilled] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // a stopped study cannot run anything: it is not offered
  const active = (studies.data ?? []).filter((s) => s.status === 'active' || s.id === props.studyId);
  const study = active.find((s) => s.id === studyId);
  const nodes = useLoad(
    () => (study ? client.listNodes(study.collaborationId) : Promise.resolve([])),
    [study?.collaborationId],
  );
  // only the tasks whose results the form uses (fitted models to validate, summaries that size histogram
  // bins), with their results: the study's task list itself carries none
  const tasks = useLoad(
    () => (study ? client.listTasksWithResults(study.id, RESULT_ALGORITHMS) : Promise.resolve([])),
    [study?.id],
  );
  const studyNodes = (nodes.data ?? []).filter((n) => study?.nodeIds.includes(n.id));
  // only what the study permits: the hub and the nodes would refuse anything else anyway
  const datasets = scopeDatasets(mergeDictionaries(studyNodes), study);
  const allowedAlgorithms = scopeAlgorithms(algorithms.data ?? [], study);
  const algo = allowedAlgorithms.find((a) => a.name === algorithm);
  const schema = algo?.paramsJsonSchema as JsonSchemaNode | undefined;
  const notPermitted = notPermittedText(algorithm, study, allowedAlgorithms);

  // edit and re-run: the earlier task's study and algorithm, then its parameters once the schema is known
  useEffect(() => {
    const t = source.data;
    if (!t || prefilled) return;
    setStudyId(t.studyId);
    setAlgorithm(t.algorithm);
    const s = (algorithms.data ?? []).find((a) => a.name === t.algorithm)?.paramsJsonSchema as
      | JsonSchemaNode
      | undefined;
    if (!s) return;
    setValues(valuesFromParams(s, (t.params ?? {}) as Record<string, unknown>));
    if (t.title) setTitle(t.title);
    setPrefilled(true);
  }, [source.data, algorithms.data, prefilled]);

  // validate this ONNX model: validate, a study of the model's collaboration, the model with its inputs
  // mapped to the columns its card suggests (checked by the researcher, then by the hub and every node)
  useEffect(() => {
    if (prefilled || !props.onnx || !onnxModels.data || !studies.data) return;
    const m = onnxModels.data.find((x) => `${x.name}@${x.version}` === props.onnx);
    if (!m) return;
    if (!props.studyId) {
      const s = studies.data.find((x) => x.status === 'active' && x.collaborationId === m.collaborationId);
      if (s) setStudyId(s.id);
    }
    setAlgorithm('validate');
    setValues({ model: draftFromOnnx(m) });
    setPrefilled(true);
  }, [props.onnx, props.studyId, onnxModels.data, studies.data, prefilled]);

  // validate this model: the registered version or the fitting task's model in the model widget
  useEffect(() => {
    if (prefilled || (!props.model && !props.modelTask)) return;
    let draft = null;
    let kind: 'glm' | 'coxph' | null = null;
    if (props.model && models.data) {
      const [name, version] = props.model.split('@');
      const m = models.data.find((x) => x.name === name && String(x.version) === version);
      if (m) {
        kind = m.kind;
        draft = draftFromModel(m.kind, m);
        if (!props.studyId) setStudyId(m.studyId);
      }
    } else if (modelTask.data) {
      const t = modelTask.data;
      kind = t.algorithm === 'coxph' ? 'coxph' : 'glm';
      draft = draftFromTask(kind, t);
      if (!props.studyId) setStudyId(t.studyId);
      const ds = (t.params as { dataset?: string } | null)?.dataset;
      if (draft && ds) {
        setAlgorithm(VALIDATOR[kind]);
        const outcome = outcomeOfTask(t);
        setValues({ dataset: ds, model: draft, ...(outcome ? { outcome } : {}) });
        setPrefilled(true);
        return;
      }
    }
    if (draft && kind) {
      setAlgorithm(VALIDATOR[kind]);
      setValues({ model: draft });
      setPrefilled(true);
    }
  }, [props.model, props.modelTask, props.studyId, models.data, modelTask.data, prefilled]);

  const columns = datasets.find((d) => d.name === (schema && chosenDataset(schema, values)))?.columns ?? [];
  const context: FormContext = {
    models: models.data ?? [],
    onnxModels: (onnxModels.data ?? []).filter((m) => !study || m.collaborationId === study.collaborationId),
    tasks: tasks.data ?? [],
    known: knownColumns(tasks.data ?? [], values.dataset),
  };
  let preview = '';
  if (schema && algo)
    try {
      preview = paramsSummary(algo.name, buildParams(schema, values, columns));
    } catch {
      preview = '';
    }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!study || !algo || !schema) {
      setError('Choose a study and an algorithm.');
      return;
    }
    let params: Record<string, unknown>;
    try {
      params = buildParams(schema, values, columns);
    } catch (err) {
      setError((err as Error).message);
      return;
    }
    setBusy(true);
    client
      .createTask({
        studyId: study.id,
        algorithm: algo.name,
        params: params as never,
        ...(title.trim() ? { title: title.trim() } : {}),
      })
      .then((t) => navigate(`/tasks/${t.id}`))
      .catch((err: unknown) => setError(errorText(err)))
      .finally(() => setBusy(false));
  };
  return (
    <section>
      <h1>{source.data ? 'Edit and re-run' : 'Run an analysis'}</h1>
      {source.data && (
        <p className="muted" data-testid="rerun-of">
          Parameters of task <a href={`#/tasks/${source.data.id}`}>{source.data.id.slice(0, 8)}</a> (
          {source.data.status}
          {source.data.error ? `: ${source.data.error.code}` : ''}); change what you need and run it again as
          a new task.
        </p>
      )}
      {source.error ? <p className="error">{errorText(source.error)}</p> : null}
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
          {algorithms.data && notPermitted && (
            <p className="error" role="alert" data-testid="algorithm-not-permitted">
              {notPermitted}
            </p>
          )}
          {study && study.algorithms !== null && (
            <small>
              The study permits{' '}
              {study.algorithms.map((a) => `${a.name}${a.version ? ` ${a.version}` : ''}`).join(', ') ||
                'no algorithm'}
              .
            </small>
          )}
        </div>
        {schema && (
          <SchemaForm
            schema={schema}
            datasets={datasets}
            values={values}
            onChange={setValues}
            context={context}
          />
        )}
        {schema && (
          <div className="field">
            <label htmlFor="run-title">Title (optional)</label>
            <input
              id="run-title"
              maxLength={200}
              value={title}
              placeholder={preview || 'default: a summary of the parameters'}
              onChange={(e) => setTitle(e.target.value)}
            />
            <small>
              Tells this task apart in the study's task list; without one the list shows the parameters.
            </small>
          </div>
        )}
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
