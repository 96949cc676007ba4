/**
 * The node's limits on factor levels (DataSHIELD's nfilter.levels.max and nfilter.levels.density),
 * applied where every algorithm learns a column's levels: the dataset's `groupCounts`. A level list
 * longer than the policy allows is refused before any algorithm sees it.
 */
import { assertLevelLimits, type DatasetHandle } from '@fedhub/algorithms';
import type { DisclosurePolicy } from '@fedhub/protocol';

/** The handle with `groupCounts` checked against the node's level limits; everything else as is. */
export function withLevelLimits<D extends DatasetHandle>(ds: D, policy: DisclosurePolicy): D {
  const groupCounts: DatasetHandle['groupCounts'] = async (columns, filter) => {
    const groups = await ds.groupCounts(columns, filter);
    let records = 0;
    for (const g of groups) records += g.n;
    columns.forEach((column, j) => {
      const levels = new Set<string>();
      for (const g of groups) if (g.levels[j] !== null && g.levels[j] !== undefined) levels.add(g.levels[j]!);
      assertLevelLimits(column, levels.size, records, policy);
    });
    return groups;
  };
  return new Proxy(ds, {
    get(target, prop) {
      if (prop === 'groupCounts') return groupCounts;
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
