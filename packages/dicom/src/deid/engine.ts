import { stringValue } from '../parser/read.js';
import type { DicomDataset, DicomElement } from '../parser/types.js';
import { TEXT_VRS } from '../parser/vr.js';
import { type ActionTable, publicAction } from './action-table.js';
import type { SimpleAction } from './annex-e-types.js';
import type { DeidKey } from './keys.js';
import type { DeidOptions } from './options.js';
import { remapUid, shiftDate, shiftDateTime } from './pseudonym.js';
import { safePrivateKey } from './safe-private.js';
import { dummyValue, scrubText, textBytes } from './values.js';

/** Counts of what the engine did, over the whole dataset including sequences. */
export interface DeidCounts {
  removed: number;
  emptied: number;
  dummied: number;
  kept: number;
  cleaned: number;
  uidsRemapped: number;
  datesShifted: number;
  privateRemoved: number;
}

/** Everything the engine needs besides the dataset; built once per file. */
export interface EngineContext {
  readonly options: DeidOptions;
  readonly table: ActionTable;
  readonly key: DeidKey;
  readonly pseudonym: string;
  readonly dayOffset: number;
  readonly identifiers: ReadonlySet<string>;
  readonly safePrivate: ReadonlySet<string>;
  readonly counts: DeidCounts;
}

/** A new zeroed counter object. */
export function emptyCounts(): DeidCounts {
  return {
    removed: 0,
    emptied: 0,
    dummied: 0,
    kept: 0,
    cleaned: 0,
    uidsRemapped: 0,
    datesShifted: 0,
    privateRemoved: 0,
  };
}

const PATIENT_NAME = 0x00100010;
const PATIENT_ID = 0x00100020;
const TEXT_VALUE = 0x0040a160;
/** Sequences holding SR-style content items: Content, Acquisition Context, Specimen Preparation. */
const STRUCTURED_CONTENT = new Set([0x0040a730, 0x00400555, 0x00400610]);

function withValue(el: DicomElement, value: Uint8Array): DicomElement {
  return { tag: el.tag, vr: el.vr, value };
}

function remapUids(ctx: EngineContext, el: DicomElement): DicomElement {
  const parts = stringValue(el.value).split('\\');
  const out = parts.map((p) => (p.trim() === '' ? '' : remapUid(ctx.key.uid, p.trim())));
  ctx.counts.uidsRemapped += parts.length;
  return withValue(el, textBytes(out.join('\\')));
}

function dummy(ctx: EngineContext, el: DicomElement): DicomElement {
  if (el.vr === 'UI') return remapUids(ctx, el);
  ctx.counts.dummied++;
  return withValue(el, dummyValue(el.vr));
}

function empty(ctx: EngineContext, el: DicomElement): DicomElement {
  ctx.counts.emptied++;
  return el.items ? { tag: el.tag, vr: el.vr, items: [] } : withValue(el, new Uint8Array(0));
}

function clean(ctx: EngineContext, el: DicomElement): DicomElement {
  if (el.vr === 'DA' || el.vr === 'DT') {
    if (ctx.options.retainLongitudinal !== 'modified') return dummy(ctx, el);
    const v = stringValue(el.value);
    if (v === '') return el;
    const shifted = el.vr === 'DA' ? shiftDate(v, ctx.dayOffset) : shiftDateTime(v, ctx.dayOffset);
    if (shifted === null) return empty(ctx, el);
    ctx.counts.datesShifted++;
    return withValue(el, textBytes(shifted));
  }
  if (el.vr === 'TM') {
    ctx.counts.kept++;
    return el; // times are kept unchanged: only the day is shifted
  }
  if (el.vr === 'PN' || el.vr === 'UN') return dummy(ctx, el); // UN: unknown content cannot be cleaned
  if (el.vr === 'UI') return remapUids(ctx, el);
  if (TEXT_VRS.has(el.vr) || el.vr === 'CS' || el.vr === 'AE') {
    ctx.counts.cleaned++;
    const s = scrubText(stringValue(el.value), ctx.identifiers);
    return withValue(el, textBytes(el.vr === 'AE' || el.vr === 'CS' ? s.slice(0, 16) : s));
  }
  // Numbers and binary data (overlay bitmaps under Clean Graphics, safe private values) carry no text.
  ctx.counts.kept++;
  return el;
}

function applyAction(
  ctx: EngineContext,
  el: DicomElement,
  action: SimpleAction,
  inContent: boolean,
  depth = 0,
): DicomElement | null {
  if (action === 'X') {
    ctx.counts.removed++;
    return null;
  }
  if (action === 'Z') return empty(ctx, el);
  if (el.items) {
    // D, K, C and U on a sequence: keep the sequence and process every attribute inside it by the profile.
    const content = inContent || STRUCTURED_CONTENT.has(el.tag);
    return {
      tag: el.tag,
      vr: el.vr,
      items: el.items.map((item) => processDataset(ctx, item, content, depth + 1)),
    };
  }
  switch (action) {
    case 'D':
      return dummy(ctx, el);
    case 'C':
      return clean(ctx, el);
    case 'U':
      return el.vr === 'UI' || el.vr === 'UN' ? remapUids(ctx, el) : dummy(ctx, el);
    default:
      ctx.counts.kept++;
      return el;
  }
}

