/**
 * Checks a task against the data dictionaries its nodes have published, so that a misspelt dataset or
 * column is refused at once (422) rather than after every node has run. Nodes that have not published a
 * dictionary yet are left to check for themselves.
 */
import type { FederatedAlgorithm } from '@fedhub/algorithms';
import { fromJson } from '@fedhub/db';
import { type DataDictionary, FedhubError } from '@fedhub/protocol';
import type { HubContext } from '../../core/context.js';

/** Throws FH_ERR_UNKNOWN_DATASET / FH_ERR_UNKNOWN_COLUMN naming the nodes and names that do not exist. */
export async function checkAgainstDictionaries(
  ctx: HubContext,
  algorithm: FederatedAlgorithm<unknown>,
  params: unknown,
  nodeIds: string[],
): Promise<void> {
  if (typeof algorithm.variables !== 'function') return;
  const wanted = algorithm.variables(params);
  if (wanted.dataset === null) return;
  const nodes = await ctx.db.db
    .selectFrom('nodes')
    .select(['id', 'name', 'datasets'])
    .where('id', 'in', nodeIds)
    .execute();
  const missingDataset: string[] = [];
  const missingColumns: Array<{ node: string; columns: string[] }> = [];
  for (const n of nodes) {
    const dictionaries = fromJson<DataDictionary[]>(n.datasets) ?? [];
    if (dictionaries.length === 0) continue;
    const dict = dictionaries.find((d) => d.name === wanted.dataset);
    if (!dict) {
      missingDataset.push(n.name);
      continue;
    }
    const known = new Set(dict.columns.map((c) => c.name));
    const absent = wanted.columns.filter((c) => !known.has(c));
    if (absent.length > 0) missingColumns.push({ node: n.name, columns: absent });
  }
  if (missingDataset.length > 0)
    throw new FedhubError(
      'FH_ERR_UNKNOWN_DATASET',
      `no dataset "${wanted.dataset}" at ${missingDataset.join(', ')}`,
      { dataset: wanted.dataset, nodes: missingDataset },
    );
  if (missingColumns.length > 0) {
    const columns = [...new Set(missingColumns.flatMap((m) => m.columns))];
    throw new FedhubError(
      'FH_ERR_UNKNOWN_COLUMN',
      `dataset "${wanted.dataset}" has no column ${columns.map((c) => `"${c}"`).join(', ')} at ${missingColumns.map((m) => m.node).join(', ')}`,
      { dataset: wanted.dataset, missing: missingColumns },
    );
  }
}
