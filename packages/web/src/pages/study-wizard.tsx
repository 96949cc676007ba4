/**
 * The study wizard: purpose, legal basis, nodes with the variables picked from their dictionaries and the
 * algorithms, then period and release. Each step is checked on "Next"; the messages sit next to their
 * fields (aria-describedby) and focus goes to the first field in error. Also edits an existing study.
 */
import type { Study } from '@fedhub/protocol';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { navigate, useLoad } from '../api/hooks.js';
import { mergeDictionaries } from '../forms/schema-form.js';
import {
  type DraftErrors,
  type DraftField,
  draftOf,
  emptyDraft,
  STEPS,
  type StudyDraft,
  stepErrors,
  toRequest,
  validateDraft,
} from '../forms/study-draft.js';
import { sameTitle } from '../forms/study-warnings.js';
import { focusFirstError } from './wizard/fields.js';
import { StepLegalBasis } from './wizard/step-legal-basis.js';
import { StepNodes } from './wizard/step-nodes.js';
import { StepPeriod } from './wizard/step-period.js';
import { StepPurpose } from './wizard/step-purpose.js';

/** The create (no `existing`) or edit wizard. */
export function StudyWizard({ existing }: { existing?: Study }) {
  const { client } = useSession();
  const collabs = useLoad(() => client.listCollaborations(), []);
  const algorithms = useLoad(() => client.listAlgorithms(), []);
  // the studies visible to the user: a title used by another study of the collaboration is refused
  const studies = useLoad(() => client.listStudies(), []);
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

  /** `errs` with the title's message when another study of the collaboration has it (checked on step 1). */
  const withDuplicateTitle = (errs: DraftErrors, at: number): DraftErrors => {
    if (at !== 0 || errs.title) return errs;
    const dup = sameTitle(studies.data ?? [], draft.collaborationId, draft.title, existing?.id);
    return dup
      ? {
          ...errs,
          title: `A study of this collaboration is already titled "${dup.title}": choose a title that tells them apart.`,
        }
      : errs;
  };

  const next = (e: FormEvent) => {
    e.preventDefault();
    setSubmitError(null);
    const errs = withDuplicateTitle(stepErrors(draft, step), step);
    setErrors(errs);
    if (Object.keys(errs).length > 0) {
      focusFirstError(errs, step);
      return;
    }
    if (step < STEPS.length - 1) {
      setStep(step + 1);
      return;
    }
    const all = withDuplicateTitle(validateDraft(draft), 0);
    const firstBad = STEPS.findIndex((s) => s.fields.some((f) => all[f]));
    if (firstBad >= 0) {
      setStep(firstBad);
      setErrors(withDuplicateTitle(stepErrors(draft, firstBad), firstBad));
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

  const stepProps = { draft, set, errors };
  let body: ReactNode;
  if (step === 0)
    body = <StepPurpose {...stepProps} collaborations={collabs.data ?? []} existing={existing} />;
  else if (step === 1) body = <StepLegalBasis {...stepProps} />;
  else if (step === 2)
    body = (
      <StepNodes {...stepProps} nodes={nodes.data} datasets={datasets} algorithms={algorithms.data ?? []} />
    );
  else body = <StepPeriod {...stepProps} chosenNodes={chosenNodes} />;

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
