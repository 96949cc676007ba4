import { ANNEX_E_ROWS } from './annex-e-table.generated.js';
import type { AnnexERow, SimpleAction, TableAction } from './annex-e-types.js';
import { appliedColumns, type DeidOptions } from './options.js';

/**
 * Attributes that are Type 1 in at least one common IOD (SR Document General: Content Date/Time; Enhanced
 * General Equipment: Device Serial Number; Enhanced multi-frame images: Acquisition DateTime). For these a
 * compound action containing D resolves to D so that the output stays valid for that IOD.
 */
export const KNOWN_TYPE1: ReadonlySet<number> = new Set([0x00080023, 0x00080033, 0x00181000, 0x0008002a]);

/**
 * Resolves a compound action to a simple one. We do not know the IOD's Type 1/2/3 requirements per module,
 * so we resolve conservatively and never keep the original value:
 * - X/Z -> Z (an empty value leaks nothing and satisfies Type 2 as well as Type 3);
 * - X/D, X/Z/D, Z/D -> D for `KNOWN_TYPE1` attributes, else X (X/D) or Z (X/Z/D, Z/D);
 * - X/Z/U* (reference sequences) -> U: the sequence is kept and its UIDs are remapped (so links survive),
 *   every other attribute inside is processed by the profile like any other attribute.
 */
export function resolveCompound(tag: number, action: TableAction): SimpleAction {
  switch (action) {
    case 'X/Z':
      return 'Z';
    case 'X/D':
      return KNOWN_TYPE1.has(tag) ? 'D' : 'X';
    case 'X/Z/D':
    case 'Z/D':
      return KNOWN_TYPE1.has(tag) ? 'D' : 'Z';
    case 'X/Z/U*':
      return 'U';
    default:
      return action;
  }
}

/**
 * Rows we add to Table E.1-1 for free-text attributes it does not list but that real files fill with
 * identifying text. Detector Description (0018,7006) often holds the detector's serial number: it follows
 * Device Description (0050,0020): removed, kept under Retain Device Identity, and cleaned (runs of 4+ digits
 * dropped) under Clean Descriptors, which is applied after Device Identity and so wins when both are on.
 */
export const SUPPLEMENTARY_ROWS: readonly AnnexERow[] = [
  {
    key: '00187006',
    name: 'Detector Description',
    basic: 'X',
    inStdIod: true,
    options: { rtnDevIdOpt: 'K', cleanDescOpt: 'C' },
  },
];

/** The table compiled for one set of options: tag -> simple action, plus the pattern rows. */
export interface ActionTable {
  readonly exact: ReadonlyMap<number, SimpleAction>;
  readonly curve: SimpleAction;
  readonly overlayData: SimpleAction;
  readonly overlayComments: SimpleAction;
  readonly privateAction: SimpleAction;
  /** Rows by tag, for reporting. */
  readonly rows: ReadonlyMap<number, AnnexERow>;
}

function rowAction(row: AnnexERow, tag: number, options: DeidOptions): SimpleAction {
  let action: TableAction = row.basic;
  for (const col of appliedColumns(options)) {
    const o = row.options?.[col];
    if (o !== undefined) action = o;
  }
  return resolveCompound(tag, action);
}

/** Compiles Table E.1-1 for the given options (later option columns override earlier ones; dates last). */
export function compileActionTable(
  options: DeidOptions,
  rows: readonly AnnexERow[] = [...ANNEX_E_ROWS, ...SUPPLEMENTARY_ROWS],
): ActionTable {
  const exact = new Map<number, SimpleAction>();
  const byTag = new Map<number, AnnexERow>();
  let curve: SimpleAction = 'X';
  let overlayData: SimpleAction = 'X';
  let overlayComments: SimpleAction = 'X';
  let privateAction: SimpleAction = 'X';
  for (const row of rows) {
    if (row.key === '50xxxxxx') curve = rowAction(row, 0x50000000, options);
    else if (row.key === '60xx3000') overlayData = rowAction(row, 0x60003000, options);
    else if (row.key === '60xx4000') overlayComments = rowAction(row, 0x60004000, options);
    else if (row.key === 'private') privateAction = rowAction(row, 0x00090000, options);
    else {
      const tag = Number.parseInt(row.key, 16);
      exact.set(tag, rowAction(row, tag, options));
      byTag.set(tag, row);
    }
  }
  return { exact, curve, overlayData, overlayComments, privateAction, rows: byTag };
}

/**
 * Action for a public (even-group) tag: the table's, the repeating-group patterns, else K (attributes not in
 * the table are kept). Other overlay elements (60xx,eeee) follow Overlay Data: an overlay without its data
 * is meaningless, and its label/description elements can carry text.
 */
export function publicAction(t: ActionTable, tag: number): SimpleAction {
  const a = t.exact.get(tag);
  if (a !== undefined) return a;
  const group = tag >>> 16;
  if ((group & 0xff00) === 0x5000) return t.curve;
  if ((group & 0xff00) === 0x6000) {
    const element = tag & 0xffff;
    if (element === 0x4000) return t.overlayComments;
    return t.overlayData;
  }
  return 'K';
}
