/**
 * Levels come from the data dictionary, never from the data: the grid of a table (and of any additive
 * vector indexed by level) is every level the column may take, so which cells are empty at a node is not
 * revealed by which cells it sends.
 */
import { type ColumnSpec, FedhubError } from '@fedhub/protocol';

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
