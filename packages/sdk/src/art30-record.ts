/**
 * The GDPR Art. 30 record of processing of a study, with a DPIA annex (data flows, what leaves each site,
 * controls in force), built from the study as the hub holds it and from the participating nodes'
 * configurations. Pure and deterministic: the same inputs give the same bytes (no generation time unless
 * one is passed), so a record can be regenerated and compared, and checked against a golden file.
 */
import {
  type AlgorithmInfo,
  type AlgorithmReleases,
  type DisclosurePolicy,
  LEGAL_BASIS_TITLES,
  type LegalBasis,
  type Study,
} from '@fedhub/protocol';

/** What a participating site's node configuration says about its controls. */
export interface Art30Site {
  /** The node's name at the hub (matches a participating node). */
  name: string;
  datasets: Array<{ name: string; columns: number; description?: string | undefined; optOut: boolean }>;
  policy: DisclosurePolicy;
  /** Differential privacy entries applying to this study (dataset, mechanism, budget). */
  differentialPrivacy: Array<{
    dataset: string;
    mechanism: string;
    budget: { epsilon: number; delta: number };
    perRelease: { epsilon: number; delta: number };
  }>;
  /** Released results allowed per study at this node; null when unlimited. */
  quota: number | null;
  /** The node keeps a DICOM store (de-identified at intake). */
  dicomStore: boolean;
  /** How the node approves algorithm versions for the study, as configured (free text); null when not set. */
  approvals: string | null;
}

export interface Art30Input {
  study: Study;
  collaboration: { name: string };
  /** Participating nodes as the hub lists them, with their organisation's name. */
  nodes: Array<{ id: string; name: string; organisation: string }>;
  /**
   * The hub's algorithms (to name versions and what each releases: its `releases` texts, which each
   * algorithm declares in its definition and the hub lists with it).
   */
  algorithms: Array<Pick<AlgorithmInfo, 'name' | 'version' | 'title' | 'releases'>>;
  /** Node configurations, by node name; a node without one is reported as undocumented. */
  sites: Art30Site[];
  /** Printed as the record's date only when given (keeps the record reproducible). */
  asOf?: string | undefined;
}

export interface Art30Record {
  title: string;
  asOf: string | null;
  study: { id: string; title: string; collaboration: string; status: string };
  controller: { name: string; contact: string } | null;
  dpo: { name: string; contact: string } | null;
  jointControllers: string[];
  purpose: string;
  legalBasis: { codes: LegalBasis[]; titles: string[]; note: string };
  ethicsApprovalRef: string | null;
  dpiaRef: string | null;
  dataSubjectCategories: string[];
  dataCategories: string[];
  variables: Array<{ dataset: string; columns: string[] }> | 'unrestricted';
  recipients: string[];
  transfers: string;
  retention: string | null;
  period: { startsAt: string | null; endsAt: string | null };
  securityMeasures: string[];
  annex: {
    dataFlows: string[];
    releases: Array<{
      algorithm: string;
      versions: string;
      title: string;
      releases: string;
      perNode: string | null;
    }>;
    sites: Array<{
      node: string;
      organisation: string;
      documented: boolean;
      datasets: Array<{ name: string; columns: number; optOut: boolean }>;
      controls: string[];
    }>;
    studyControls: string[];
    gaps: string[];
  };
}

function allowedAlgorithms(input: Art30Input): Art30Record['annex']['releases'] {
  const byName = new Map<string, { title: string; versions: string[]; releases?: AlgorithmReleases }>();
  for (const a of input.algorithms) {
    const e = byName.get(a.name) ?? { title: a.title, versions: [] };
    e.versions.push(a.version);
    // the newest version's texts (the hub lists versions oldest first)
    if (a.releases) e.releases = a.releases;
    byName.set(a.name, e);
  }
  const wanted =
    input.study.algorithms ??
    [...byName.keys()].sort().map((name) => ({ name, version: undefined as string | undefined }));
  return wanted.map((a) => {
    const texts = byName.get(a.name)?.releases;
    return {
      algorithm: a.name,
      versions: a.version ?? `any (hub has ${byName.get(a.name)?.versions.join(', ') ?? 'none'})`,
      title: byName.get(a.name)?.title ?? a.name,
      releases: texts?.pooled ?? 'not documented for this algorithm: see its description at the hub',
      perNode: texts?.perNode
        ? input.study.releasePerNodeBreakdown
          ? `${texts.perNode}: released (the study allows per-node breakdowns)`
          : `${texts.perNode}: withheld (pooled results only)`
        : null,
    };
  });
}

