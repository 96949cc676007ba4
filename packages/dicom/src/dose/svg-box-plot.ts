import type { SurveyDrl } from './drl.js';
import { escapeHtml, fmt } from './html-escape.js';

const ROW_H = 22;
const LEFT = 90;
const RIGHT = 20;
const TOP = 28;
const WIDTH = 640;

/**
 * Inline SVG of one survey result: per facility a box from Q1 to Q3 with the median marked, a solid line for
 * the survey DRL and dashed lines for reference DRLs. Has `<title>`/`<desc>` and `role="img"`; the table
 * rendered beside it is the text alternative.
 */
export function svgBoxPlot(r: SurveyDrl, id: string): string {
  const refs = r.references.map((ref) => ({ id: ref.id, value: ref[r.quantity] as number }));
  const max = Math.max(r.drl, ...r.facilities.map((f) => f.q3), ...refs.map((x) => x.value)) * 1.08 || 1;
  const plotW = WIDTH - LEFT - RIGHT;
  const x = (v: number) => LEFT + (v / max) * plotW;
  const height = TOP + r.facilities.length * ROW_H + 30;
  const title = `${r.exam}, ${r.group}, ${r.phantom === 'head16' ? '16 cm head' : '32 cm body'} phantom: ${r.quantity === 'ctdivol' ? 'CTDIvol' : 'DLP'} (${r.unit})`;
  const desc =
    `Facility medians with quartiles for ${r.nFacilities} facilities; survey DRL ${fmt(r.drl)} ${r.unit}` +
    (refs.length ? `; reference DRLs ${refs.map((x) => `${x.id} ${fmt(x.value)}`).join(', ')}` : '') +
    '. The same values are listed in the table below.';
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-t ${id}-d" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<title id="${id}-t">${escapeHtml(title)}</title>`,
    `<desc id="${id}-d">${escapeHtml(desc)}</desc>`,
  ];
  r.facilities.forEach((f, i) => {
    const y = TOP + i * ROW_H;
    const colour = f.exceedsSurveyDrl ? '#b3261e' : '#1f5fa8';
    parts.push(
      `<text x="${LEFT - 6}" y="${y + 14}" text-anchor="end">${escapeHtml(f.facility)}</text>`,
      `<rect x="${x(f.q1).toFixed(1)}" y="${y + 4}" width="${Math.max(1, x(f.q3) - x(f.q1)).toFixed(1)}" height="${ROW_H - 8}" fill="${colour}" fill-opacity="0.25" stroke="${colour}"/>`,
      `<line x1="${x(f.median).toFixed(1)}" x2="${x(f.median).toFixed(1)}" y1="${y + 3}" y2="${y + ROW_H - 3}" stroke="${colour}" stroke-width="3"/>`,
    );
  });
  const bottom = TOP + r.facilities.length * ROW_H;
  parts.push(
    `<line x1="${x(r.drl).toFixed(1)}" x2="${x(r.drl).toFixed(1)}" y1="${TOP - 6}" y2="${bottom}" stroke="#000" stroke-width="2"/>`,
    `<text x="${x(r.drl).toFixed(1)}" y="${TOP - 10}" text-anchor="middle">survey DRL ${escapeHtml(fmt(r.drl))}</text>`,
  );
  for (const ref of refs) {
    parts.push(
      `<line x1="${x(ref.value).toFixed(1)}" x2="${x(ref.value).toFixed(1)}" y1="${TOP}" y2="${bottom}" stroke="#6b4e00" stroke-dasharray="5 3" stroke-width="1.5"><title>${escapeHtml(`${ref.id}: ${fmt(ref.value)} ${r.unit}`)}</title></line>`,
    );
  }
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    parts.push(
      `<text x="${x(v).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${escapeHtml(fmt(v))}</text>`,
    );
  }
  parts.push(
    `<text x="${LEFT + plotW / 2}" y="${bottom + 28}" text-anchor="middle">${escapeHtml(r.unit)}</text>`,
    '</svg>',
  );
  return parts.join('\n');
}
