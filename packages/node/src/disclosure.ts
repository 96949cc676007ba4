/**
 * Disclosure control, enforced by the node on every release whatever the algorithm says: minimum subset
 * size, minimum cell count on every declared count, parameters-to-records limits, and a guard against
 * per-record arrays.
 */
import type { LocalRelease } from '@fedhub/algorithms';
import { type DisclosurePolicy, FedhubError, type Json } from '@fedhub/protocol';

function findRecordLengthArray(value: Json, n: number, path: string): string | undefined {
  if (Array.isArray(value)) {
    if (value.length === n) return path || '(payload)';
    for (let i = 0; i < value.length; i++) {
      const hit = findRecordLengthArray(value[i] as Json, n, `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const hit = findRecordLengthArray(v, n, path ? `${path}.${k}` : k);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Throws a FedhubError with a stable code when `release` breaks `policy`. */
export function enforceDisclosure(release: LocalRelease, policy: DisclosurePolicy): void {
  const { subsetSize, cells, parameters } = release.disclosure;
  if (subsetSize === null) {
    if (cells.length > 0 || parameters !== undefined)
      throw new FedhubError(
        'FH_ERR_ROW_LEVEL',
        'an output that reads no records cannot release counts or parameters',
      );
    return;
  }
  if (subsetSize < policy.minSubsetSize)
    throw new FedhubError(
      'FH_ERR_SMALL_SUBSET',
      `the selection holds ${subsetSize} records, fewer than the minimum subset size ${policy.minSubsetSize}`,
      {
        minimum: policy.minSubsetSize,
      },
    );
  const small = cells.filter((c) => c.count > 0 && c.count < policy.minCellCount);
  if (small.length > 0)
    throw new FedhubError(
      'FH_ERR_SMALL_CELL',
      `${small.length} released count(s) below the minimum cell count ${policy.minCellCount}: ${small
        .slice(0, 3)
        .map((c) => c.label)
        .join('; ')}${small.length > 3 ? '; ...' : ''}`,
      { minimum: policy.minCellCount, cells: small.map((c) => c.label) },
    );
  if (parameters !== undefined) {
    if (parameters > policy.maxParameterRatio * subsetSize)
      throw new FedhubError(
        'FH_ERR_TOO_MANY_PARAMETERS',
        `${parameters} parameters for ${subsetSize} records exceeds ${policy.maxParameterRatio} x n`,
      );
    if (subsetSize - parameters < policy.minResidualDf)
      throw new FedhubError(
        'FH_ERR_TOO_MANY_PARAMETERS',
        `residual degrees of freedom ${subsetSize - parameters} below ${policy.minResidualDf}`,
      );
  }
  if (subsetSize > 1) {
    const at = findRecordLengthArray(release.payload, subsetSize, '');
    if (at)
      throw new FedhubError(
        'FH_ERR_ROW_LEVEL',
        `the output holds an array with one entry per record (${at})`,
      );
  }
}
