/**
 * The model card of a registered version (after Mitchell et al., "Model Cards for Model Reporting", 2019):
 * intended use, specification, provenance, training data summary, performance per centre, calibration and
 * limitations; as JSON and as a standalone HTML page (no script, no external resource, an inline SVG
 * calibration plot). Pure: the same version gives the same card.
 */
import type { Json, ModelCard, ModelVersion } from '@fedhub/protocol';

type Obj = Record<string, Json>;
const num = (v: Json | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function buildModelCard(mv: ModelVersion): ModelCard {
  const performance: ModelCard['performance'] = [];
  const calibration: ModelCard['calibration'] = [];
  for (const v of mv.validations) {
    const report = (v.report ?? {}) as Obj;
    const pooled = (report.pooled ?? {}) as Obj;
    if (report.algorithm === 'validate-survival') {
      // Harrell's C per centre and pooled; no calibration groups for a survival model
      for (const c of [...((report.perCentre ?? []) as Obj[]), { ...pooled, centre: 'pooled' }])
        performance.push({
          validationTaskId: v.taskId,
          studyId: v.studyId,
          centre: String(c.centre ?? '?'),
          n: num(c.n),
          events: num(c.events),
          auc: null,
          aucCiLower: null,
          aucCiUpper: null,
          brier: null,
          calibrationSlope: null,
          calibrationInLarge: null,
          hosmerLemeshowP: null,
          concordance: num(c.concordance),
          concordanceCiLower: num(c.ciLower),
          concordanceCiUpper: num(c.ciUpper),
        });
      continue;
    }
    const hl = (pooled.hosmerLemeshow ?? {}) as Obj;
    for (const c of (report.perCentre ?? []) as Obj[])
      performance.push({
        validationTaskId: v.taskId,
        studyId: v.studyId,
        centre: String(c.centre ?? '?'),
        n: num(c.n),
        events: num(c.events),
        auc: num(c.auc),
        aucCiLower: num(c.aucCiLower),
        aucCiUpper: num(c.aucCiUpper),
        brier: num(c.brier),
        calibrationSlope: num(c.calibrationSlope),
        calibrationInLarge: num(c.calibrationInLarge),
        hosmerLemeshowP: null,
      });
    performance.push({
      validationTaskId: v.taskId,
      studyId: v.studyId,
      centre: 'pooled',
      n: num(pooled.n),
      events: num(pooled.events),
      auc: num(pooled.auc),
      aucCiLower: num(pooled.aucCiLower),
      aucCiUpper: num(pooled.aucCiUpper),
      brier: num(pooled.brier),
      calibrationSlope: num(pooled.calibrationSlope),
      calibrationInLarge: num(pooled.calibrationInLarge),
      hosmerLemeshowP: num(hl.pValue),
    });
    const n = (hl.n ?? []) as number[];
    const observed = (hl.observed ?? []) as number[];
    const expected = (hl.expected ?? []) as number[];
    calibration.push({
      validationTaskId: v.taskId,
      groups: n.map((k, i) => ({ n: k, observed: observed[i] ?? 0, expected: expected[i] ?? 0 })),
    });
  }
  return {
    model: { name: mv.name, version: mv.version, kind: mv.kind, createdAt: mv.createdAt },
    intendedUse: mv.intendedUse,
    description: mv.description,
    specification: {
      formula: mv.formula,
      family: mv.family,
      link: mv.link,
      ties: mv.ties,
      coefficients: mv.coefficients,
    },
    provenance: {
      studyId: mv.studyId,
      taskId: mv.taskId,
      algorithm: mv.algorithm,
      dataset: mv.dataset,
      nodes: mv.nodes.map((n) => ({ name: n.name, dictionaryHash: n.dictionaryHash })),
    },
    trainingData: mv.training,
    performance,
    calibration,
    limitations: [
      ...mv.limitations,
      ...(mv.validations.length === 0 ? ['Not yet validated at any centre outside its training.'] : []),
    ],
  };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
/** `v` with `digits` decimals; never "-0.000" (a value that rounds to zero is zero). */
function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const text = Number(v.toPrecision(6)).toFixed(digits);
  return Number(text) === 0 ? text.replace(/^-/, '') : text;
}

/** A summary number as people read it: integers as they are, others to 6 significant digits, no "-0". */
export function readableNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const r = Number(v.toPrecision(6));
  return r === 0 ? '0' : String(r);
}

