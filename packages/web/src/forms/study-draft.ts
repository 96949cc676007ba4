/**
 * The study wizard's state and its validation, apart from React so that every rule is unit-tested: which
 * fields each step owns, the messages shown next to them, and the CreateStudyRequest the draft becomes.
 */
import {
  type AlgorithmInfo,
  type CreateStudyRequest,
  type DataDictionary,
  LEGAL_BASES,
  type LegalBasis,
  type Study,
  type StudyAlgorithm,
  type StudyVariables,
} from '@fedhub/protocol';

/** What the wizard edits. Sets are kept as sorted arrays so that a draft compares and serialises plainly. */
export interface StudyDraft {
  collaborationId: string;
  title: string;
  purpose: string;
  legalBasis: LegalBasis[];
  legalBasisNote: string;
  ethicsApprovalRef: string;
  dpiaRef: string;
  dataCategories: string;
  dataSubjectCategories: string;
  nodeIds: string[];
  /** dataset name -> picked column names */
  variables: Record<string, string[]>;
  algorithms: string[];
  /** pin each picked algorithm to the version the hub advertises now */
  pinVersions: boolean;
  minNodes: string;
  startsAt: string;
  endsAt: string;
  releasePerNodeBreakdown: boolean;
  releaseSubgroupAnalyses: boolean;
}

/** An empty draft. */
export function emptyDraft(): StudyDraft {
  return {
    collaborationId: '',
    title: '',
    purpose: '',
    legalBasis: [],
    legalBasisNote: '',
    ethicsApprovalRef: '',
    dpiaRef: '',
    dataCategories: 'health data',
    dataSubjectCategories: 'patients',
    nodeIds: [],
    variables: {},
    algorithms: [],
    pinVersions: false,
    minNodes: '',
    startsAt: '',
    endsAt: '',
    releasePerNodeBreakdown: false,
    releaseSubgroupAnalyses: false,
  };
}

/** The draft of an existing study (for editing it). */
export function draftOf(s: Study): StudyDraft {
  return {
    collaborationId: s.collaborationId,
    title: s.title,
    purpose: s.purpose,
    legalBasis: [...s.legalBasis],
    legalBasisNote: s.legalBasisNote,
    ethicsApprovalRef: s.ethicsApprovalRef ?? '',
    dpiaRef: s.dpiaRef ?? '',
    dataCategories: s.dataCategories.join(', '),
    dataSubjectCategories: s.dataSubjectCategories.join(', '),
    nodeIds: [...s.nodeIds],
    variables: Object.fromEntries((s.variables ?? []).map((v) => [v.dataset, [...v.columns]])),
    algorithms: (s.algorithms ?? []).map((a) => a.name),
    pinVersions: (s.algorithms ?? []).some((a) => a.version !== undefined),
    minNodes: String(s.minNodes),
    startsAt: s.startsAt ?? '',
    endsAt: s.endsAt ?? '',
    releasePerNodeBreakdown: s.releasePerNodeBreakdown,
    releaseSubgroupAnalyses: s.releaseSubgroupAnalyses === true,
  };
}

/** Plain-language explanations of each legal basis, shown under the select. */
export const LEGAL_BASIS_HELP: Readonly<Record<LegalBasis, string>> = {
  'art6-1a-consent': 'Each patient agreed to this specific processing; withdrawal must be honoured.',
  'art6-1b-contract': 'Needed to perform a contract with the patient; rarely fits research.',
  'art6-1c-legal-obligation': 'A law obliges the controller to process the data (e.g. a registry duty).',
  'art6-1d-vital-interests': 'To protect someone’s life when no other basis is available.',
  'art6-1e-public-interest':
    'A task in the public interest laid down by law; the usual basis for public hospitals and universities.',
  'art6-1f-legitimate-interests':
    'The controller’s legitimate interests, balanced against the patients’; not for public authorities.',
  'art9-2a-explicit-consent': 'Explicit consent to processing health data for this purpose.',
  'art9-2h-health-care': 'Diagnosis, treatment or management of health care; not research as such.',
  'art9-2i-public-health': 'Public health, e.g. quality and safety of health care or medicinal products.',
  'art9-2j-research':
    'Scientific research with Art. 89(1) safeguards (pseudonymisation, minimisation); the usual condition here.',
};

const isArt6 = (b: LegalBasis) => b.startsWith('art6-');
const isArt9 = (b: LegalBasis) => b.startsWith('art9-');

/** The wizard's steps and the fields each validates (in display order: the first error gets focus). */
export const STEPS = [
  { title: 'Purpose', fields: ['collaborationId', 'title', 'purpose'] },
  {
    title: 'Legal basis',
    fields: ['legalBasis', 'legalBasisNote', 'ethicsApprovalRef', 'dpiaRef', 'dataCategories'],
  },
  { title: 'Nodes and data', fields: ['nodeIds', 'variables', 'algorithms'] },
  { title: 'Period and release', fields: ['minNodes', 'startsAt', 'endsAt'] },
] as const;
export type DraftField = (typeof STEPS)[number]['fields'][number];

