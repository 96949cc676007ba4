/**
 * The study wizard: purpose, legal basis, nodes with the variables picked from their dictionaries and the
 * algorithms, then period and release. Each step is checked on "Next"; the messages sit next to their
 * fields (aria-describedby) and focus goes to the first field in error. Also edits an existing study.
 */
import {
  type AlgorithmInfo,
  type ColumnSpec,
  type DataDictionary,
  LEGAL_BASES,
  LEGAL_BASIS_TITLES,
  type LegalBasis,
  type Study,
} from '@fedhub/protocol';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { navigate, useLoad } from '../api/hooks.js';
import { mergeDictionaries } from '../forms/schema-form.js';
import {
  type DraftErrors,
  type DraftField,
  draftOf,
  emptyDraft,
  LEGAL_BASIS_HELP,
  STEPS,
  type StudyDraft,
  stepErrors,
  toRequest,
  validateDraft,
  variableCount,
} from '../forms/study-draft.js';

const ART6 = LEGAL_BASES.filter((b) => b.startsWith('art6-'));
const ART9 = LEGAL_BASES.filter((b) => b.startsWith('art9-'));

/** ids of the elements that describe a field: its help and its message when it has one. */
function describedBy(field: DraftField, errors: DraftErrors, help = false): string | undefined {
  const ids = [help ? `study-${field}-help` : '', errors[field] ? `study-${field}-error` : ''].filter(
    Boolean,
  );
  return ids.length ? ids.join(' ') : undefined;
}

function FieldError({ field, errors }: { field: DraftField; errors: DraftErrors }) {
  const m = errors[field];
  return m ? (
    <p id={`study-${field}-error`} className="field-error" data-testid="field-error">
      {m}
    </p>
  ) : null;
}

/** Focuses the first control of the first field in error (fields render in step order). */
function focusFirstError(errors: DraftErrors, step: number): void {
  const first = STEPS[step]?.fields.find((f) => errors[f]);
  if (!first) return;
  // after React has rendered the messages
  requestAnimationFrame(() => {
    const el = document.querySelector<HTMLElement>(
      `[data-field="${first}"] :is(input, select, textarea):not([disabled])`,
    );
    el?.focus();
  });
}

function describeColumn(c: ColumnSpec): string {
  return [c.type, c.unit, c.identifier ? 'identifier, never released' : ''].filter(Boolean).join(', ');
}

