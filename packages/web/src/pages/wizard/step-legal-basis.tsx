/** Step 2 of the study wizard: the GDPR legal basis (Art. 6 and Art. 9), ethics and DPIA references, categories. */
import { LEGAL_BASES, LEGAL_BASIS_TITLES, type LegalBasis } from '@fedhub/protocol';
import { describedBy, FieldError, invalidOf, LegalBasisSelect, type StepProps } from './fields.js';

const ART6 = LEGAL_BASES.filter((b) => b.startsWith('art6-'));
const ART9 = LEGAL_BASES.filter((b) => b.startsWith('art9-'));

export function StepLegalBasis({ draft, set, errors }: StepProps) {
  const invalid = invalidOf(errors);
  const art6 = (draft.legalBasis.find((b) => b.startsWith('art6-')) ?? '') as LegalBasis | '';
  const art9 = (draft.legalBasis.find((b) => b.startsWith('art9-')) ?? '') as LegalBasis | '';
  // the selects edit the first basis of each article; further ones (set through the API) are kept
  const extra = draft.legalBasis.filter((b) => b !== art6 && b !== art9);
  const setBasis = (a6: LegalBasis | '', a9: LegalBasis | '') =>
    set(
      'legalBasis',
      [a6, a9, ...extra].filter((b, i, all): b is LegalBasis => b !== '' && all.indexOf(b) === i),
    );
  return (
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
}
