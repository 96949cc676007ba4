/**
 * The permission set of a study as the node approves it: nodes, minimum number of nodes, columns,
 * algorithms, period, per-node breakdowns, subgroup analyses, purpose and data categories. The node computes it and its
 * digest from the study descriptor that comes with each run, never from a digest the hub sends. An
 * approval binds to the permission set it was given under: a later run whose study permits more (any
 * widening) waits for the node administrator again; one that permits less (narrowing) runs under the
 * approval, since everything it may do was approved (docs/security.md, Approvals).
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type StudyDescriptor } from '@fedhub/protocol';

/** What a study permits, normalised (sorted lists) so that equal permissions have equal digests. */
export interface StudyPermission {
  nodeIds: string[];
  minNodes: number;
  variables: Array<{ dataset: string; columns: string[] }> | null;
  algorithms: Array<{ name: string; version: string | null }> | null;
  startsAt: string | null;
  endsAt: string | null;
  releasePerNodeBreakdown: boolean;
  /** Present (true) only where the study allows subgroup analyses: approvals from before keep their digest. */
  releaseSubgroupAnalyses?: true;
  purpose: string | null;
  dataCategories: string[];
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The permission set of a study descriptor. */
export function studyPermission(d: StudyDescriptor): StudyPermission {
  const variables = d.variables
    ? (() => {
        const cols = new Map<string, Set<string>>();
        for (const v of d.variables) {
          const set = cols.get(v.dataset) ?? new Set<string>();
          for (const c of v.columns) set.add(c);
          cols.set(v.dataset, set);
        }
        return [...cols.entries()]
          .sort(([a], [b]) => byText(a, b))
          .map(([dataset, set]) => ({ dataset, columns: [...set].sort(byText) }));
      })()
    : null;
  const algorithms = d.algorithms
    ? [...new Map(d.algorithms.map((a) => [`${a.name}@${a.version ?? ''}`, a])).values()]
        .map((a) => ({ name: a.name, version: a.version ?? null }))
        .sort((a, b) => byText(`${a.name}@${a.version ?? ''}`, `${b.name}@${b.version ?? ''}`))
    : null;
  return {
    nodeIds: [...new Set(d.nodeIds)].sort(byText),
    minNodes: d.minNodes,
    variables,
    algorithms,
    startsAt: d.startsAt ?? null,
    endsAt: d.endsAt ?? null,
    releasePerNodeBreakdown: d.releasePerNodeBreakdown,
    ...(d.releaseSubgroupAnalyses === true ? { releaseSubgroupAnalyses: true as const } : {}),
    purpose: d.purpose ?? null,
    dataCategories: [...new Set(d.dataCategories ?? [])].sort(byText),
  };
}

/** sha256 (hex) of the canonical JSON of a permission set. */
export function permissionDigest(p: StudyPermission): string {
  return createHash('sha256').update(canonicalJson(p)).digest('hex');
}

/**
 * Each way `current` permits more than `approved` (empty when it permits the same or less). Names
 * columns, algorithms and node ids only: nothing here is patient data.
 */
export function permissionWidenings(approved: StudyPermission, current: StudyPermission): string[] {
  const out: string[] = [];
  if (approved.variables !== null) {
    if (current.variables === null) out.push('columns: every column of every dataset (restriction removed)');
    else
      for (const v of current.variables) {
        const old = new Set(approved.variables.find((a) => a.dataset === v.dataset)?.columns ?? []);
        const added = v.columns.filter((c) => !old.has(c));
        if (added.length > 0) out.push(`columns: added ${v.dataset}: ${added.join(', ')}`);
      }
  }
  if (approved.algorithms !== null) {
    if (current.algorithms === null) out.push('algorithms: every algorithm (restriction removed)');
    else {
      const allowed = approved.algorithms;
      const covered = (a: { name: string; version: string | null }) =>
        allowed.some((b) => b.name === a.name && (b.version === null || b.version === a.version));
      for (const a of current.algorithms.filter((x) => !covered(x)))
        out.push(`algorithms: added ${a.version ? `${a.name}@${a.version}` : `${a.name} (any version)`}`);
    }
  }
  const addedNodes = current.nodeIds.filter((n) => !approved.nodeIds.includes(n));
  if (addedNodes.length > 0) out.push(`nodes: added ${addedNodes.join(', ')}`);
  if (current.minNodes < approved.minNodes)
    out.push(`minNodes: lowered from ${approved.minNodes} to ${current.minNodes}`);
  if (approved.startsAt !== null && (current.startsAt === null || current.startsAt < approved.startsAt))
    out.push(`period: starts ${current.startsAt ?? 'without a start date'} (approved ${approved.startsAt})`);
  if (approved.endsAt !== null && (current.endsAt === null || current.endsAt > approved.endsAt))
    out.push(`period: ends ${current.endsAt ?? 'without an end date'} (approved ${approved.endsAt})`);
  if (current.releasePerNodeBreakdown && !approved.releasePerNodeBreakdown)
    out.push('breakdown: per-node breakdowns may now be released');
  if (current.releaseSubgroupAnalyses === true && approved.releaseSubgroupAnalyses !== true)
    out.push('subgroups: subgroup analyses may now be released');
  if (current.purpose !== approved.purpose) out.push('purpose: changed');
  const addedCategories = current.dataCategories.filter((c) => !approved.dataCategories.includes(c));
  if (addedCategories.length > 0) out.push(`data categories: added ${addedCategories.join(', ')}`);
  return out;
}
