import type { DrlSurvey, SurveyDrl } from './drl.js';
import { escapeHtml, fmt } from './html-escape.js';
import { patientGroupLabel } from './patient-groups.js';
import { svgBoxPlot } from './svg-box-plot.js';

/** Options of {@link renderDrlSurveyHtml}. */
export interface DrlHtmlOptions {
  title?: string;
  /** Shown in the header (pass a fixed string for reproducible output; nothing is read from the clock). */
  generatedAt?: string;
}

/**
 * A self-contained HTML page (no external assets, inline SVG and CSS) of a DRL survey: per exam, patient group,
 * phantom and quantity a box plot of the facility medians and quartiles against the survey DRL and the reference
 * DRLs, followed by a table with the same numbers (the accessible alternative), the excluded facilities, the
 * flags and the references' citations. Pure: returns a string.
 */
export function renderDrlSurveyHtml(survey: DrlSurvey, opts: DrlHtmlOptions = {}): string {
  const title = opts.title ?? 'CT dose survey: diagnostic reference levels';
  const sections = survey.results.map((r, i) => section(r, `drl-${i}`));
  const citations = new Map<string, string>();
  for (const r of survey.results)
    for (const ref of r.references) citations.set(ref.id, `${ref.source}: ${ref.citation}`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:.5em 0 2em}' +
      'th,td{border:1px solid #999;padding:.2em .5em;text-align:right}th:first-child,td:first-child{text-align:left}' +
      'caption{text-align:left;font-weight:bold}.over{color:#b3261e;font-weight:bold}</style>',
    '</head><body>',
    `<h1>${escapeHtml(title)}</h1>`,
    opts.generatedAt ? `<p>Generated ${escapeHtml(opts.generatedAt)}.</p>` : '',
    '<p>Survey DRL = 75th percentile (R type 7) of the facility medians. Boxes span the facility quartiles, the thick ' +
      'mark is the median; the solid line is the survey DRL, dashed lines are reference DRLs. Facilities above the ' +
      'survey DRL are drawn in red.</p>',
    ...sections,
    '<h2>Not released</h2>',
    survey.unreleased.length
      ? `<ul>${survey.unreleased
          .map(
            (u) =>
              `<li>${escapeHtml(`${u.exam}, ${patientGroupLabel(u.group)}, ${u.phantom}, ${u.quantity}: ${u.excludedFacilities.map((e) => `${e.facility} (n = ${e.n})`).join(', ')}`)}</li>`,
          )
          .join('')}</ul>`
      : '<p>Every stratum reached the minimum count at one facility at least.</p>',
    '<h2>Flags</h2>',
    survey.flags.length
      ? `<ul>${survey.flags
          .map(
            (f) =>
              `<li>${escapeHtml(`${f.facility}: ${f.exam}, ${f.group}, ${f.phantom}, ${f.quantity} median ${fmt(f.median)} > ${f.against === 'survey' ? 'survey DRL' : f.against} ${fmt(f.limit)}`)}</li>`,
          )
          .join('')}</ul>`
      : '<p>No facility median exceeds a DRL.</p>',
    '<h2>References</h2>',
    citations.size
      ? `<ul>${[...citations].map(([id, c]) => `<li><strong>${escapeHtml(id)}</strong>: ${escapeHtml(c)}</li>`).join('')}</ul>`
      : '<p>No reference DRL applies to these strata.</p>',
    '</body></html>',
    '',
  ].join('\n');
}

function section(r: SurveyDrl, id: string): string {
  const q = r.quantity === 'ctdivol' ? 'CTDIvol' : 'DLP';
  const heading = `${r.exam} — ${patientGroupLabel(r.group)} — ${r.phantom === 'head16' ? '16 cm head' : '32 cm body'} phantom — ${q}`;
  const rows = r.facilities
    .map(
      (f) =>
        `<tr${f.exceedsSurveyDrl ? ' class="over"' : ''}><td>${escapeHtml(f.facility)}</td><td>${f.n}</td><td>${fmt(f.q1)}</td>` +
        `<td>${fmt(f.median)}</td><td>${fmt(f.q3)}</td><td>${f.ratioToSurveyDrl.toFixed(2)}</td>` +
        `<td>${f.exceedsSurveyDrl ? 'yes' : 'no'}</td><td>${escapeHtml(f.exceedsReferences.join(', ') || '—')}</td></tr>`,
    )
    .join('\n');
  const refs = r.references.map((ref) => `${ref.id} ${fmt(ref[r.quantity] as number)} ${r.unit}`).join('; ');
  const excluded = r.excludedFacilities.length
    ? `<p>Excluded (under the minimum count): ${escapeHtml(r.excludedFacilities.map((e) => `${e.facility} (n = ${e.n})`).join(', '))}.</p>`
    : '';
  return [
    `<section aria-labelledby="${id}-h">`,
    `<h2 id="${id}-h">${escapeHtml(heading)}</h2>`,
    `<p>Survey DRL <strong>${fmt(r.drl)} ${escapeHtml(r.unit)}</strong> from ${r.nFacilities} facilities` +
      `${refs ? `; reference DRLs: ${escapeHtml(refs)}` : ''}.</p>`,
    svgBoxPlot(r, id),
    excluded,
    `<table><caption>${escapeHtml(`${q} (${r.unit}) per facility`)}</caption>`,
    '<thead><tr><th scope="col">Facility</th><th scope="col">n</th><th scope="col">Q1</th><th scope="col">Median</th>' +
      '<th scope="col">Q3</th><th scope="col">Median / survey DRL</th><th scope="col">Above survey DRL</th>' +
      '<th scope="col">Above reference DRL</th></tr></thead>',
    `<tbody>${rows}</tbody></table>`,
    '</section>',
  ].join('\n');
}