/** Small privacy parameters in exponent form (1e-6), others as written. */
const fmt = (x: number) => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential() : String(x));

function siteControls(s: Art30Site): string[] {
  const p = s.policy;
  const out = [
    `minimum cell count ${p.minCellCount}: no released non-zero count below it`,
    `minimum subset size ${p.minSubsetSize}: no analysis of fewer records`,
    `differencing: a release whose record set differs from an earlier one of the study by fewer than ${p.minSubsetSize} records is refused (privacy ledger at the node)`,
    `models: at most ${p.maxParameterRatio} parameters per record, at least ${p.minResidualDf} residual degrees of freedom`,
  ];
  for (const d of s.differentialPrivacy)
    out.push(
      `differential privacy on ${d.dataset}: ${d.mechanism}, budget epsilon ${fmt(d.budget.epsilon)}, delta ${fmt(d.budget.delta)}; per release epsilon ${fmt(d.perRelease.epsilon)}, delta ${fmt(d.perRelease.delta)}`,
    );
  out.push(s.quota === null ? 'result quota: none' : `result quota: ${s.quota} released results per study`);
  const optOut = s.datasets.filter((d) => d.optOut).map((d) => d.name);
  if (optOut.length > 0)
    out.push(`objections (opt-out list) applied before any algorithm on ${optOut.join(', ')}`);
  if (s.dicomStore)
    out.push('images de-identified at intake into the DICOM store; originals not kept by fedhub');
  out.push(`approval of algorithm versions: ${s.approvals ?? 'not configured'}`);
  return out;
}

function gaps(input: Art30Input, documented: Set<string>): string[] {
  const s = input.study;
  const out: string[] = [];
  if (s.legalBasis.length === 0) out.push('No legal basis is declared (Art. 6(1) GDPR).');
  else if (!s.legalBasis.some((b) => b.startsWith('art6')))
    out.push('No Art. 6(1) lawful basis is declared beside the Art. 9(2) condition.');
  if (s.legalBasis.length > 0 && !s.legalBasis.some((b) => b.startsWith('art9')))
    out.push('No Art. 9(2) condition is declared; health data are a special category.');
  if (s.ethicsApprovalRef === null) out.push('No ethics approval reference.');
  if (s.dpiaRef === null) out.push('No DPIA reference (Art. 35 GDPR).');
  if (s.controller === null) out.push('No controller named (Art. 30(1)(a)).');
  if (s.dpo === null) out.push('No data protection officer named (Art. 30(1)(a)).');
  if (s.dataSubjectCategories.length === 0) out.push('No categories of data subjects (Art. 30(1)(c)).');
  if (s.dataCategories.length === 0) out.push('No categories of personal data (Art. 30(1)(c)).');
  if (s.recipients.length === 0) out.push('No categories of recipients (Art. 30(1)(d)).');
  if (s.retention === null) out.push('No time limit for erasure (Art. 30(1)(f)).');
  if (s.variables === null)
    out.push('The study does not restrict variables: every column of every dataset may be used.');
  if (s.algorithms === null)
    out.push('The study does not restrict algorithms: every algorithm of the hub may run.');
  if (s.minNodes < 3) out.push(`Results may pool as few as ${s.minNodes} node(s).`);
  if (s.endsAt === null) out.push('The study has no end date.');
  for (const n of input.nodes)
    if (!documented.has(n.name))
      out.push(`No node configuration for ${n.name}: its controls are not documented here.`);
  return out;
}

