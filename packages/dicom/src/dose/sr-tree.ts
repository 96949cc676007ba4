import type { ConceptKey } from './codes.js';
import { codeMatches } from './codes.js';
import { seq, toNumber } from './read-dicom.js';
import type { CodedConcept } from './types.js';

/** One SR content item (naturalized) with the path that locates it in the tree. */
export interface SrNode {
  item: Record<string, unknown>;
  /** Path of content-item positions and concept codes, e.g. `/5(DCM:113819)/8(DCM:113829)/1(DCM:113830)`. */
  path: string;
  concept: CodedConcept | null;
  /** Content items below this one, in document order. */
  kids: readonly SrNode[];
}

/** First code of a code sequence attribute, or null when absent/empty (items with no CodeValue count as empty). */
export function firstCode(item: Record<string, unknown>, key: string): CodedConcept | null {
  const c = seq(item, key)[0];
  if (!c) return null;
  const scheme = typeof c.CodingSchemeDesignator === 'string' ? c.CodingSchemeDesignator.trim() : '';
  const value =
    typeof c.CodeValue === 'string'
      ? c.CodeValue.trim()
      : typeof c.LongCodeValue === 'string'
        ? c.LongCodeValue.trim()
        : typeof c.URNCodeValue === 'string'
          ? c.URNCodeValue.trim()
          : '';
  const meaning = typeof c.CodeMeaning === 'string' ? c.CodeMeaning.trim() : '';
  if (scheme === '' && value === '' && meaning === '') return null;
  return { scheme, value, meaning };
}

/** Children of an SR node (built once by {@link rootNode}). */
export function children(node: SrNode): readonly SrNode[] {
  return node.kids;
}

/** Build the node of `item` and, recursively, of its content items, in one pass. */
function build(item: Record<string, unknown>, path: string, concept: CodedConcept | null): SrNode {
  const kids = seq(item, 'ContentSequence').map((c, i) => {
    const cc = firstCode(c, 'ConceptNameCodeSequence');
    return build(c, `${path}/${i + 1}(${cc ? `${cc.scheme}:${cc.value}` : '?'})`, cc);
  });
  return { item, path, concept, kids };
}

/** The root node of an SR document (the dataset itself), with its whole content tree built once. */
export function rootNode(ds: Record<string, unknown>): SrNode {
  return build(ds, '', firstCode(ds, 'ConceptNameCodeSequence'));
}

/** All descendants (depth first, document order) whose concept name matches `keys`. */
export function findAll(node: SrNode, keys: readonly ConceptKey[]): SrNode[] {
  const out: SrNode[] = [];
  const walk = (n: SrNode): void => {
    for (const c of children(n)) {
      if (codeMatches(c.concept, keys)) out.push(c);
      walk(c);
    }
  };
  walk(node);
  return out;
}

/** First direct child whose concept name matches `keys`. */
export function child(node: SrNode, keys: readonly ConceptKey[]): SrNode | null {
  return children(node).find((c) => codeMatches(c.concept, keys)) ?? null;
}

/** A NUM item's value and unit code value; `malformed` is true when the number could not be parsed. */
export interface SrNumeric {
  value: number | null;
  unit: string | null;
  malformed: boolean;
}

/** Read a NUM content item's Measured Value Sequence. */
export function numericOf(node: SrNode): SrNumeric {
  const mv = seq(node.item, 'MeasuredValueSequence')[0];
  if (!mv) return { value: null, unit: null, malformed: false };
  const raw = mv.NumericValue;
  const value = toNumber(raw);
  const unit = firstCode(mv, 'MeasurementUnitsCodeSequence')?.value ?? null;
  const present =
    raw !== undefined && raw !== null && raw !== '' && !(Array.isArray(raw) && raw.length === 0);
  return { value, unit, malformed: present && value === null };
}

/** A TEXT / UIDREF / DATETIME item's value as a trimmed string, null when empty. */
export function textOf(node: SrNode): string | null {
  for (const k of ['TextValue', 'UID', 'DateTime', 'Date', 'Time']) {
    const v = node.item[k];
    const s = Array.isArray(v) ? v[0] : v;
    if (typeof s === 'string' && s.trim() !== '') return s.trim();
  }
  return null;
}

/** A CODE item's value, null when the Concept Code Sequence is missing or empty. */
export function codeOf(node: SrNode): CodedConcept | null {
  return firstCode(node.item, 'ConceptCodeSequence');
}
