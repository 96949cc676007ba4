/** What a study update changes, and which of those changes permit more than before (for the audit trail). */
import type { Study, StudyAlgorithm, StudyVariables } from '@fedhub/protocol';
import { canonicalJson } from '@fedhub/protocol';

/** One change that widens what a study permits. */
export interface Widening {
  field: keyof Study;
  detail: string;
}

const COMPARED: (keyof Study)[] = [
  'title',
  'purpose',
  'legalBasis',
  'legalBasisNote',
  'ethicsApprovalRef',
  'dpiaRef',
  'dataCategories',
  'dataSubjectCategories',
  'variables',
  'algorithms',
  'nodeIds',
  'minNodes',
  'startsAt',
  'endsAt',
  'releasePerNodeBreakdown',
  'releaseSubgroupAnalyses',
  'controller',
  'dpo',
  'recipients',
  'retention',
];

function addedVariables(before: StudyVariables[], after: StudyVariables[]): string[] {
  const out: string[] = [];
  for (const v of after) {
    const old = new Set(before.filter((b) => b.dataset === v.dataset).flatMap((b) => b.columns));
    const added = v.columns.filter((c) => !old.has(c));
    if (added.length > 0) out.push(`${v.dataset}: ${added.join(', ')}`);
  }
  return out;
}

/** Algorithms (name and version) allowed after and not before; an unpinned entry allows every version. */
function addedAlgorithms(before: StudyAlgorithm[], after: StudyAlgorithm[]): string[] {
  const covered = (a: StudyAlgorithm) =>
    before.some((b) => b.name === a.name && (b.version === undefined || b.version === a.version));
  return after
    .filter((a) => !covered(a))
    .map((a) => (a.version ? `${a.name}@${a.version}` : `${a.name} (any version)`));
}

/** The fields that differ, and each change that widens the permission. */
export function diffStudies(before: Study, after: Study): { changed: (keyof Study)[]; widened: Widening[] } {
  const changed = COMPARED.filter(
    (k) => canonicalJson(before[k] ?? null) !== canonicalJson(after[k] ?? null),
  );
  const widened: Widening[] = [];
  const push = (field: keyof Study, detail: string) => widened.push({ field, detail });
  if (changed.includes('purpose'))
    push('purpose', 'the purpose changed (purpose limitation, Art. 5(1)(b) GDPR)');
  if (changed.includes('variables') && before.variables !== null) {
    if (after.variables === null) push('variables', 'every column of every dataset (restriction removed)');
    else for (const d of addedVariables(before.variables, after.variables)) push('variables', `added ${d}`);
  }
  if (changed.includes('algorithms') && before.algorithms !== null) {
    if (after.algorithms === null) push('algorithms', 'every algorithm (restriction removed)');
    else
      for (const a of addedAlgorithms(before.algorithms, after.algorithms)) push('algorithms', `added ${a}`);
  }
  const addedNodes = after.nodeIds.filter((n) => !before.nodeIds.includes(n));
  if (addedNodes.length > 0) push('nodeIds', `added node ${addedNodes.join(', ')}`);
  if (after.minNodes < before.minNodes)
    push('minNodes', `lowered from ${before.minNodes} to ${after.minNodes}`);
  if (before.startsAt !== null && (after.startsAt === null || after.startsAt < before.startsAt))
    push('startsAt', `moved from ${before.startsAt} to ${after.startsAt ?? 'no start date'}`);
  if (before.endsAt !== null && (after.endsAt === null || after.endsAt > before.endsAt))
    push('endsAt', `moved from ${before.endsAt} to ${after.endsAt ?? 'no end date'}`);
  if (after.releasePerNodeBreakdown && !before.releasePerNodeBreakdown)
    push('releasePerNodeBreakdown', 'per-node breakdowns may now be released');
  if (after.releaseSubgroupAnalyses === true && before.releaseSubgroupAnalyses !== true)
    push('releaseSubgroupAnalyses', 'subgroup analyses may now be released');
  const addedCategories = after.dataCategories.filter((c) => !before.dataCategories.includes(c));
  if (addedCategories.length > 0) push('dataCategories', `added ${addedCategories.join(', ')}`);
  return { changed, widened };
}
