/**
 * The study's columns, checked against a task's model formula before the formula is parsed: tokenizing
 * is linear in the text, parsing expands interactions, so a formula naming columns the study does not
 * allow is refused without ever being expanded (issue 15, item 7).
 */
import { formulaColumnsBeforeParsing } from '@fedhub/algorithms';
import { columnsOutsideStudy, FedhubError, type Study } from '@fedhub/protocol';

/** The formula texts in the parameters of the model algorithms (`formula`, `model.formula`). */
function formulasOf(params: unknown): string[] {
  if (params === null || typeof params !== 'object') return [];
  const p = params as { formula?: unknown; model?: { formula?: unknown } };
  const out: string[] = [];
  if (typeof p.formula === 'string') out.push(p.formula);
  if (p.model && typeof p.model === 'object' && typeof p.model.formula === 'string')
    out.push(p.model.formula);
  return out;
}

/**
 * Throws FH_ERR_OUTSIDE_STUDY when a formula in `params` names a column the study does not allow for
 * the parameters' dataset, and FH_ERR_FORMULA_TOO_LARGE when the text is too long to tokenize.
 */
export function refuseFormulaOutsideStudy(study: Pick<Study, 'id' | 'variables'>, params: unknown): void {
  const dataset = (params as { dataset?: unknown } | null)?.dataset;
  if (typeof dataset !== 'string') return;
  for (const formula of formulasOf(params)) {
    const outside = columnsOutsideStudy(study, { dataset, columns: formulaColumnsBeforeParsing(formula) });
    if (outside.length > 0)
      throw new FedhubError(
        'FH_ERR_OUTSIDE_STUDY',
        `the study does not allow column ${outside.map((c) => `"${c}"`).join(', ')} of dataset "${dataset}"`,
        { studyId: study.id, dataset, columns: outside },
      );
  }
}
