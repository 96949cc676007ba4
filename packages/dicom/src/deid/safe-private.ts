/**
 * Safe private attributes for the Retain Safe Private option, as data. Source: a subset of DICOM PS3.15
 * (2024b) Table E.3.10-1 "Safe Private Attributes", transcribed by hand (the machine-readable table in
 * /work/shared/reference/dicom-deid does not include E.3.10-1); only entries whose creator, group and
 * element offset we could confirm are listed. Everything else private is removed even under the option.
 */
export const SAFE_PRIVATE_SOURCE = 'DICOM PS3.15 2024b Table E.3.10-1 (subset, hand-transcribed)' as const;

/** One safe private attribute: creator string, group, element offset within the block (0x00-0xFF). */
export interface SafePrivateEntry {
  readonly creator: string;
  readonly group: number;
  readonly offset: number;
  readonly name: string;
}

/** The safe private list. */
export const SAFE_PRIVATE_ATTRIBUTES: readonly SafePrivateEntry[] = [
  { creator: 'GEMS_ACQU_01', group: 0x0019, offset: 0x23, name: 'Table Speed' },
  { creator: 'GEMS_ACQU_01', group: 0x0019, offset: 0x24, name: 'Mid Scan Time' },
  { creator: 'GEMS_ACQU_01', group: 0x0019, offset: 0x27, name: 'Rotation Speed' },
  { creator: 'GEMS_ACQU_01', group: 0x0019, offset: 0x9e, name: 'Internal Pulse Sequence Name' },
  { creator: 'GEMS_PARM_01', group: 0x0043, offset: 0x27, name: 'Scan Pitch Ratio' },
  { creator: 'GEMS_PARM_01', group: 0x0043, offset: 0x6f, name: 'Scanner Table Entry' },
  { creator: 'SIEMENS MR HEADER', group: 0x0019, offset: 0x0a, name: 'Number of Images in Mosaic' },
  { creator: 'SIEMENS MR HEADER', group: 0x0019, offset: 0x0c, name: 'B Value' },
  { creator: 'SIEMENS MR HEADER', group: 0x0019, offset: 0x0d, name: 'Diffusion Directionality' },
  { creator: 'SIEMENS MR HEADER', group: 0x0019, offset: 0x0e, name: 'Diffusion Gradient Direction' },
  { creator: 'SIEMENS MR HEADER', group: 0x0019, offset: 0x27, name: 'B Matrix' },
  { creator: 'Philips Imaging DD 001', group: 0x2001, offset: 0x03, name: 'Diffusion B-Factor' },
  { creator: 'Philips PET Private Group', group: 0x7053, offset: 0x00, name: 'SUV Factor' },
  {
    creator: 'Philips PET Private Group',
    group: 0x7053,
    offset: 0x09,
    name: 'Activity Concentration Scale Factor',
  },
];

/** Lookup key of a safe private entry: "creator|group|offset". */
export function safePrivateKey(creator: string, group: number, offset: number): string {
  return `${creator.trim()}|${group}|${offset}`;
}

/** Set of keys of `SAFE_PRIVATE_ATTRIBUTES`. */
export function safePrivateSet(
  list: readonly SafePrivateEntry[] = SAFE_PRIVATE_ATTRIBUTES,
): ReadonlySet<string> {
  return new Set(list.map((e) => safePrivateKey(e.creator, e.group, e.offset)));
}
