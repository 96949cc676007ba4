/**
 * Whether a run is inside its study: one pure function that the hub applies at submission and each node
 * applies again to every run it receives (the node does not take the hub's word for it).
 */
import { FilterSchema, filterColumns } from './dataset.js';
import { FedhubError } from './errors.js';
import type { StudyDescriptor } from './study.js';

/** What a task asks of a study. */
export interface StudyRequest {
  algorithm: string;
  version: string;
  /** The dataset and columns the algorithm reads with these parameters (its `variables(params)`). */
  variables: { dataset: string | null; columns: string[] };
  /** Nodes taking part. */
  nodeCount: number;
  /** The task's parameters: the columns of any filter in them count too (variables() omits them). */
  params?: unknown;
}

/** The columns read by every filter found in `params`, at any depth (a filter narrows on a column's values). */
export function paramsFilterColumns(params: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 16 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (k === 'filter') {
        const f = FilterSchema.safeParse(x);
        if (f.success) for (const c of filterColumns(f.data)) out.add(c);
      } else walk(x, depth + 1);
    }
  };
  walk(params, 0);
  return [...out];
}

/** The columns of `variables` outside the study (all of them when the dataset is not in the study). */
export function columnsOutsideStudy(
  study: Pick<StudyDescriptor, 'variables'>,
  variables: { dataset: string | null; columns: string[] },
): string[] {
  if (study.variables === null || variables.dataset === null) return [];
  const allowed = new Set(
    study.variables.filter((v) => v.dataset === variables.dataset).flatMap((v) => v.columns),
  );
  return [...new Set(variables.columns)].filter((c) => !allowed.has(c));
}

/**
 * The first reason the study does not permit the request, as the error to answer with, or null.
 * `now` is an ISO timestamp; the study runs from the start of its first day to the end of its last (UTC).
 */
export function studyRefusal(study: StudyDescriptor, req: StudyRequest, now: string): FedhubError | null {
  const where = `study "${study.title}" (${study.id})`;
  if (study.status === 'stopped')
    return new FedhubError('FH_ERR_STUDY_STOPPED', `${where} is stopped`, { studyId: study.id });
  const today = now.slice(0, 10);
  if (study.startsAt !== null && today < study.startsAt)
    return new FedhubError(
      'FH_ERR_STUDY_PERIOD',
      `${where} starts on ${study.startsAt} (today is ${today})`,
      {
        studyId: study.id,
        startsAt: study.startsAt,
      },
    );
  if (study.endsAt !== null && today > study.endsAt)
    return new FedhubError('FH_ERR_STUDY_PERIOD', `${where} ended on ${study.endsAt} (today is ${today})`, {
      studyId: study.id,
      endsAt: study.endsAt,
    });
  if (
    study.algorithms !== null &&
    !study.algorithms.some(
      (a) => a.name === req.algorithm && (a.version === undefined || a.version === req.version),
    )
  ) {
    const pinned = study.algorithms.filter((a) => a.name === req.algorithm).map((a) => a.version);
    return new FedhubError(
      'FH_ERR_OUTSIDE_STUDY',
      pinned.length > 0
        ? `${where} allows ${req.algorithm} only at version ${pinned.join(', ')}, not ${req.version}`
        : `${where} does not allow the algorithm ${req.algorithm}`,
      { studyId: study.id, algorithm: req.algorithm, version: req.version },
    );
  }
  const outside = columnsOutsideStudy(study, {
    dataset: req.variables.dataset,
    columns: [...req.variables.columns, ...paramsFilterColumns(req.params)],
  });
  if (outside.length > 0) {
    const known = study.variables?.some((v) => v.dataset === req.variables.dataset) ?? true;
    return new FedhubError(
      'FH_ERR_OUTSIDE_STUDY',
      known
        ? `${where} does not allow column ${outside.map((c) => `"${c}"`).join(', ')} of dataset "${req.variables.dataset}"`
        : `${where} does not allow dataset "${req.variables.dataset}"`,
      { studyId: study.id, dataset: req.variables.dataset, columns: outside },
    );
  }
  if (req.nodeCount < study.minNodes)
    return new FedhubError(
      'FH_ERR_TOO_FEW_NODES',
      `${where} needs at least ${study.minNodes} nodes; ${req.nodeCount} would take part`,
      { studyId: study.id, minNodes: study.minNodes, nodes: req.nodeCount },
    );
  return null;
}
