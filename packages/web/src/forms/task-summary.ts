/**
 * How a task is told apart from its siblings in lists and on its page: its title, else a summary of its
 * parameters ("km: months, dead by stage"), and its filter in words (pure).
 */
import type { Filter, Task } from '@fedhub/protocol';
import { describeFilter } from './filter-draft.js';

type Params = Record<string, unknown>;
const s = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The parameters that say what a task computes, in a line (dataset and filter left out). */
export function paramsSummary(algorithm: string, params: unknown): string {
  const p = (params ?? {}) as Params;
  const model = p.model as
    | { score?: string; formula?: string; registered?: string; onnx?: string }
    | undefined;
  const parts: string[] = [];
  if (s(p.formula)) parts.push(s(p.formula)!);
  if (Array.isArray(p.columns)) parts.push(p.columns.join(', '));
  if (s(p.column)) parts.push(s(p.column)!);
  if (s(p.rows) && s(p.cols)) parts.push(`${p.rows} × ${p.cols}`);
  if (s(p.time) || s(p.event)) parts.push(`Surv(${p.time ?? '·'}, ${p.event ?? '·'})`);
  if (s(p.outcome)) parts.push(`outcome ${p.outcome}`);
  if (model?.score) parts.push(`score ${model.score}`);
  else if (model?.formula) parts.push(`model ${model.formula}`);
  else if (model?.registered ?? model?.onnx) parts.push(`model ${model.registered ?? model.onnx}`);
  if (s(p.roi)) parts.push(`ROI ${p.roi}`);
  if (s(p.structure)) parts.push(`structure ${p.structure}`);
  if (Array.isArray(p.structures)) parts.push(`structures ${p.structures.join(', ')}`);
  if (s(p.organ)) parts.push(`organ ${p.organ}`);
  if (s(p.group)) parts.push(`by ${p.group}`);
  if (Array.isArray(p.levels)) parts.push(`${p.levels.join(' vs ')}`);
  if (s(p.strata)) parts.push(`strata ${p.strata}`);
  if (s(p.family)) parts.push(s(p.family)!);
  if (s(p.output)) parts.push(`→ ${p.output}`);
  if (p.bins && typeof p.bins === 'object') parts.push(`histograms of ${Object.keys(p.bins).join(', ')}`);
  return parts.length > 0 ? `${algorithm}: ${parts.join('; ')}` : algorithm;
}

/** The task's title: the one given at submission, else its parameters' summary. */
export function taskTitle(t: Pick<Task, 'algorithm' | 'params' | 'title'>): string {
  return t.title ?? paramsSummary(t.algorithm, t.params);
}

/** The cohort object of the imaging validations (`cohort: { dataset, patient, filter }`), if any. */
const cohortOf = (p: Params | null) =>
  p?.cohort && typeof p.cohort === 'object' ? (p.cohort as Params) : null;

/** The task's filter in words ("all rows" without one), the cohort's for an imaging validation. */
export function taskFilter(t: Pick<Task, 'params'>): string {
  const p = t.params as Params | null;
  const f = (p?.filter ?? cohortOf(p)?.filter) as Filter | undefined;
  return describeFilter(f);
}

/** The dataset a task reads, if any (an imaging validation's cohort table). */
export function taskDataset(t: Pick<Task, 'params'>): string | undefined {
  const p = t.params as Params | null;
  return s(p?.dataset) ?? s(cohortOf(p)?.dataset);
}

/** Algorithms that read the nodes' DICOM stores (images, structure sets, doses). */
const READS_DICOM = new Set(['dvh-extract', 'radiomics-extract', 'validate-imaging']);

/**
 * What a task reads, in words: its dataset; for the algorithms that read images, the nodes' DICOM stores
 * and the table they are joined to or validated on ("DICOM store, imaging_cohort").
 */
export function taskData(t: Pick<Task, 'algorithm' | 'params'>): string {
  const p = t.params as Params | null;
  const join = p?.join && typeof p.join === 'object' ? s((p.join as Params).dataset) : undefined;
  const table = taskDataset(t) ?? join;
  if (READS_DICOM.has(t.algorithm)) return table ? `DICOM store, ${table}` : 'DICOM store';
  return table ?? 'none';
}