/** Field -> message, in display order. */
export type DraftErrors = Partial<Record<DraftField, string>>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const validDay = (d: string) => DAY.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`));

/** The number of variables picked over all datasets. */
export function variableCount(d: StudyDraft): number {
  return Object.values(d.variables).reduce((n, cols) => n + cols.length, 0);
}

/** Every message of the draft (all steps). */
export function validateDraft(d: StudyDraft): DraftErrors {
  const e: DraftErrors = {};
  if (!d.collaborationId) e.collaborationId = 'Choose the collaboration the study belongs to.';
  if (d.title.trim().length < 3) e.title = 'The title needs at least 3 characters.';
  else if (d.title.trim().length > 300) e.title = 'The title is limited to 300 characters.';
  if (d.purpose.trim().length < 3)
    e.purpose = 'Describe the purpose (at least 3 characters): it is what the legal basis covers.';
  if (!d.legalBasis.some(isArt6) || !d.legalBasis.some(isArt9))
    e.legalBasis =
      'Health data need both a lawful basis under Art. 6(1) and a condition under Art. 9(2): pick one of each.';
  if (d.legalBasis.includes('art9-2j-research') && !d.ethicsApprovalRef.trim())
    e.ethicsApprovalRef = 'Research under Art. 9(2)(j) needs the ethics committee approval reference.';
  if (splitList(d.dataCategories).length === 0)
    e.dataCategories = 'Name at least one category of personal data (e.g. health data).';
  if (d.nodeIds.length === 0) e.nodeIds = 'Pick at least one participating node.';
  if (variableCount(d) === 0)
    e.variables = 'Pick the variables the study may use (at least one): nothing else will be released.';
  if (d.algorithms.length === 0) e.algorithms = 'Pick at least one algorithm the study may run.';
  const minNodes = d.minNodes.trim() === '' ? Math.min(3, d.nodeIds.length || 3) : Number(d.minNodes);
  if (!Number.isInteger(minNodes) || minNodes < 1)
    e.minNodes = 'The minimum number of nodes is a whole number of at least 1.';
  else if (d.nodeIds.length > 0 && minNodes > d.nodeIds.length)
    e.minNodes = `At most ${d.nodeIds.length}: the study has ${d.nodeIds.length} participating node(s).`;
  if (d.startsAt && !validDay(d.startsAt)) e.startsAt = 'A date as YYYY-MM-DD.';
  if (d.endsAt && !validDay(d.endsAt)) e.endsAt = 'A date as YYYY-MM-DD.';
  else if (d.startsAt && d.endsAt && validDay(d.startsAt) && d.endsAt < d.startsAt)
    e.endsAt = 'The end date is before the start date.';
  return e;
}

/** The messages of one step (0-based). */
export function stepErrors(d: StudyDraft, step: number): DraftErrors {
  const all = validateDraft(d);
  const out: DraftErrors = {};
  for (const f of STEPS[step]?.fields ?? []) if (all[f]) out[f] = all[f];
  return out;
}

/** "a, b\nc" -> ["a", "b", "c"] */
export function splitList(s: string): string[] {
  return s
    .split(/[,\n]/)
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}

/**
 * The request the draft becomes; variables only of datasets some chosen node publishes (a dataset of a
 * node later unticked must not widen the study), algorithms pinned to the hub's current versions if asked.
 */
export function toRequest(
  d: StudyDraft,
  datasets: readonly DataDictionary[],
  algorithms: readonly AlgorithmInfo[],
): CreateStudyRequest {
  const published = new Map(datasets.map((ds) => [ds.name, new Set(ds.columns.map((c) => c.name))]));
  const variables: StudyVariables[] = Object.entries(d.variables)
    .map(([dataset, cols]) => ({
      dataset,
      columns: cols.filter((c) => published.get(dataset)?.has(c)).sort(),
    }))
    .filter((v) => published.has(v.dataset) && v.columns.length > 0)
    .sort((a, b) => a.dataset.localeCompare(b.dataset));
  const versions = new Map(algorithms.map((a) => [a.name, a.version]));
  const algos: StudyAlgorithm[] = [...d.algorithms].sort().map((name) => {
    const v = versions.get(name);
    return d.pinVersions && v ? { name, version: v } : { name };
  });
  const minNodes = d.minNodes.trim() === '' ? Math.min(3, d.nodeIds.length) : Number(d.minNodes);
  return {
    collaborationId: d.collaborationId,
    title: d.title.trim(),
    purpose: d.purpose.trim(),
    legalBasis: LEGAL_BASES.filter((b) => d.legalBasis.includes(b)),
    legalBasisNote: d.legalBasisNote.trim(),
    ethicsApprovalRef: d.ethicsApprovalRef.trim() || null,
    dpiaRef: d.dpiaRef.trim() || null,
    dataCategories: splitList(d.dataCategories),
    dataSubjectCategories: splitList(d.dataSubjectCategories),
    nodeIds: [...d.nodeIds],
    variables,
    algorithms: algos,
    minNodes,
    startsAt: d.startsAt || null,
    endsAt: d.endsAt || null,
    releasePerNodeBreakdown: d.releasePerNodeBreakdown,
    releaseSubgroupAnalyses: d.releaseSubgroupAnalyses,
  };
}
