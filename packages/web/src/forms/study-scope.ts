/**
 * What a study lets the run page offer: only its allowed algorithms (and pinned versions) and, per dataset,
 * only its allowed variables. `null` in the study means "not restricted" (studies from before governance).
 */
import type { AlgorithmInfo, DataDictionary, Study } from '@fedhub/protocol';

type Scope = Pick<Study, 'variables' | 'algorithms'>;

/** The dictionaries cut down to the study's variables; datasets the study does not name disappear. */
export function scopeDatasets(
  datasets: readonly DataDictionary[],
  study: Scope | undefined,
): DataDictionary[] {
  if (!study || study.variables === null) return [...datasets];
  const allowed = new Map(study.variables.map((v) => [v.dataset, new Set(v.columns)]));
  const out: DataDictionary[] = [];
  for (const d of datasets) {
    const cols = allowed.get(d.name);
    if (!cols) continue;
    const columns = d.columns.filter((c) => cols.has(c.name));
    if (columns.length > 0) out.push({ ...d, columns });
  }
  return out;
}

/** The algorithms the study may run (a pinned version must match the hub's current one). */
export function scopeAlgorithms(
  algorithms: readonly AlgorithmInfo[],
  study: Scope | undefined,
): AlgorithmInfo[] {
  if (!study || study.algorithms === null) return [...algorithms];
  const allowed = study.algorithms;
  return algorithms.filter((a) =>
    allowed.some((x) => x.name === a.name && (x.version === undefined || x.version === a.version)),
  );
}

/**
 * Why an algorithm asked for by a link ("validate this model", "edit and re-run") cannot be run on the
 * chosen study, or null when it can (or when nothing is chosen yet). Without it the form would show an empty
 * algorithm choice and a disabled Run button, and the researcher would not know why.
 *
 * @example
 * notPermittedText('validate', { title: 'Toxicity', algorithms: [{ name: 'glm' }] }, [glmInfo])
 * // 'The study "Toxicity" does not permit validate (it permits glm): ...'
 */
export function notPermittedText(
  algorithm: string,
  study: (Pick<Study, 'algorithms'> & { title: string }) | undefined,
  allowed: readonly AlgorithmInfo[],
): string | null {
  if (!algorithm || !study || allowed.some((a) => a.name === algorithm)) return null;
  const permits = study.algorithms?.map((a) => (a.version ? `${a.name} ${a.version}` : a.name)).join(', ');
  return (
    `The study "${study.title}" does not permit ${algorithm}${permits ? ` (it permits ${permits})` : ''}: ` +
    `ask the study's owner to add ${algorithm} (edit the study), or choose another study.`
  );
}