/** Builds the record (the JSON form; the other forms render it). */
export function buildArt30Record(input: Art30Input): Art30Record {
  const s = input.study;
  const participating = s.nodeIds
    .map((id) => input.nodes.find((n) => n.id === id))
    .filter((n): n is Art30Input['nodes'][number] => n !== undefined);
  const sitesByName = new Map(input.sites.map((x) => [x.name, x]));
  const documented = new Set(participating.filter((n) => sitesByName.has(n.name)).map((n) => n.name));
  const organisations = [...new Set(participating.map((n) => n.organisation))];
  return {
    title: `Record of processing activities (Art. 30 GDPR): ${s.title}`,
    asOf: input.asOf ?? null,
    study: { id: s.id, title: s.title, collaboration: input.collaboration.name, status: s.status },
    controller: s.controller,
    dpo: s.dpo,
    jointControllers: organisations,
    purpose: s.purpose,
    legalBasis: {
      codes: s.legalBasis,
      titles: s.legalBasis.map((b) => LEGAL_BASIS_TITLES[b]),
      note: s.legalBasisNote,
    },
    ethicsApprovalRef: s.ethicsApprovalRef,
    dpiaRef: s.dpiaRef,
    dataSubjectCategories: s.dataSubjectCategories,
    dataCategories: s.dataCategories,
    variables: s.variables ?? 'unrestricted',
    recipients: s.recipients,
    transfers:
      'No record-level data leave the participating sites. Each site sends only the aggregates listed in the annex to the hub, over TLS, on connections the site opens.',
    retention: s.retention,
    period: { startsAt: s.startsAt, endsAt: s.endsAt },
    securityMeasures: [
      'Data stay at each site; the hub never connects to a node and never receives records.',
      'Every task is checked against the study (algorithms, variables, period, status, minimum nodes) by the hub at submission and again by each node before it reads data.',
      'Per-site disclosure controls (minimum cell count, minimum subset size, differencing ledger, model complexity limits) refuse unsafe releases.',
      'Additive aggregates are masked by secure aggregation (pairwise X25519 masks) whenever two or more nodes take part: the hub learns only their sum.',
      'Results are signed by each node (Ed25519) and checked by the hub.',
      'Hash-chained audit logs at the hub and at each node record submissions, runs, releases and refusals.',
      'Users authenticate with passwords (scrypt hashes, lockout after repeated failures) or API tokens; roles separate researchers, node administrators, hub administrators and auditors.',
    ],
    annex: {
      dataFlows: participating.map(
        (n) =>
          `${n.name} (${n.organisation}) -> hub: aggregates of the allowed algorithms only; hub -> researchers of ${input.collaboration.name}: pooled results${s.releasePerNodeBreakdown ? ' and per-node breakdowns' : ''}.`,
      ),
      releases: allowedAlgorithms(input),
      sites: participating.map((n) => {
        const site = sitesByName.get(n.name);
        return {
          node: n.name,
          organisation: n.organisation,
          documented: site !== undefined,
          datasets: (site?.datasets ?? []).map((d) => ({
            name: d.name,
            columns: d.columns,
            optOut: d.optOut,
          })),
          controls: site ? siteControls(site) : [],
        };
      }),
      studyControls: [
        `status: ${s.status}${s.stoppedAt ? ` (stopped ${s.stoppedAt})` : ''}`,
        `period: ${s.startsAt ?? 'no start date'} to ${s.endsAt ?? 'no end date'}`,
        `minimum participating nodes: ${s.minNodes}`,
        `per-node breakdowns: ${s.releasePerNodeBreakdown ? 'released' : 'withheld (pooled results only)'}`,
        `variables: ${s.variables === null ? 'unrestricted' : s.variables.map((v) => `${v.dataset} (${v.columns.join(', ')})`).join('; ')}`,
        `algorithms: ${s.algorithms === null ? 'unrestricted' : s.algorithms.map((a) => (a.version ? `${a.name} ${a.version}` : a.name)).join(', ')}`,
      ],
      gaps: gaps(input, documented),
    },
  };
}

const none = (v: string | null | undefined) => v ?? 'not declared';
const contact = (c: { name: string; contact: string } | null) =>
  c ? `${c.name}, ${c.contact}` : 'not declared';
const list = (xs: string[]) => (xs.length > 0 ? xs.join('; ') : 'not declared');

