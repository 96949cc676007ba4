/**
 * The validation report of a registered ONNX model: the model card, then per attached validation study the
 * pooled, per-centre and per-subgroup metrics with their CIs, records left out and why, the decision curve, and a
 * reporting checklist after TRIPOD+AI (Collins et al., BMJ 2024;385:e078378) and CLAIM (Mongan et al.,
 * Radiology: AI 2020; 2024 update) whose items the platform can fill are filled from what it recorded,
 * the rest marked for the authors. Pure: JSON in, JSON or a standalone HTML page (no script) out. Items are
 * named by topic; their numbers are those of the published checklists.
 */
import { formatBoundedScore, formatFixed, type Json, type OnnxModel } from '@fedhub/protocol';

type Obj = Record<string, Json>;

export interface OnnxValidationRecord {
  taskId: string;
  studyId: string;
  studyTitle: string;
  attachedAt: string;
  /** The `validate` task's params and result. */
  params: Obj;
  result: Obj;
}

export interface ChecklistItem {
  guideline: 'TRIPOD+AI' | 'CLAIM';
  topic: string;
  status: 'filled by fedhub' | 'for the authors';
  text: string;
}

const num = (v: Json | undefined, d = 3) =>
  typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : 'n/a';

/** An imaging validation (`validate-imaging`): cases processed and excluded by reason, then the metrics. */
function imagingSummary(v: OnnxValidationRecord): Obj {
  const r = v.result;
  const cases = (r.cases ?? { processed: 0, excluded: [] }) as Obj;
  const seg = r.segmentation as Obj | undefined;
  const cls = r.classification as Obj | undefined;
  const pooled = (cls?.pooled ?? {}) as Obj;
  const m = (x: Json | undefined) => {
    const o = (x ?? {}) as Obj;
    return {
      n: o.n ?? null,
      mean: o.mean ?? null,
      median: o.median ?? null,
      q1: o.q1 ?? null,
      q3: o.q3 ?? null,
    };
  };
  return {
    kind: 'imaging',
    studyId: v.studyId,
    studyTitle: v.studyTitle,
    taskId: v.taskId,
    attachedAt: v.attachedAt,
    task: (r.task ?? null) as Json,
    structure: (r.structure ?? null) as Json,
    selection: (v.params.selection ?? null) as Json,
    cohort: (v.params.cohort ?? null) as Json,
    nodes: (r.nodes ?? []) as Json,
    cases: { processed: cases.processed ?? 0, excluded: cases.excluded ?? [] },
    pooled:
      r.task === 'segmentation'
        ? {
            n: cases.processed ?? null,
            dice: m(seg?.dice),
            hd95: m(seg?.hd95),
            emptyPredictions: (seg?.emptyPredictions ?? null) as Json,
          }
        : {
            n: pooled.n ?? null,
            events: pooled.events ?? null,
            auc: pooled.auc ?? null,
            aucCi95: [pooled.aucCiLower ?? null, pooled.aucCiUpper ?? null],
            brier: pooled.brier ?? null,
            calibrationSlope: pooled.calibrationSlope ?? null,
          },
    perCentre: (r.perCentre ?? null) as Json,
  };
}

/** The reasons cases were excluded, in words (a null count: under the minimum cell count, not released). */
function exclusionsText(cases: Obj): string {
  const excluded = (cases.excluded ?? []) as Obj[];
  if (excluded.length === 0) return 'none';
  return excluded
    .map(
      (e) =>
        `${String(e.reason)}: ${e.count === null ? 'not released (under the minimum cell count)' : e.count}`,
    )
    .join('; ');
}

