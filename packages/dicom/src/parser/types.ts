/** How a dataset is encoded: VR explicit or implicit, byte order, and whether it is deflated. */
export interface DicomSyntax {
  /** Transfer Syntax UID as declared in the file meta (0002,0010). */
  readonly uid: string;
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
  readonly deflated: boolean;
}

/** Encapsulated pixel data: the Basic Offset Table item and the fragments, kept as raw bytes. */
export interface DicomFragments {
  readonly offsetTable: Uint8Array;
  readonly fragments: readonly Uint8Array[];
}

/**
 * One data element. `tag` is (group << 16 | element) as an unsigned 32-bit number. Exactly one of
 * `value` (raw bytes, in the file's byte order), `items` (for SQ) or `encapsulated` is set.
 */
export interface DicomElement {
  readonly tag: number;
  readonly vr: string;
  readonly value?: Uint8Array;
  readonly items?: readonly DicomDataset[];
  /**
   * For the Directory Record Sequence (0004,1220) only: each item's byte offset in the file as read (what
   * DICOMDIR record offsets point at).
   */
  readonly itemOffsets?: readonly number[];
  readonly encapsulated?: DicomFragments;
}

/** A dataset: its elements in ascending tag order. */
export type DicomDataset = readonly DicomElement[];

/** A whole Part 10 file as read: file meta (group 2), the dataset, and its syntax. */
export interface DicomFile {
  readonly meta: DicomDataset;
  readonly dataset: DicomDataset;
  readonly syntax: DicomSyntax;
  /** True when the file had no preamble and "DICM" (the transfer syntax may have been inferred). */
  readonly inferred?: boolean;
}

/** Limits applied while reading untrusted input. */
export interface DicomReadLimits {
  /** Deepest sequence nesting allowed (sequences inside items inside sequences...). */
  readonly maxDepth: number;
  /** Largest inflated size of a deflated dataset, in bytes. */
  readonly maxInflatedBytes: number;
}

/** Defaults: 64 levels of nesting, 1 GiB inflated. */
export const DEFAULT_READ_LIMITS: DicomReadLimits = { maxDepth: 64, maxInflatedBytes: 1024 * 1024 * 1024 };

/** Builds a tag number from group and element. */
export function tagOf(group: number, element: number): number {
  return ((group << 16) | element) >>> 0;
}

/** Formats a tag as "(GGGG,EEEE)". */
export function formatTag(tag: number): string {
  const h = tag.toString(16).toUpperCase().padStart(8, '0');
  return `(${h.slice(0, 4)},${h.slice(4)})`;
}
