/**
 * Register an ONNX model (`#/onnx-models/new`): the file read as bytes in the browser and sent base64, name,
 * version, collaboration, and the model card as form fields validated with protocol's `OnnxModelCardSchema`
 * before sending; the hub's coded refusals (unsupported operator, inputs not in the graph, ...) in words.
 */
import { OnnxVersionSchema, SlugSchema } from '@fedhub/protocol';
import { type FormEvent, useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import {
  bytesToBase64,
  type CardDraft,
  type CardInputDraft,
  cardFromDraft,
  emptyCard,
  emptyInput,
  type FieldProblem,
  registerErrorText,
} from '../api/onnx-card-form.js';

function Field(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  problems: FieldProblem[];
  multiline?: boolean;
  hint?: string;
}) {
  const problem = props.problems.find((p) => p.field === props.id);
  const described = [props.hint ? `${props.id}-hint` : '', problem ? `${props.id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id: props.id,
    value: props.value,
    'aria-invalid': problem ? true : undefined,
    'aria-describedby': described || undefined,
  };
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={3} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input {...common} type="text" onChange={(e) => props.onChange(e.target.value)} />
      )}
      {props.hint && (
        <small id={`${props.id}-hint`} className="hint">
          {props.hint}
        </small>
      )}
      {problem && (
        <small id={`${props.id}-error`} className="error">
          {problem.message}
        </small>
      )}
    </div>
  );
}

/** The hub's registry cap (hub `ONNX_REGISTRY_MAX_BYTES`), checked here before reading the file. */
const MAX_ONNX_BYTES = 32 * 1024 * 1024;

/** The register form. */
export function OnnxRegister() {
  const { client, me } = useSession();
  const collabs = useLoad(() => client.listCollaborations(), []);
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [version, setVersion] = useState('1.0.0');
  const [collaborationId, setCollaborationId] = useState('');
  const [card, setCard] = useState<CardDraft>(emptyCard());
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const visible = (collabs.data ?? []).filter(
    (c) => me.roles.includes('hub-admin') || me.collaborationIds.includes(c.id),
  );
  const collab = collaborationId || visible[0]?.id || '';
  const set = (k: keyof CardDraft) => (v: string) => setCard((c) => ({ ...c, [k]: v }));
  const setInput = (i: number, k: keyof CardInputDraft) => (v: string) =>
    setCard((c) => ({ ...c, inputs: c.inputs.map((x, j) => (j === i ? { ...x, [k]: v } : x)) }));

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setError(null);
    const found: FieldProblem[] = [];
    if (!file) found.push({ field: 'onnx-file', message: 'choose the .onnx file' });
    else if (file.size > MAX_ONNX_BYTES)
      found.push({ field: 'onnx-file', message: 'the file is over the registry’s 32 MiB limit' });
    const n = SlugSchema.safeParse(name);
    if (!n.success) found.push({ field: 'onnx-name', message: n.error.issues[0]?.message ?? 'invalid' });
    const v = OnnxVersionSchema.safeParse(version);
    if (!v.success) found.push({ field: 'onnx-version', message: v.error.issues[0]?.message ?? 'invalid' });
    if (!collab) found.push({ field: 'onnx-collaboration', message: 'choose a collaboration' });
    const c = cardFromDraft(card);
    if (!c.ok) found.push(...c.problems);
    setProblems(found);
    if (found.length > 0 || !c.ok || !file) {
      setError(`Please correct ${found.length} field(s) marked below.`);
      return;
    }
    setBusy(true);
    try {
      const onnx = bytesToBase64(new Uint8Array(await file.arrayBuffer()));
      const m = await client.registerOnnxModel({
        name,
        version,
        collaborationId: collab,
        card: c.card,
        onnx,
      });
      window.location.hash = `#/onnx-models/${encodeURIComponent(m.name)}/${encodeURIComponent(m.version)}`;
    } catch (e) {
      setError(registerErrorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>Register an ONNX model</h1>
      <p>
        The hub stores the file with its sha256, reads its input/output signature from the graph and checks
        that the runtime can load it. Node approvals bind to the digest: a new file is a new version.
      </p>
      {collabs.error ? (
        <p role="alert" className="error">
          {errorText(collabs.error)}
        </p>
      ) : null}
      <form onSubmit={(e) => void submit(e)} aria-label="Register an ONNX model" noValidate>
        <div className="field">
          <label htmlFor="onnx-file">ONNX file</label>
          <input
            id="onnx-file"
            type="file"
            accept=".onnx,application/octet-stream"
            aria-invalid={problems.some((p) => p.field === 'onnx-file') ? true : undefined}
            aria-describedby={problems.some((p) => p.field === 'onnx-file') ? 'onnx-file-error' : undefined}
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
          {file && <small className="hint">{file.size} bytes</small>}
          {problems
            .filter((p) => p.field === 'onnx-file')
            .map((p) => (
              <small key={p.message} id="onnx-file-error" className="error">
                {p.message}
              </small>
            ))}
        </div>
        <Field
          id="onnx-name"
          label="Name"
          value={name}
          onChange={setName}
          problems={problems}
          hint="lowercase letters, digits and hyphens, e.g. tox-net"
        />
        <Field id="onnx-version" label="Version" value={version} onChange={setVersion} problems={problems} />
        <div className="field">
          <label htmlFor="onnx-collaboration">Collaboration</label>
          <select id="onnx-collaboration" value={collab} onChange={(e) => setCollaborationId(e.target.value)}>
            {visible.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <fieldset>
          <legend>Model card</legend>
          <Field
            id="card-intendedUse"
            label="Intended use"
            multiline
            value={card.intendedUse}
            onChange={set('intendedUse')}
            problems={problems}
            hint="Population, setting, clinical question, intended users"
          />
          <Field
            id="card-trainingData"
            label="Training data"
            multiline
            value={card.trainingData}
            onChange={set('trainingData')}
            problems={problems}
            hint="Source, period, centres, size and outcome prevalence"
          />
          {card.inputs.map((inp, i) => (
            <fieldset key={inp.key} id={i === 0 ? 'card-inputs' : undefined}>
              <legend>Input {i + 1}</legend>
              <Field
                id={`card-inputs-${i}-name`}
                label={`Input ${i + 1} name (as in the graph)`}
                value={inp.name}
                onChange={setInput(i, 'name')}
                problems={problems}
              />
              <Field
                id={`card-inputs-${i}-description`}
                label={`Input ${i + 1} description`}
                value={inp.description}
                onChange={setInput(i, 'description')}
                problems={problems}
              />
              <Field
                id={`card-inputs-${i}-preprocessing`}
                label={`Input ${i + 1} preprocessing`}
                value={inp.preprocessing}
                onChange={setInput(i, 'preprocessing')}
                problems={problems}
                hint="Units, scaling, encoding the input expects"
              />
              <Field
                id={`card-inputs-${i}-columns`}
                label={`Input ${i + 1} columns`}
                value={inp.columns}
                onChange={setInput(i, 'columns')}
                problems={problems}
                hint="Suggested data-dictionary columns in order, comma-separated (optional)"
              />
              {card.inputs.length > 1 && (
                <button
                  type="button"
                  onClick={() => setCard((c) => ({ ...c, inputs: c.inputs.filter((_, j) => j !== i) }))}
                >
                  Remove input {i + 1}
                </button>
              )}
            </fieldset>
          ))}
          {problems.some((p) => p.field === 'card-inputs') && (
            <p className="error">Describe at least one input.</p>
          )}
          {card.inputs.length < 16 && (
            <button
              type="button"
              onClick={() => setCard((c) => ({ ...c, inputs: [...c.inputs, emptyInput()] }))}
            >
              Add an input
            </button>
          )}
          <Field
            id="card-output-name"
            label="Output name (as in the graph)"
            value={card.outputName}
            onChange={set('outputName')}
            problems={problems}
          />
          <Field
            id="card-output-meaning"
            label="Output meaning"
            multiline
            value={card.outputMeaning}
            onChange={set('outputMeaning')}
            problems={problems}
            hint="e.g. predicted probability of grade >= 2 toxicity"
          />
          <Field
            id="card-licence"
            label="Licence"
            value={card.licence}
            onChange={set('licence')}
            problems={problems}
            hint="SPDX identifier or licence name"
          />
          <Field
            id="card-authors"
            label="Authors"
            multiline
            value={card.authors}
            onChange={set('authors')}
            problems={problems}
            hint="One a line (optional)"
          />
          <Field
            id="card-limitations"
            label="Limitations"
            multiline
            value={card.limitations}
            onChange={set('limitations')}
            problems={problems}
            hint="One a line (optional)"
          />
          <Field
            id="card-references"
            label="References"
            multiline
            value={card.references}
            onChange={set('references')}
            problems={problems}
            hint="One a line (optional)"
          />
        </fieldset>
        {error && (
          <p role="alert" className="error" data-testid="onnx-register-error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Registering…' : 'Register'}
        </button>
      </form>
    </section>
  );
}