function studySummary(v: OnnxValidationRecord): Obj {
  if (v.result.algorithm === 'validate-imaging') return imagingSummary(v);
  const pooled = (v.result.pooled ?? {}) as Obj;
  const z = 1.959963984540054;
  const slope = pooled.calibrationSlope as number;
  const slopeSe = pooled.calibrationSlopeStdError as number;
  const large = pooled.calibrationInLarge as number;
  const largeSe = pooled.calibrationInLargeStdError as number;
  return {
    studyId: v.studyId,
    studyTitle: v.studyTitle,
    taskId: v.taskId,
    attachedAt: v.attachedAt,
    dataset: (v.params.dataset ?? null) as Json,
    outcome: (v.params.outcome ?? null) as Json,
    inputs: ((v.params.model as Obj | undefined)?.inputs ?? null) as Json,
    filter: (v.params.filter ?? null) as Json,
    nodes: (v.result.nodes ?? []) as Json,
    pooled: {
      n: pooled.n ?? null,
      events: pooled.events ?? null,
      auc: pooled.auc ?? null,
      aucCi95: [pooled.aucCiLower ?? null, pooled.aucCiUpper ?? null],
      brier: pooled.brier ?? null,
      calibrationSlope: slope ?? null,
      calibrationSlopeCi95:
        Number.isFinite(slope) && Number.isFinite(slopeSe)
          ? [slope - z * slopeSe, slope + z * slopeSe]
          : null,
      calibrationInLarge: large ?? null,
      calibrationInLargeCi95:
        Number.isFinite(large) && Number.isFinite(largeSe)
          ? [large - z * largeSe, large + z * largeSe]
          : null,
      hosmerLemeshowP: ((pooled.hosmerLemeshow as Obj | undefined)?.pValue ?? null) as Json,
      scoreResolution: v.result.scoreResolution ?? null,
    },
    perCentre: (v.result.perCentre ?? null) as Json,
    subgroups: (v.result.subgroups ?? null) as Json,
    excluded: (pooled.excluded ?? null) as Json,
    netBenefit: (pooled.netBenefit ?? null) as Json,
    roc: (pooled.roc ?? null) as Json,
  };
}

