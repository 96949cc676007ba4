/**
 * Sorts factor levels as R's `factor()` does in the C collation: numerically when every level
 * parses as a finite number, else by UTF-16 code units (R under `LC_COLLATE=C`; note that R in an
 * English locale sorts case-insensitively, so keep level spellings consistent across nodes).
 */
export function sortLevels(levels: Iterable<string>): string[] {
  const unique = [...new Set(levels)];
  const allNumeric = unique.length > 0 && unique.every((l) => l.trim() !== '' && Number.isFinite(Number(l)));
  if (allNumeric) return unique.sort((a, b) => Number(a) - Number(b));
  return unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The distinct values of one node's categorical column: the local partial of the level-agreement round. */
export function localLevels(values: readonly string[]): string[] {
  return sortLevels(values);
}

/** Merges the level sets reported by the nodes into the global, R-sorted level set. */
export function mergeLevels(perNode: readonly (readonly string[])[]): string[] {
  return sortLevels(perNode.flat());
}
