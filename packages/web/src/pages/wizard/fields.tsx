/** Shared parts of the study wizard's steps: field messages, focus, the variable and legal-basis pickers. */
import { type ColumnSpec, type DataDictionary, LEGAL_BASIS_TITLES, type LegalBasis } from '@fedhub/protocol';
import {
  type DraftErrors,
  type DraftField,
  LEGAL_BASIS_HELP,
  STEPS,
  type StudyDraft,
} from '../../forms/study-draft.js';

/** What every step gets: the draft, its setter and the messages of the last check. */
export interface StepProps {
  draft: StudyDraft;
  set: <K extends keyof StudyDraft>(k: K, v: StudyDraft[K]) => void;
  errors: DraftErrors;
}

/** aria-invalid for a field in error. */
export const invalidOf = (errors: DraftErrors) => (f: DraftField) => (errors[f] ? true : undefined);

/** ids of the elements that describe a field: its help and its message when it has one. */
export function describedBy(field: DraftField, errors: DraftErrors, help = false): string | undefined {
  const ids = [help ? `study-${field}-help` : '', errors[field] ? `study-${field}-error` : ''].filter(
    Boolean,
  );
  return ids.length ? ids.join(' ') : undefined;
}

export function FieldError({ field, errors }: { field: DraftField; errors: DraftErrors }) {
  const m = errors[field];
  return m ? (
    <p id={`study-${field}-error`} className="field-error" data-testid="field-error">
      {m}
    </p>
  ) : null;
}

/** Focuses the first control of the first field in error (fields render in step order). */
export function focusFirstError(errors: DraftErrors, step: number): void {
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

export function VariablePicker(props: {
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

export function LegalBasisSelect(props: {
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