function checklist(model: OnnxModel, studies: Obj[]): ChecklistItem[] {
  const filled = (guideline: ChecklistItem['guideline'], topic: string, text: string): ChecklistItem => ({
    guideline,
    topic,
    status: 'filled by fedhub',
    text,
  });
  const authors = (guideline: ChecklistItem['guideline'], topic: string, hint: string): ChecklistItem => ({
    guideline,
    topic,
    status: 'for the authors',
    text: hint,
  });
  const sizes = studies
    .map((s) => {
      const p = s.pooled as Obj;
      if (s.kind === 'imaging')
        return `${s.studyTitle}: ${(s.cases as Obj).processed} cases processed${p.events !== undefined ? `, ${p.events} positive` : ''}, ${(s.nodes as string[]).length} centres`;
      return `${s.studyTitle}: ${p.n} records, ${p.events} events, ${(s.nodes as string[]).length} centres`;
    })
    .join('; ');
  const missing = studies
    .map((s) => {
      if (s.kind === 'imaging')
        return `${s.studyTitle}: cases excluded by reason: ${exclusionsText(s.cases as Obj)}`;
      const e = (s.excluded ?? {}) as Obj;
      return `${s.studyTitle}: complete-case analysis; ${e.missingValues ?? 0} records left out for a missing outcome or predictor (counts under the nodes' minimum cell count not released; ${e.centresWithFewerMissingThanMinimum ?? 0} centre(s) left out such a small number)`;
    })
    .join('; ');
  return [
    filled(
      'TRIPOD+AI',
      'Data sources',
      studies
        .map((s) =>
          s.kind === 'imaging'
            ? `${s.studyTitle}: each centre's de-identified DICOM store (selection ${JSON.stringify(s.selection)}), cohort table "${(s.cohort as Obj | null)?.dataset ?? ''}" at ${(s.nodes as string[]).join(', ')} (images stayed at each centre)`
            : `${s.studyTitle}: dataset "${s.dataset}" at ${(s.nodes as string[]).join(', ')} (data stayed at each centre)`,
        )
        .join('; ') || 'no validation attached',
    ),
    filled(
      'TRIPOD+AI',
      'Outcome',
      studies
        .map((s) =>
          s.kind === 'imaging'
            ? s.task === 'segmentation'
              ? `${s.studyTitle}: the reference structure "${s.structure}" (RT structure set or SEG at each centre)`
              : `${s.studyTitle}: label column "${(s.cohort as Obj | null)?.label ?? ''}" (binary)`
            : `${s.studyTitle}: column "${s.outcome}" (binary)`,
        )
        .join('; '),
    ),
    filled(
      'TRIPOD+AI',
      'Predictors',
      studies
        .map((s) =>
          s.kind === 'imaging'
            ? `${s.studyTitle}: the selected image series, preprocessed as the card declares`
            : `${s.studyTitle}: ${JSON.stringify(s.inputs)}`,
        )
        .join('; '),
    ),
    filled('TRIPOD+AI', 'Sample size', sizes || 'n/a'),
    filled('TRIPOD+AI', 'Missing data', missing || 'n/a'),
    filled(
      'TRIPOD+AI',
      'Analytical methods (performance)',
      'AUC with DeLong 95% CI from per-class score histograms; Brier score; calibration slope and calibration-in-the-large by logistic regression on logit(p) (federated IRLS, exact); Hosmer–Lemeshow; decision-curve net benefit; pooled over centres by secure aggregation',
    ),
    filled(
      'TRIPOD+AI',
      'Model specification',
      `ONNX file sha256:${model.sha256}; inputs ${model.signature.inputs.map((i) => `${i.name} [${(i.shape ?? []).join(', ')}]`).join(', ')}; outputs ${model.signature.outputs.map((o) => o.name).join(', ')}; operators ${model.signature.operators.join(', ')}`,
    ),
    filled(
      'TRIPOD+AI',
      'Model performance',
      studies
        .map((s) => {
          const p = s.pooled as Obj;
          if (s.kind === 'imaging' && s.task === 'segmentation')
            return `${s.studyTitle}: Dice median ${formatBoundedScore((p.dice as Obj).median as number)}, HD95 median ${formatFixed((p.hd95 as Obj).median as number, 1)} mm`;
          return `${s.studyTitle}: AUC ${num(p.auc)}, Brier ${num(p.brier)}, calibration slope ${num(p.calibrationSlope)}`;
        })
        .join('; '),
    ),
    filled('TRIPOD+AI', 'Model output', model.card.output.meaning),
    authors(
      'TRIPOD+AI',
      'Title and abstract',
      'Identify the study as external validation of a prediction model',
    ),
    authors(
      'TRIPOD+AI',
      'Background and objectives',
      'Context, rationale, and the intended use (the card says: see above)',
    ),
    authors(
      'TRIPOD+AI',
      'Participants: eligibility, setting, dates',
      'The study filter is recorded; describe the clinical setting and the period',
    ),
    studies.some((s) => s.subgroups)
      ? filled(
          'TRIPOD+AI',
          'Fairness and subgroups',
          studies
            .map((s) => {
              const g = s.subgroups as Obj | null;
              if (!g) return `${s.studyTitle}: no subgroup analysis`;
              const levels = g.levels as Obj[] | null;
              return levels
                ? `${s.studyTitle}: by "${g.column}": ${levels.map((l) => `${l.level} AUC ${num(l.auc)}${typeof l.calibrationSlope === 'number' ? `, calibration slope ${num(l.calibrationSlope)}` : ''} (n ${l.n})`).join(', ')}`
                : `${s.studyTitle}: by "${g.column}": withheld (${g.withheldReason ?? 'under the disclosure policy'})`;
            })
            .join('; '),
        )
      : authors(
          'TRIPOD+AI',
          'Fairness and subgroups',
          'Performance in subgroups where the study allows them (validate with `subgroup`)',
        ),
    authors('TRIPOD+AI', 'Ethics, funding, conflicts, registration, protocol', 'Not known to the platform'),
    authors(
      'TRIPOD+AI',
      'Data and code sharing',
      'The model file and its digest are in the registry; say who may obtain them',
    ),
    authors('TRIPOD+AI', 'Patient and public involvement', 'Not known to the platform'),
    authors(
      'TRIPOD+AI',
      'Interpretation, limitations, usability',
      `Card limitations: ${model.card.limitations.join('; ') || 'none stated'}`,
    ),
    filled(
      'CLAIM',
      'Model: architecture and software',
      `ONNX IR ${model.signature.irVersion}, opsets ${model.signature.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')}; producer ${model.signature.producer.name} ${model.signature.producer.version}; run with onnxruntime (CPU) at each centre`,
    ),
    filled(
      'CLAIM',
      'Data: preprocessing',
      model.card.inputs.map((i) => `${i.name}: ${i.preprocessing}`).join('; '),
    ),
    filled('CLAIM', 'Evaluation: metrics and statistical measures', 'As under TRIPOD+AI analytical methods'),
    ...(studies.some((s) => s.kind === 'imaging')
      ? [
          filled(
            'CLAIM',
            'Data: flow of cases, exclusions',
            studies
              .filter((s) => s.kind === 'imaging')
              .map(
                (s) =>
                  `${s.studyTitle}: ${(s.cases as Obj).processed} cases processed; excluded: ${exclusionsText(s.cases as Obj)} (counts under a centre's minimum cell count are not released; when one reason's count is, every count of that centre is suppressed and only their total shown where large enough)`,
              )
              .join('; '),
          ),
        ]
      : []),
    authors('CLAIM', 'Ground truth: definition and annotators', 'How the outcome/labels were established'),
    authors(
      'CLAIM',
      'Training: data partitions and initialisation',
      `The card says: ${model.card.trainingData}`,
    ),
  ];
}

