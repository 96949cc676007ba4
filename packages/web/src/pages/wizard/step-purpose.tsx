/** Step 1 of the study wizard: collaboration, title (unique in the collaboration) and purpose. */
import type { Collaboration, Study } from '@fedhub/protocol';
import { describedBy, FieldError, invalidOf, type StepProps } from './fields.js';

export function StepPurpose({
  draft,
  set,
  errors,
  collaborations,
  existing,
}: StepProps & { collaborations: readonly Collaboration[]; existing?: Study | undefined }) {
  const invalid = invalidOf(errors);
  return (
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
          {collaborations.map((c) => (
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
}