/** An ISO time as "7 December 2026, 16:40 UTC" (the card is read by people, and printed). */
export function readableDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const day = d.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
  return `${day}, ${time} UTC`;
}

/** "nEvents" -> "n events", "null_deviance" -> "null deviance". */
const words = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();

/** Observed against expected event rate per risk group, with the diagonal of perfect calibration. */
function calibrationSvg(groups: ModelCard['calibration'][number]['groups']): string {
  const size = 240;
  const pad = 30;
  const scale = (p: number) => pad + p * (size - 2 * pad);
  const pts = groups
    .filter((g) => g.n > 0)
    .map((g) => ({ x: g.expected / g.n, y: g.observed / g.n }))
    .map(
      (p) =>
        `<circle cx="${scale(p.x).toFixed(1)}" cy="${(size - scale(p.y)).toFixed(1)}" r="3.5" fill="#1f5fa8"/>`,
    )
    .join('');
  // tick marks and labels at 0, 0.25, …, 1 on both axes (risks and rates are proportions)
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => {
      const at = scale(t).toFixed(1);
      const y = (size - scale(t)).toFixed(1);
      const label = t === 0 || t === 1 ? String(t) : t.toFixed(2);
      return (
        `<line x1="${at}" y1="${size - pad}" x2="${at}" y2="${size - pad + 4}" stroke="#666"/>` +
        `<text x="${at}" y="${size - pad + 14}" font-size="9" text-anchor="middle">${label}</text>` +
        `<line x1="${pad - 4}" y1="${y}" x2="${pad}" y2="${y}" stroke="#666"/>` +
        `<text x="${pad - 6}" y="${y}" font-size="9" text-anchor="end" dominant-baseline="middle">${label}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="Calibration plot: observed event rate against predicted risk, per risk group">` +
    `<rect x="${pad}" y="${pad}" width="${size - 2 * pad}" height="${size - 2 * pad}" fill="none" stroke="#999"/>` +
    `<line x1="${scale(0)}" y1="${size - scale(0)}" x2="${scale(1)}" y2="${size - scale(1)}" stroke="#bbb" stroke-dasharray="4 3"/>` +
    pts +
    ticks +
    `<text x="${size / 2}" y="${size - 6}" font-size="11" text-anchor="middle">predicted risk</text>` +
    `<text x="10" y="${size / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 10 ${size / 2})">observed rate</text>` +
    '</svg>'
  );
}

export function renderModelCardHtml(card: ModelCard): string {
  const title = `${card.model.name} v${card.model.version}`;
  const coefRows = card.specification.coefficients
    .map(
      (c) => `<tr><td>${esc(c.term)}</td><td>${fmt(c.estimate, 4)}</td><td>${fmt(c.stdError, 4)}</td></tr>`,
    )
    .join('');
  const survival = card.performance.filter((p) => typeof p.concordance === 'number');
  const binary = card.performance.filter((p) => typeof p.concordance !== 'number');
  const survivalRows = survival
    .map(
      (p) =>
        `<tr><td>${esc(p.centre)}</td><td>${fmt(p.n, 0)}</td><td>${fmt(p.events, 0)}</td><td>${fmt(p.concordance)} (${fmt(p.concordanceCiLower)}–${fmt(p.concordanceCiUpper)})</td><td><code>${esc(p.validationTaskId)}</code></td></tr>`,
    )
    .join('');
  const perfRows = binary
    .map(
      (p) =>
        `<tr><td>${esc(p.centre)}</td><td>${fmt(p.n, 0)}</td><td>${fmt(p.events, 0)}</td><td>${fmt(p.auc)} (${fmt(p.aucCiLower)}–${fmt(p.aucCiUpper)})</td><td>${fmt(p.brier)}</td><td>${fmt(p.calibrationSlope)}</td><td>${fmt(p.calibrationInLarge)}</td><td>${fmt(p.hosmerLemeshowP)}</td></tr>`,
    )
    .join('');
  const training = Object.entries(card.trainingData)
    .filter(([, v]) => v === null || typeof v !== 'object')
    .map(
      ([k, v]) =>
        `<tr><th>${esc(words(k))}</th><td>${esc(typeof v === 'number' ? readableNumber(v) : v)}</td></tr>`,
    )
    .join('');
  const nodes = card.provenance.nodes
    .map((n) => `<li>${esc(n.name)} <code>${esc(n.dictionaryHash ?? 'no dictionary')}</code></li>`)
    .join('');
  const plots = card.calibration
    .map(
      (c) =>
        `<figure>${calibrationSvg(c.groups)}<figcaption>validation task ${esc(c.validationTaskId)}</figcaption></figure>`,
    )
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Model card: ${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}code{font-size:.85em}figure{display:inline-block;margin:0 1rem 1rem 0}</style>
</head>
<body>
<h1>Model card: ${esc(title)}</h1>
<p>${esc(card.model.kind)} model registered on ${esc(readableDate(card.model.createdAt))}</p>
<h2>Intended use</h2>
<p>${esc(card.intendedUse)}</p>
${card.description ? `<p>${esc(card.description)}</p>` : ''}
<h2>Specification</h2>
<p><code>${esc(card.specification.formula)}</code>${card.specification.family ? `, family ${esc(card.specification.family)} (${esc(card.specification.link)} link)` : ''}${card.specification.ties ? `, ${esc(card.specification.ties)} ties` : ''}</p>
<table><thead><tr><th>term</th><th>estimate</th><th>standard error</th></tr></thead><tbody>${coefRows}</tbody></table>
<h2>Provenance</h2>
<p>Study <code>${esc(card.provenance.studyId)}</code>, task <code>${esc(card.provenance.taskId)}</code>, algorithm ${esc(card.provenance.algorithm.name)}@${esc(card.provenance.algorithm.version)} <code>${esc(card.provenance.algorithm.digest)}</code>, dataset ${esc(card.provenance.dataset ?? '–')}.</p>
<p>Participating nodes and the sha256 of their data dictionaries:</p>
<ul>${nodes}</ul>
<h2>Training data</h2>
<table><tbody>${training}</tbody></table>
<h2>Performance per centre</h2>
${card.performance.length === 0 ? '<p>No validation yet.</p>' : ''}${binary.length > 0 ? `<table><thead><tr><th>centre</th><th>n</th><th>events</th><th>AUC (95% CI)</th><th>Brier</th><th>calibration slope</th><th>calibration in the large</th><th>Hosmer–Lemeshow p</th></tr></thead><tbody>${perfRows}</tbody></table>` : ''}${survival.length > 0 ? `<table><thead><tr><th>centre</th><th>n</th><th>events</th><th>Harrell's C (95% CI)</th><th>validation task</th></tr></thead><tbody>${survivalRows}</tbody></table><p>Harrell's C as survival::concordance counts pairs (higher risk score, shorter survival), with its infinitesimal-jackknife standard error; event times coarsened as in training.</p>` : ''}
${card.model.kind === 'coxph' ? '' : `<h2>Calibration</h2>\n${plots || '<p>No validation yet.</p>'}`}
<h2>Limitations</h2>
<ul>${card.limitations.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
</body>
</html>
`;
}