/** The report's content (unsigned). */
export function buildOnnxValidationReport(
  model: OnnxModel,
  validations: OnnxValidationRecord[],
  issuedAt: string,
): Obj {
  const studies = validations.map(studySummary);
  return {
    kind: 'fedhub.onnx-validation-report',
    issuedAt,
    model: {
      name: model.name,
      version: model.version,
      sha256: model.sha256,
      registeredAt: model.createdAt,
      signature: model.signature as unknown as Json,
      card: model.card as unknown as Json,
    },
    validations: studies,
    checklist: checklist(model, studies) as unknown as Json,
  };
}

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** The HTML section of an imaging validation: cases, exclusions by reason, the pooled metrics. */
function imagingHtml(
  s: Obj,
  rows: (cells: unknown[]) => string,
  ci: (v: Json | undefined) => string,
): string {
  const p = s.pooled as Obj;
  const cases = s.cases as Obj;
  const excluded = ((cases.excluded ?? []) as Obj[])
    .map((e) => rows([e.reason, e.count === null ? 'not released (under the minimum cell count)' : e.count]))
    .join('');
  // Dice in [0, 1] with 3 decimals (more where a score inside (0, 1) would read as a bound), HD95 in mm with 1
  const metric = (label: string, m: Obj, fmt: (x: number) => string) => {
    const f = (x: Json | undefined) => (typeof x === 'number' && Number.isFinite(x) ? fmt(x) : 'n/a');
    return rows([label, m.n, f(m.mean), f(m.median), `${f(m.q1)} to ${f(m.q3)}`]);
  };
  const metrics =
    s.task === 'segmentation'
      ? `<table><tr><th>metric</th><th>cases</th><th>mean</th><th>median</th><th>quartiles</th></tr>${metric('Dice', p.dice as Obj, (x) => formatBoundedScore(x))}${metric('HD95 (mm)', p.hd95 as Obj, (x) => formatFixed(x, 1))}</table>`
      : `<table><tr><th>measure</th><th>pooled</th><th>95% CI</th></tr>${rows(['cases (positive)', `${p.n} (${p.events})`, ''])}${rows(['AUC', num(p.auc), ci(p.aucCi95)])}${rows(['Brier score', num(p.brier, 4), ''])}${rows(['calibration slope', num(p.calibrationSlope), ''])}</table>`;
  return `<h2>Imaging validation: ${esc(s.studyTitle)}</h2>
<p>Task ${esc(s.taskId)} (${esc(s.task)}${s.structure ? `, structure ${esc(s.structure)}` : ''}); centres: ${esc((s.nodes as string[]).join(', '))}.</p>
${metrics}
<h3>Cases excluded and why</h3>
<p>${esc(cases.processed)} cases processed.</p>
${excluded ? `<table><tr><th>reason</th><th>cases</th></tr>${excluded}</table>` : '<p>No case excluded.</p>'}`;
}

