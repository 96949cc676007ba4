import type { DrlSurvey } from './drl.js';

/** Quote a CSV field per RFC 4180 when it holds a comma, quote or line break. */
function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV column names written by {@link drlSurveyCsv}. */
export const DRL_CSV_COLUMNS = [
  'exam',
  'group',
  'phantom',
  'quantity',
  'unit',
  'facility',
  'n',
  'q1',
  'median',
  'q3',
  'survey_drl',
  'n_facilities',
  'ratio_to_survey_drl',
  'exceeds_survey_drl',
  'exceeds_references',
] as const;

/**
 * The survey as CSV (RFC 4180, CRLF line ends), one row per stratum × quantity × facility; numbers are written
 * with full precision (JavaScript shortest round-trip form). Reference ids are joined with `;`.
 */
export function drlSurveyCsv(survey: DrlSurvey): string {
  const lines = [DRL_CSV_COLUMNS.join(',')];
  for (const r of survey.results) {
    for (const f of r.facilities) {
      lines.push(
        [
          r.exam,
          r.group,
          r.phantom,
          r.quantity,
          r.unit,
          f.facility,
          f.n,
          f.q1,
          f.median,
          f.q3,
          r.drl,
          r.nFacilities,
          f.ratioToSurveyDrl,
          f.exceedsSurveyDrl,
          f.exceedsReferences.join(';'),
        ]
          .map(csvField)
          .join(','),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