/** Markdown. */
export function renderArt30Markdown(r: Art30Record): string {
  const L: string[] = [];
  const row = (k: string, v: string) =>
    L.push(`| ${k} | ${v.replaceAll('|', '\\|').replaceAll('\n', ' ')} |`);
  L.push(`# ${r.title}`, '');
  if (r.asOf) L.push(`As of ${r.asOf}.`, '');
  L.push('| Item (Art. 30(1) GDPR) | Entry |', '| --- | --- |');
  row('Study', `${r.study.title} (${r.study.id}), collaboration ${r.study.collaboration}, ${r.study.status}`);
  row('(a) Controller', contact(r.controller));
  row('(a) Joint controllers (participating organisations)', list(r.jointControllers));
  row('(a) Data protection officer', contact(r.dpo));
  row('(b) Purpose', r.purpose);
  row('Legal basis', r.legalBasis.titles.length > 0 ? r.legalBasis.titles.join('; ') : 'not declared');
  row('Legal basis, note', r.legalBasis.note || 'none');
  row('Ethics approval', none(r.ethicsApprovalRef));
  row('DPIA', none(r.dpiaRef));
  row('(c) Categories of data subjects', list(r.dataSubjectCategories));
  row('(c) Categories of personal data', list(r.dataCategories));
  row(
    '(c) Variables',
    r.variables === 'unrestricted'
      ? 'unrestricted'
      : r.variables.map((v) => `${v.dataset}: ${v.columns.join(', ')}`).join('; '),
  );
  row('(d) Recipients', list(r.recipients));
  row('(e) Transfers', r.transfers);
  row('(f) Time limits for erasure', none(r.retention));
  row('Period', `${r.period.startsAt ?? 'no start date'} to ${r.period.endsAt ?? 'no end date'}`);
  L.push('', '## (g) Technical and organisational security measures', '');
  for (const m of r.securityMeasures) L.push(`- ${m}`);
  L.push('', '## Annex: DPIA', '', '### Data flows', '');
  for (const f of r.annex.dataFlows) L.push(`- ${f}`);
  L.push(
    '',
    '### What leaves each site',
    '',
    '| Algorithm | Versions | Released aggregates | Per-node parts |',
    '| --- | --- | --- | --- |',
  );
  for (const a of r.annex.releases)
    L.push(`| ${a.algorithm} (${a.title}) | ${a.versions} | ${a.releases} | ${a.perNode ?? 'none'} |`);
  L.push('', '### Controls of the study', '');
  for (const c of r.annex.studyControls) L.push(`- ${c}`);
  L.push('', '### Controls at each site', '');
  for (const s of r.annex.sites) {
    L.push(`#### ${s.node} (${s.organisation})`, '');
    if (!s.documented) {
      L.push('No node configuration was given for this site.', '');
      continue;
    }
    L.push(
      `Datasets: ${s.datasets.map((d) => `${d.name} (${d.columns} columns${d.optOut ? ', opt-out list' : ''})`).join(', ') || 'none'}.`,
      '',
    );
    for (const c of s.controls) L.push(`- ${c}`);
    L.push('');
  }
  L.push('### Gaps to close', '');
  if (r.annex.gaps.length === 0) L.push('None found.');
  for (const g of r.annex.gaps) L.push(`- ${g}`);
  return `${L.join('\n')}\n`;
}

const esc = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A self-contained HTML page (no scripts, no external resources). */
export function renderArt30Html(r: Art30Record): string {
  const md = renderArt30Markdown(r).split('\n');
  const out: string[] = [];
  let inList = false;
  let inTable = false;
  const close = () => {
    if (inList) out.push('</ul>');
    if (inTable) out.push('</table>');
    inList = false;
    inTable = false;
  };
  // the Markdown form is the single source: each of its constructs maps to one HTML element
  for (const line of md) {
    const h = /^(#{1,4}) (.*)$/.exec(line);
    if (h) {
      close();
      out.push(`<h${h[1]!.length}>${esc(h[2]!)}</h${h[1]!.length}>`);
    } else if (line.startsWith('- ')) {
      if (!inList) {
        close();
        out.push('<ul>');
        inList = true;
      }
      out.push(`<li>${esc(line.slice(2))}</li>`);
    } else if (line.startsWith('|')) {
      if (/^\| ---/.test(line)) continue;
      const cells = line
        .slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((c) => esc(c.replaceAll('\\|', '|')));
      if (!inTable) {
        close();
        out.push('<table>');
        inTable = true;
        out.push(`<tr>${cells.map((c) => `<th>${c}</th>`).join('')}</tr>`);
      } else out.push(`<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`);
    } else if (line.trim() === '') close();
    else {
      close();
      out.push(`<p>${esc(line)}</p>`);
    }
  }
  close();
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${esc(r.title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.45}table{border-collapse:collapse;width:100%}td,th{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}</style>',
    '</head>',
    '<body>',
    ...out,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