function privateCreators(ds: DicomDataset): Map<number, string> {
  const m = new Map<number, string>();
  for (const el of ds) {
    const group = el.tag >>> 16;
    const element = el.tag & 0xffff;
    if ((group & 1) === 1 && element >= 0x10 && element <= 0xff)
      m.set((group << 8) | element, stringValue(el.value));
  }
  return m;
}

function processPrivate(
  ctx: EngineContext,
  ds: DicomDataset,
  out: (DicomElement | null)[],
  depth: number,
): void {
  const creators = privateCreators(ds);
  const usedBlocks = new Set<number>();
  const creatorSlots: number[] = [];
  for (const el of ds) {
    const group = el.tag >>> 16;
    if ((group & 1) === 0) continue;
    const element = el.tag & 0xffff;
    if (element >= 0x10 && element <= 0xff) {
      creatorSlots.push(out.length);
      out.push(el);
      continue;
    }
    const block = (group << 8) | (element >>> 8);
    const creator = creators.get(block);
    const safe =
      ctx.table.privateAction !== 'X' &&
      creator !== undefined &&
      element >= 0x1000 &&
      ctx.safePrivate.has(safePrivateKey(creator, group, element & 0xff));
    if (!safe) {
      ctx.counts.privateRemoved++;
      out.push(null);
      continue;
    }
    usedBlocks.add(block);
    out.push(el.items ? applyAction(ctx, el, 'K', false, depth) : el);
    ctx.counts.kept++;
  }
  // A private creator is kept only if a retained element of its block needs it.
  for (const slot of creatorSlots) {
    const el = out[slot];
    if (!el) continue;
    const block = ((el.tag >>> 16) << 8) | (el.tag & 0xff);
    if (!usedBlocks.has(block)) {
      out[slot] = null;
      ctx.counts.privateRemoved++;
    }
  }
}

/**
 * (0002,xxxx) inside a sequence item (not in Table E.1-1): instance UIDs are remapped like SOP Instance UID,
 * AE titles (0002,0016-0018) are device identity, class and transfer syntax UIDs and the rest are kept.
 */
function nestedMetaAction(ctx: EngineContext, tag: number): SimpleAction {
  if (tag === 0x00020003) return ctx.options.retainUids ? 'K' : 'U';
  if (tag === 0x00020016 || tag === 0x00020017 || tag === 0x00020018)
    return ctx.options.retainDeviceIdentity ? 'K' : 'X';
  if (tag === 0x00020100 || tag === 0x00020102) return 'X'; // private information creator / data
  return 'K';
}

/**
 * Applies the compiled profile to one dataset (recursively into sequences). `inContent` is true inside SR
 * content items, where free-text TEXT values are dummied (basic) or scrubbed (Clean Structured Content).
 */
export function processDataset(
  ctx: EngineContext,
  ds: DicomDataset,
  inContent = false,
  depth = 0,
): DicomElement[] {
  const out: (DicomElement | null)[] = [];
  let hasPrivate = false;
  for (const el of ds) {
    const group = el.tag >>> 16;
    if ((group & 1) === 1) {
      hasPrivate = true;
      continue;
    }
    // group lengths (recomputed nowhere: the writer uses undefined lengths), and File Meta elements at the
    // top level (the meta is written anew); (0002,xxxx) inside a sequence item is content, and goes through
    // the profile (UIDs remapped, the rest kept)
    if ((el.tag & 0xffff) === 0 || (group === 0x0002 && depth === 0)) {
      ctx.counts.removed++;
      continue;
    }
    if (el.tag === PATIENT_NAME || el.tag === PATIENT_ID) {
      ctx.counts.dummied++;
      out.push(withValue(el, textBytes(ctx.pseudonym)));
      continue;
    }
    let action = group === 0x0002 ? nestedMetaAction(ctx, el.tag) : publicAction(ctx.table, el.tag);
    if (inContent && el.tag === TEXT_VALUE) action = ctx.options.cleanStructuredContent ? 'C' : 'D';
    out.push(applyAction(ctx, el, action, inContent, depth));
  }
  if (hasPrivate) {
    const priv: (DicomElement | null)[] = [];
    processPrivate(ctx, ds, priv, depth);
    const kept = priv.filter((e): e is DicomElement => e !== null);
    if (kept.length > 0)
      return [...out.filter((e): e is DicomElement => e !== null), ...kept].sort((a, b) => a.tag - b.tag);
  }
  return out.filter((e): e is DicomElement => e !== null);
}
