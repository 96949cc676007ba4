import { describe, expect, it } from 'vitest';
import { DRL_CSV_COLUMNS, drlSurveyCsv } from './dose-csv.js';
import { renderDrlSurveyHtml } from './dose-report-html.js';
import { combineDrlSurvey, type FacilityRelease } from './drl.js';
import { DRL_REFERENCE_TABLE } from './drl-reference-table.js';

const release = (facility: string, median: number): FacilityRelease => ({
  facility,
  minN: 20,
  rowsWithoutGroup: 0,
  excluded: [],
  strata: [
    {
      exam: 'ctpa',
      group: 'adult',
      phantom: 'body32',
      nExams: 25,
      ctdivol: { n: 25, median, q1: median * 0.8, q3: median * 1.25 },
      dlp: { n: 25, median: median * 30, q1: median * 25, q3: median * 36 },
    },
  ],
});
const releases = [
  release('North <A&B>', 6),
  release('South, "east"', 8),
  release('West', 10),
  release('East', 14),
  {
    ...release('Small', 5),
    strata: [],
    excluded: [
      {
        exam: 'head',
        group: 'adult',
        phantom: 'head16',
        quantity: 'both',
        n: 7,
        reason: '7 exams < minimum 20',
      },
    ],
  } satisfies FacilityRelease,
];
const survey = combineDrlSurvey(releases, DRL_REFERENCE_TABLE);

describe('renderDrlSurveyHtml', () => {
  const html = renderDrlSurveyHtml(survey, { generatedAt: '2026-11-29' });

  it('renders one accessible SVG box plot and one table per stratum and quantity', () => {
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html.match(/<title id="drl-\d-t">/g)).toHaveLength(2);
    expect(html.match(/<desc id="drl-\d-d">/g)).toHaveLength(2);
    expect(html.match(/role="img" aria-labelledby="drl-0-t drl-0-d"/g)).toHaveLength(1);
    expect(html.match(/<table>/g)).toHaveLength(2);
    expect(html.match(/<tr( class="over")?><td>/g)).toHaveLength(8);
  });

  it('lists strata no facility could release', () => {
    expect(html).toContain('<li>head, adult (16 y and over), head16, ctdivol: Small (n = 7)</li>');
  });

  it('escapes facility names and loads no external asset', () => {
    expect(html).toContain('North &lt;A&amp;B&gt;');
    expect(html).not.toContain('<A&B>');
    expect(html).not.toMatch(/<script|<link|\ssrc=|url\(/i);
    expect(html.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:/);
  });

  it('shows the survey DRL and the UK CTPA reference with its citation, and flags the facility above both', () => {
    // medians 6, 8, 10, 14 -> type-7 75th percentile 11 mGy; UK NDRL CTPA 9.1 mGy / 310 mGy.cm.
    expect(survey.results[0]?.drl).toBe(11);
    expect(html).toContain('Survey DRL <strong>11.0 mGy</strong> from 4 facilities');
    expect(html).toContain('uk-ndrl-2022-ctpa 9.10 mGy');
    expect(html).toContain('UK Health Security Agency');
    expect(html).toContain('East: ctpa, adult, body32, ctdivol median 14.0 &gt; survey DRL 11.0');
    expect(html).toContain('East: ctpa, adult, body32, ctdivol median 14.0 &gt; uk-ndrl-2022-ctpa 9.10');
  });
});

describe('drlSurveyCsv', () => {
  it('writes one quoted, full-precision row per facility and quantity', () => {
    const csv = drlSurveyCsv(survey);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(DRL_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + 8);
    expect(lines[1]).toBe(
      'ctpa,adult,body32,ctdivol,mGy,North <A&B>,25,4.800000000000001,6,7.5,11,4,0.5454545454545454,false,',
    );
    expect(lines[2]).toContain('"South, ""east"""');
    expect(lines[4]).toMatch(/,14,.*,true,uk-ndrl-2022-ctpa$/);
  });
});