/** A standalone HTML page of a signed report (no script, no external resource). */
export function renderOnnxReportHtml(report: Obj): string {
  const m = report.model as Obj;
  const card = m.card as Obj;
  const sig = report.signature as Obj | undefined;
  const rows = (cells: unknown[]) => `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
  const ci = (v: Json | undefined) => (Array.isArray(v) ? `${num(v[0])} to ${num(v[1])}` : 'n/a');
  const studies = (report.validations as Obj[])
    .map((s) => {
      if (s.kind === 'imaging') return imagingHtml(s, rows, ci);
      const p = s.pooled as Obj;
      const centres = ((s.perCentre ?? []) as Obj[])
        .map((c) =>
          rows([
            c.centre,
            c.n,
            c.events,
            num(c.auc),
            `${num(c.aucCiLower)} to ${num(c.aucCiUpper)}`,
            num(c.brier),
            num(c.calibrationSlope),
          ]),
        )
        .join('');
      const nb = ((s.netBenefit ?? []) as Obj[])
        .map((x) =>
          rows([
            x.threshold,
            x.netBenefit === null ? 'suppressed' : num(x.netBenefit, 4),
            num(x.treatAll, 4),
          ]),
        )
        .join('');
      const e = (s.excluded ?? {}) as Obj;
      const g = s.subgroups as Obj | null;
      const subgroupRows = ((g?.levels ?? []) as Obj[])
        .map((l) =>
          rows([
            l.level,
            l.n,
            l.events,
            num(l.auc),
            `${num(l.aucCiLower)} to ${num(l.aucCiUpper)}`,
            num(l.brier, 4),
            num(l.observedExpected),
            // validate 1.6.0 on: the level's calibration slope and in the large, Wald 95% CIs
            ...(typeof l.calibrationSlope === 'number'
              ? [
                  `${num(l.calibrationSlope)} (${num(l.calibrationSlopeCiLower)} to ${num(l.calibrationSlopeCiUpper)})`,
                  `${num(l.calibrationInLarge)} (${num(l.calibrationInLargeCiLower)} to ${num(l.calibrationInLargeCiUpper)})`,
                ]
              : ['n/a', 'n/a']),
          ]),
        )
        .join('');
      const subgroupHtml = !g
        ? ''
        : g.levels
          ? `<h3>Subgroups by <code>${esc(g.column)}</code></h3><table><tr><th>level</th><th>n</th><th>events</th><th>AUC</th><th>95% CI</th><th>Brier</th><th>O/E</th><th>calibration slope (95% CI)</th><th>in the large (95% CI)</th></tr>${subgroupRows}</table>`
          : `<h3>Subgroups by <code>${esc(g.column)}</code></h3><p>Withheld: ${esc(g.withheldReason ?? 'under the disclosure policy')}.</p>`;
      return `<h2>Validation: ${esc(s.studyTitle)}</h2>
<p>Task ${esc(s.taskId)}; centres: ${esc((s.nodes as string[]).join(', '))}; outcome <code>${esc(s.outcome)}</code>.</p>
<table><tr><th>measure</th><th>pooled</th><th>95% CI</th></tr>
${rows(['records (events)', `${p.n} (${p.events})`, ''])}
${rows(['AUC', num(p.auc), ci(p.aucCi95)])}
${rows(['Brier score', num(p.brier, 4), ''])}
${rows(['calibration slope', num(p.calibrationSlope), ci(p.calibrationSlopeCi95)])}
${rows(['calibration-in-the-large', num(p.calibrationInLarge), ci(p.calibrationInLargeCi95)])}
${rows(['Hosmer–Lemeshow p', num(p.hosmerLemeshowP), ''])}</table>
${centres ? `<h3>Per centre</h3><table><tr><th>centre</th><th>n</th><th>events</th><th>AUC</th><th>95% CI</th><th>Brier</th><th>slope</th></tr>${centres}</table>` : '<p>Per-centre results: not released (the study does not allow per-node breakdowns).</p>'}
${subgroupHtml}
<h3>Records left out</h3><p>Missing outcome or predictor (complete-case analysis): ${esc(e.missingValues ?? 0)} released; ${esc(e.centresWithFewerMissingThanMinimum ?? 0)} centre(s) left out fewer than their minimum cell count (not released).</p>
${nb ? `<h3>Decision curve</h3><table><tr><th>threshold</th><th>net benefit (model)</th><th>net benefit (treat all)</th></tr>${nb}</table>` : ''}`;
    })
    .join('\n');
  const items = (report.checklist as Obj[])
    .map((c) => rows([c.guideline, c.topic, c.status, c.text]))
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Validation report: ${esc(m.name)}@${esc(m.version)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}code{font-size:12px}</style></head><body>
<h1>Validation report: ${esc(m.name)}@${esc(m.version)}</h1>
<p>ONNX file <code>sha256:${esc(m.sha256)}</code>, registered ${esc(m.registeredAt)}. Issued ${esc(report.issuedAt)}.</p>
<h2>Model card</h2><table>
${rows(['intended use', card.intendedUse])}${rows(['training data', card.trainingData])}
${rows(['inputs', (card.inputs as Obj[]).map((i) => `${i.name}: ${i.description} (${i.preprocessing})`).join('; ')])}
${rows(['output', `${(card.output as Obj).name}: ${(card.output as Obj).meaning}`])}${rows(['licence', card.licence])}
${rows(['limitations', ((card.limitations ?? []) as string[]).join('; ') || 'none stated'])}</table>
${studies || '<p>No validation attached yet.</p>'}
<h2>Reporting checklist (TRIPOD+AI, CLAIM)</h2><table><tr><th>guideline</th><th>topic</th><th>status</th><th>content</th></tr>${items}</table>
${sig ? `<h2>Signature</h2><p>Signed by the hub (${esc(sig.algorithm)}) over the canonical JSON of this report without its signature.<br>Public key (SPKI DER, base64url): <code>${esc(sig.publicKey)}</code><br>Signature: <code>${esc(sig.value)}</code></p>` : ''}
</body></html>`;
}
