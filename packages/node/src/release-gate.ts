/**
 * The node's single release gate: every local result passes here before anything leaves the node,
 * whatever the algorithm says. It checks that the release was built by `release()` (so it carries its
 * declaration), then the minimum subset size, the minimum cell count on every declared non-zero cell
 * (the design's cross-classification, outcome cells, risk groups, strata, missing counts ...), the
 * parameters-to-records limits, and that no array holds one entry per record.
 *
 * The errors it throws name what failed in full (cell labels may hold level values): they are for the
 * node's own log. The executor turns every refusal into a data-free body before it goes to the hub.
 */
import { ADDITIVE_FIELD, isDeclaredRelease, type LocalRelease } from '@fedhub/algorithms';
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

/** Throws a FedhubError with a stable code when `release` breaks `policy` (detail for the node's log). */
export function enforceDisclosure(release: LocalRelease, policy: DisclosurePolicy): void {
  if (!isDeclaredRelease(release))
    throw new FedhubError(
      'FH_ERR_UNDECLARED_RELEASE',
      'the local half returned a result not built by release(): its cells are not declared',
    );
  const { subsetSize, cells, parameters } = release.disclosure;
  for (const c of cells) {
    if (!(Number.isFinite(c.count) && c.count >= 0))
      throw new FedhubError('FH_ERR_UNDECLARED_RELEASE', `cell "${c.label}" declares no count (${c.count})`);
    // the records a cell names are what the privacy ledger audits: exactly as many as it counts
    if (c.rows && c.rows.ids.length !== c.count)
      throw new FedhubError(
        'FH_ERR_UNDECLARED_RELEASE',
        `cell "${c.label}" names ${c.rows.ids.length} records for a count of ${c.count}`,
      );
  }
  if (subsetSize === null) {
    if (cells.length > 0 || parameters !== undefined)
      throw new FedhubError(
        'FH_ERR_ROW_LEVEL',
        'an output that reads no records cannot release counts or parameters',
      );
    return;
  }
  if (!(Number.isFinite(subsetSize) && subsetSize >= 0))
    throw new FedhubError('FH_ERR_UNDECLARED_RELEASE', `the subset size is not a count (${subsetSize})`);
  if (subsetSize < policy.minSubsetSize)
    throw new FedhubError(
      'FH_ERR_SMALL_SUBSET',
      `the selection holds ${subsetSize} records, fewer than the minimum subset size ${policy.minSubsetSize}`,
      { minimum: policy.minSubsetSize },
    );
  const small = cells.filter((c) => c.count > 0 && c.count < policy.minCellCount);
  if (small.length > 0)
    throw new FedhubError(
      'FH_ERR_SMALL_CELL',
      `${small.length} released count(s) below the minimum cell count ${policy.minCellCount}: ${small
        .slice(0, 3)
        .map((c) => `${c.label} (${c.count})`)
        .join('; ')}${small.length > 3 ? '; ...' : ''}`,
      {
        minimum: policy.minCellCount,
        cells: small.map((c) => ({ label: c.label, kind: c.kind ?? 'other' })),
      },
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
    // an additive vector on a declared layout has its length from the layout, not from the records
    const payload =
      release.disclosure.additiveLayout === 'declared' &&
      release.payload !== null &&
      typeof release.payload === 'object' &&
      !Array.isArray(release.payload)
        ? Object.fromEntries(Object.entries(release.payload).filter(([k]) => k !== ADDITIVE_FIELD))
        : release.payload;
    const at = findRecordLengthArray(payload as Json, subsetSize, '');
    if (at)
      throw new FedhubError(
        'FH_ERR_ROW_LEVEL',
        `the output holds an array with one entry per record (${at})`,
      );
  }
}
