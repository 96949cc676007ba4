/**
 * Levels come from the data dictionary, never from the data: the grid of a table (and of any additive
 * vector indexed by level) is every level the column may take, so which cells are empty at a node is not
 * revealed by which cells it sends.
 */
import { type ColumnSpec, FedhubError, type Filter } from '@fedhub/protocol';
import type { DisclosureCell } from './types.js';

/** Most values an integer range may span to serve as levels. */
export const MAX_DECLARED_INTEGER_LEVELS = 1000;

/** Every level `spec` may take: declared levels, false/true, or each integer of a declared range. */
export function declaredLevels(spec: ColumnSpec): string[] {
  if (spec.levels && spec.levels.length > 0) return [...spec.levels];
  if (spec.type === 'boolean') return ['false', 'true'];
  if (
    spec.type === 'integer' &&
    spec.min !== undefined &&
    spec.max !== undefined &&
    spec.max - spec.min < MAX_DECLARED_INTEGER_LEVELS
  ) {
    const out: string[] = [];
    for (let v = Math.ceil(spec.min); v <= spec.max; v++) out.push(String(v));
    return out;
  }
  throw new FedhubError(
    'FH_ERR_COLUMN_TYPE',
    `column "${spec.name}" declares no levels in the data dictionary (nor an integer range of at most ${MAX_DECLARED_INTEGER_LEVELS} values): levels are taken from the dictionary, never from the data`,
    { column: spec.name, rule: 'declared-levels' },
  );
}

/**
 * A levels round without releasing any node's levels: the count of records per declared level of each
 * column, for the additive vector (the node masks it); the layout (declared levels) stays in the clear.
 */
export async function declaredLevelCounts(
  ds: {
    column(name: string): ColumnSpec;
    groupCounts(
      columns: string[],
      filter?: Filter,
    ): Promise<Array<{ levels: Array<string | null>; n: number }>>;
  },
  columns: string[],
  filter: Filter | undefined,
): Promise<{ declared: Array<[string, string[]]>; counts: number[]; cells: DisclosureCell[] }> {
  const declared: Array<[string, string[]]> = columns.map((c) => [c, declaredLevels(ds.column(c))]);
  const counts: number[] = [];
  const cells: DisclosureCell[] = [];
  for (const [c, all] of declared) {
    const groups = await ds.groupCounts([c], filter);
    const byLevel = new Map(groups.filter((g) => g.levels[0] !== null).map((g) => [g.levels[0]!, g.n]));
    for (const level of byLevel.keys())
      if (!all.includes(level))
        throw new FedhubError(
          'FH_ERR_ALGORITHM_FAILED',
          `column "${c}" holds a value outside its declared levels`,
        );
    for (const level of all) counts.push(byLevel.get(level) ?? 0);
    for (const [level, n] of byLevel)
      cells.push({ label: `records with ${c} = ${level}`, count: n, kind: 'level' });
  }
  return { declared, counts, cells };
}

/**
 * The aggregator's side: the declared levels some record holds, from the summed counts starting at
 * `offset` of `sum`, in the order `order` gives (e.g. sorted as R sorts factor levels).
 */
export function levelsHeld(
  declared: Array<[string, string[]]>,
  sum: Float64Array,
  offset: number,
  order: (levels: string[]) => string[],
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let at = offset;
  for (const [c, all] of declared) {
    out[c] = order(all.filter((_, j) => Math.round(sum[at + j]!) > 0));
    at += all.length;
  }
  return out;
}
