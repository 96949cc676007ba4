import {
  SAFE_PRIVATE_CONTENT_SHA256,
  SAFE_PRIVATE_E3_10_1,
  SAFE_PRIVATE_EDITION,
  SAFE_PRIVATE_SOURCE_SHA256,
} from './safe-private-e3-10-1.generated.js';

/**
 * Safe private attributes for the Retain Safe Private option, as data: the whole of DICOM PS3.15 Table
 * E.3.10-1 "Safe Private Attributes", edition 2026d ("DICOM PS3.15 2026d, © NEMA"), 479 rows. The rows come
 * from the machine-readable form PyMedPhys generates from the standard's HTML (pymedphys/pymedphys,
 * lib/pymedphys/_dicom/deidentify/_standard/e3_10_1.json), saved as safe-private-e3-10-1.json;
 * scripts/safe-private-table.mjs recomputes its content digest before writing the .generated.ts table.
 * Everything private that is not on the list is removed even under the option.
 */
export const SAFE_PRIVATE_SOURCE =
  `DICOM PS3.15 ${SAFE_PRIVATE_EDITION} Table E.3.10-1 (whole table, via pymedphys e3_10_1.json)` as const;

export { SAFE_PRIVATE_CONTENT_SHA256, SAFE_PRIVATE_EDITION, SAFE_PRIVATE_SOURCE_SHA256 };

/** One safe private attribute: creator string, group, element offset within the block (0x00-0xFF). */
export interface SafePrivateEntry {
  readonly creator: string;
  readonly group: number;
  readonly offset: number;
  readonly name: string;
  /** VR and VM as the table prints them (VR is empty for a few rows the standard leaves blank). */
  readonly vr?: string;
  readonly vm?: string;
}

/** The safe private list. */
export const SAFE_PRIVATE_ATTRIBUTES: readonly SafePrivateEntry[] = SAFE_PRIVATE_E3_10_1;

/**
 * Lookup key of a safe private entry: "creator|group|offset". The creator is compared on its value with
 * padding trimmed (PS3.5 7.8.1: the Private Creator is an LO, whose padding is not significant).
 */
export function safePrivateKey(creator: string, group: number, offset: number): string {
  return `${creator.trim()}|${group}|${offset}`;
}

/** Set of keys of `SAFE_PRIVATE_ATTRIBUTES`. */
export function safePrivateSet(
  list: readonly SafePrivateEntry[] = SAFE_PRIVATE_ATTRIBUTES,
): ReadonlySet<string> {
  return new Set(list.map((e) => safePrivateKey(e.creator, e.group, e.offset)));
}