function VariablePicker(props: {
  dataset: DataDictionary;
  picked: readonly string[];
  set: (cols: string[]) => void;
  errorIds: string | undefined;
}) {
  const { dataset: d, picked, set } = props;
  const has = new Set(picked);
  return (
    <fieldset className="variables" data-testid={`variables-${d.name}`}>
      <legend>
        Variables of dataset <strong>{d.name}</strong> ({picked.length} of {d.columns.length})
      </legend>
      {d.description && <p className="muted small">{d.description}</p>}
      <div className="row">
        <button
          type="button"
          className="secondary"
          onClick={() => set(d.columns.filter((c) => !c.identifier).map((c) => c.name))}
        >
          All of {d.name}
        </button>
        <button type="button" className="secondary" onClick={() => set([])}>
          None of {d.name}
        </button>
      </div>
      <div className="column-grid">
        {d.columns.map((c) => (
          <label key={c.name} className="check" title={c.description}>
            <input
              type="checkbox"
              name={`variables-${d.name}`}
              value={c.name}
              checked={has.has(c.name)}
              aria-describedby={props.errorIds}
              onChange={(e) =>
                set(e.target.checked ? [...picked, c.name] : picked.filter((x) => x !== c.name))
              }
            />
            <span>
              <span className="mono">{c.name}</span>{' '}
              <span className="muted small">
                ({describeColumn(c)}){c.description ? ` ${c.description}` : ''}
              </span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function LegalBasisSelect(props: {
  id: string;
  label: string;
  options: readonly LegalBasis[];
  value: LegalBasis | '';
  onChange: (v: LegalBasis | '') => void;
  errorIds: string | undefined;
}) {
  const helpId = `${props.id}-help`;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        aria-describedby={[helpId, props.errorIds].filter(Boolean).join(' ')}
        aria-invalid={props.errorIds ? true : undefined}
        onChange={(e) => props.onChange(e.target.value as LegalBasis | '')}
      >
        <option value="">Choose…</option>
        {props.options.map((b) => (
          <option key={b} value={b}>
            {LEGAL_BASIS_TITLES[b]}
          </option>
        ))}
      </select>
      <small id={helpId}>
        {props.value ? LEGAL_BASIS_HELP[props.value] : 'Pick the basis that applies.'}
      </small>
    </div>
  );
}

/** The create (no `existing`) or edit wizard. */
export function StudyWizard({ existing }: { existing?: Study }) {
  const { client } = useSession();
  const collabs = useLoad(() => client.listCollaborations(), []);
  const algorithms = useLoad(() => client.listAlgorithms(), []);
  const [draft, setDraft] = useState<StudyDraft>(() => (existing ? draftOf(existing) : emptyDraft()));
  const [step, setStep] = useState(0);
  const [errors, setErrors] = useState<DraftErrors>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nodes = useLoad(
    () => (draft.collaborationId ? client.listNodes(draft.collaborationId) : Promise.resolve([])),
    [draft.collaborationId],
  );
  const chosenNodes = (nodes.data ?? []).filter((n) => draft.nodeIds.includes(n.id));
  const datasets = mergeDictionaries(chosenNodes);
  const set = <K extends keyof StudyDraft>(k: K, v: StudyDraft[K]) => {
    setDraft((d) => ({ ...d, [k]: v }));
    // a corrected field loses its message at once; others keep theirs until the next check
    setErrors((e) => {
      if (!(k in e)) return e;
      const { [k as DraftField]: _, ...rest } = e;
      return rest;
    });
  };

  // a new study starts with every node of the collaboration (narrowing down is quicker); variables and
  // algorithms start empty, since data minimisation asks for a deliberate choice
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the node list arrives
  useEffect(() => {
    if (existing || !nodes.data || draft.nodeIds.length > 0) return;
    setDraft((d) => ({ ...d, nodeIds: (nodes.data ?? []).map((n) => n.id) }));
  }, [nodes.data]);

  const art6 = (draft.legalBasis.find((b) => b.startsWith('art6-')) ?? '') as LegalBasis | '';
  const art9 = (draft.legalBasis.find((b) => b.startsWith('art9-')) ?? '') as LegalBasis | '';
  // the selects edit the first basis of each article; further ones (set through the API) are kept
  const extra = draft.legalBasis.filter((b) => b !== art6 && b !== art9);
  const setBasis = (a6: LegalBasis | '', a9: LegalBasis | '') =>
    set(
      'legalBasis',
      [a6, a9, ...extra].filter((b, i, all): b is LegalBasis => b !== '' && all.indexOf(b) === i),
    );

  const next = (e: FormEvent) => {
    e.preventDefault();
    setSubmitError(null);
    const errs = stepErrors(draft, step);
    setErrors(errs);
    if (Object.keys(errs).length > 0) {
      focusFirstError(errs, step);
      return;
    }
    if (step < STEPS.length - 1) {
      setStep(step + 1);
      return;
    }
    const all = validateDraft(draft);
    const firstBad = STEPS.findIndex((s) => s.fields.some((f) => all[f]));
    if (firstBad >= 0) {
      setStep(firstBad);
      setErrors(stepErrors(draft, firstBad));
      focusFirstError(all, firstBad);
      return;
    }
    const body = toRequest(draft, datasets, algorithms.data ?? []);
    setBusy(true);
    const { collaborationId: _c, ...update } = body;
    (existing ? client.updateStudy(existing.id, update) : client.createStudy(body))
      .then((s) => navigate(`/studies/${s.id}`))
      .catch((err: unknown) => setSubmitError(errorText(err)))
      .finally(() => setBusy(false));
  };

  const invalid = (f: DraftField) => (errors[f] ? true : undefined);
  let body: ReactNode;
  if (step === 0)
    body = (
      <>
        <div className="field" data-field="collaborationId">
          <label htmlFor="study-collab">Collaboration</label>
          <select
            id="study-collab"
            value={draft.collaborationId}
            disabled={!!existing}
            aria-invalid={invalid('collaborationId')}
            aria-describedby={describedBy('collaborationId', errors)}
            onChange={(e) => {
              set('collaborationId', e.target.value);
              set('nodeIds', []);
            }}
          >
            <option value="">Choose…</option>
            {(collabs.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          <FieldError field="collaborationId" errors={errors} />
        </div>
        <div className="field" data-field="title">
          <label htmlFor="study-title">Title</label>
          <input
            id="study-title"
            value={draft.title}
            maxLength={300}
            aria-invalid={invalid('title')}
            aria-describedby={describedBy('title', errors)}
            onChange={(e) => set('title', e.target.value)}
          />
          <FieldError field="title" errors={errors} />
        </div>
        <div className="field" data-field="purpose">
          <label htmlFor="study-purpose">Purpose</label>
          <textarea
            id="study-purpose"
            rows={4}
            value={draft.purpose}
            aria-invalid={invalid('purpose')}
            aria-describedby={describedBy('purpose', errors, true)}
            onChange={(e) => set('purpose', e.target.value)}
          />
          <small id="study-purpose-help">
            The specific research question: processing is lawful only for this purpose (purpose limitation).
          </small>
          <FieldError field="purpose" errors={errors} />
        </div>
      </>
    );
  else if (step === 1)
    body = (
      <>
        <fieldset data-field="legalBasis">
          <legend>Legal basis (GDPR)</legend>
          <LegalBasisSelect
            id="study-art6"
            label="Lawful basis, Art. 6(1)"
            options={ART6}
            value={art6}
            onChange={(v) => setBasis(v, art9)}
            errorIds={errors.legalBasis ? 'study-legalBasis-error' : undefined}
          />
          <LegalBasisSelect
            id="study-art9"
            label="Condition for health data, Art. 9(2)"
            options={ART9}
            value={art9}
            onChange={(v) => setBasis(art6, v)}
            errorIds={errors.legalBasis ? 'study-legalBasis-error' : undefined}
          />
          {extra.length > 0 && (
            <p className="muted small">Also declared: {extra.map((b) => LEGAL_BASIS_TITLES[b]).join('; ')}</p>
          )}
          <FieldError field="legalBasis" errors={errors} />
        </fieldset>
        <div className="field" data-field="legalBasisNote">
          <label htmlFor="study-basis-note">Legal basis note (national law, consent form version…)</label>
          <textarea
            id="study-basis-note"
            rows={2}
            value={draft.legalBasisNote}
            onChange={(e) => set('legalBasisNote', e.target.value)}
          />
        </div>
        <div className="field" data-field="ethicsApprovalRef">
          <label htmlFor="study-ethics">Ethics approval reference</label>
          <input
            id="study-ethics"
            value={draft.ethicsApprovalRef}
            aria-invalid={invalid('ethicsApprovalRef')}
            aria-describedby={describedBy('ethicsApprovalRef', errors)}
            onChange={(e) => set('ethicsApprovalRef', e.target.value)}
          />
          <FieldError field="ethicsApprovalRef" errors={errors} />
        </div>
        <div className="field" data-field="dpiaRef">
          <label htmlFor="study-dpia">DPIA reference (data protection impact assessment)</label>
          <input id="study-dpia" value={draft.dpiaRef} onChange={(e) => set('dpiaRef', e.target.value)} />
        </div>
        <div className="field" data-field="dataCategories">
          <label htmlFor="study-categories">Categories of personal data (comma-separated)</label>
          <input
            id="study-categories"
            value={draft.dataCategories}
            aria-invalid={invalid('dataCategories')}
            aria-describedby={describedBy('dataCategories', errors)}
            onChange={(e) => set('dataCategories', e.target.value)}
          />
          <FieldError field="dataCategories" errors={errors} />
        </div>
        <div className="field">
          <label htmlFor="study-subjects">Categories of data subjects (comma-separated)</label>
          <input
            id="study-subjects"
            value={draft.dataSubjectCategories}
            onChange={(e) => set('dataSubjectCategories', e.target.value)}
          />
        </div>
      </>
    );
  else if (step === 2)
    body = (
      <>
        <fieldset data-field="nodeIds">
          <legend>Participating nodes</legend>
          {(nodes.data ?? []).map((n) => (
            <label key={n.id} className="check">
              <input
                type="checkbox"
                name="nodes"
                value={n.id}
                checked={draft.nodeIds.includes(n.id)}
                aria-describedby={describedBy('nodeIds', errors)}
                onChange={(e) =>
                  set(
                    'nodeIds',
                    e.target.checked ? [...draft.nodeIds, n.id] : draft.nodeIds.filter((x) => x !== n.id),
                  )
                }
              />
              {n.name} <span className={`status status-${n.status}`}>{n.status}</span>
              <span className="muted small">{n.datasets.map((d) => d.name).join(', ') || 'no datasets'}</span>
            </label>
          ))}
          {nodes.data?.length === 0 && <p className="muted">This collaboration has no nodes.</p>}
          <FieldError field="nodeIds" errors={errors} />
        </fieldset>
        <div data-field="variables">
          <h2 className="h3">Variables the study may use</h2>
          <p className="muted small" id="study-variables-help">
            Data minimisation: analyses of this study can only use the variables ticked here. The lists come
            from the chosen nodes’ data dictionaries.
          </p>
          {datasets.map((d) => (
            <VariablePicker
              key={d.name}
              dataset={d}
              picked={draft.variables[d.name] ?? []}
              errorIds={describedBy('variables', errors, true)}
              set={(cols) => set('variables', { ...draft.variables, [d.name]: cols })}
            />
          ))}
          {datasets.length === 0 && <p className="muted">The chosen nodes publish no datasets.</p>}
          <FieldError field="variables" errors={errors} />
        </div>
        <fieldset data-field="algorithms">
          <legend>Algorithms the study may run</legend>
          {(algorithms.data ?? []).map((a: AlgorithmInfo) => (
            <label key={a.name} className="check">
              <input
                type="checkbox"
                name="algorithms"
                value={a.name}
                checked={draft.algorithms.includes(a.name)}
                aria-describedby={describedBy('algorithms', errors)}
                onChange={(e) =>
                  set(
                    'algorithms',
                    e.target.checked
                      ? [...draft.algorithms, a.name]
                      : draft.algorithms.filter((x) => x !== a.name),
                  )
                }
              />
              <span>
                {a.title}{' '}
                <span className="mono small">
                  ({a.name} {a.version})
                </span>
              </span>
            </label>
          ))}
          <label className="check">
            <input
              type="checkbox"
              checked={draft.pinVersions}
              onChange={(e) => set('pinVersions', e.target.checked)}
            />
            Pin each algorithm to its current version (a new version then needs a study change)
          </label>
          <FieldError field="algorithms" errors={errors} />
        </fieldset>
      </>
    );
  else
    body = (
      <>
        <div className="row wrap">
          <div className="field" data-field="startsAt">
            <label htmlFor="study-starts">Start date</label>
            <input
              id="study-starts"
              type="date"
              value={draft.startsAt}
              aria-invalid={invalid('startsAt')}
              aria-describedby={describedBy('startsAt', errors)}
              onChange={(e) => set('startsAt', e.target.value)}
            />
            <FieldError field="startsAt" errors={errors} />
          </div>
          <div className="field" data-field="endsAt">
            <label htmlFor="study-ends">End date</label>
            <input
              id="study-ends"
              type="date"
              value={draft.endsAt}
              aria-invalid={invalid('endsAt')}
              aria-describedby={describedBy('endsAt', errors)}
              onChange={(e) => set('endsAt', e.target.value)}
            />
            <FieldError field="endsAt" errors={errors} />
          </div>
          <div className="field" data-field="minNodes">
            <label htmlFor="study-min-nodes">Minimum number of nodes per analysis</label>
            <input
              id="study-min-nodes"
              inputMode="numeric"
              placeholder={String(Math.min(3, draft.nodeIds.length || 3))}
              value={draft.minNodes}
              aria-invalid={invalid('minNodes')}
              aria-describedby={describedBy('minNodes', errors, true)}
              onChange={(e) => set('minNodes', e.target.value)}
            />
            <small id="study-minNodes-help">A pooled result from fewer nodes is not released.</small>
            <FieldError field="minNodes" errors={errors} />
          </div>
        </div>
        <div className="field">
          <label className="check">
            <input
              id="study-breakdown"
              type="checkbox"
              role="switch"
              aria-checked={draft.releasePerNodeBreakdown}
              aria-describedby="study-breakdown-help"
              checked={draft.releasePerNodeBreakdown}
              onChange={(e) => set('releasePerNodeBreakdown', e.target.checked)}
            />
            Release per-node breakdowns
          </label>
          <small id="study-breakdown-help">
            Off: only pooled results leave the federation. On: per-centre parts (e.g. per-centre forest plot
            rows) may be released too, which can identify a centre’s figures.
          </small>
        </div>
        <section aria-labelledby="study-review">
          <h2 id="study-review" className="h3">
            Review
          </h2>
          <dl className="summary" data-testid="study-review">
            <dt>Title</dt>
            <dd>{draft.title}</dd>
            <dt>Legal basis</dt>
            <dd>{draft.legalBasis.map((b) => LEGAL_BASIS_TITLES[b]).join('; ') || '–'}</dd>
            <dt>Nodes</dt>
            <dd>{chosenNodes.map((n) => n.name).join(', ')}</dd>
            <dt>Variables</dt>
            <dd>{variableCount(draft)}</dd>
            <dt>Algorithms</dt>
            <dd>{draft.algorithms.join(', ')}</dd>
          </dl>
        </section>
      </>
    );

  const last = step === STEPS.length - 1;
  return (
    <section>
      <h1>{existing ? `Edit study: ${existing.title}` : 'New study'}</h1>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s.title} aria-current={i === step ? 'step' : undefined}>
            {i + 1}. {s.title}
          </li>
        ))}
      </ol>
      <form
        onSubmit={next}
        aria-label={existing ? 'Edit study' : 'New study'}
        className="stack wide"
        noValidate
      >
        <h2 className="h3">
          Step {step + 1} of {STEPS.length}: {STEPS[step]?.title}
        </h2>
        {body}
        <div className="row">
          {step > 0 && (
            <button type="button" className="secondary" onClick={() => setStep(step - 1)}>
              Back
            </button>
          )}
          <button type="submit" disabled={busy}>
            {!last ? 'Next' : existing ? 'Save changes' : 'Create study'}
          </button>
        </div>
        {Object.keys(errors).length > 0 && (
          <p role="alert" className="error">
            Please correct the {Object.keys(errors).length === 1 ? 'field' : 'fields'} marked below the
            inputs.
          </p>
        )}
        {submitError && (
          <p role="alert" className="error">
            {submitError}
          </p>
        )}
      </form>
    </section>
  );
}
