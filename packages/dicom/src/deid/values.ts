import { BINARY_VR_SIZE } from '../parser/vr.js';

/** Dummy value text per string VR (action D): valid for the VR, no identifying content. */
const DUMMY_TEXT: Readonly<Record<string, string>> = {
  AE: 'ANONYMOUS',
  AS: '000Y',
  CS: 'ANONYMIZED',
  DA: '19000101',
  DS: '0',
  DT: '19000101000000',
  IS: '0',
  LO: 'ANONYMIZED',
  LT: 'ANONYMIZED',
  PN: 'ANONYMIZED',
  SH: 'ANONYMIZED',
  ST: 'ANONYMIZED',
  TM: '000000',
  UC: 'ANONYMIZED',
  UR: 'http://example.invalid/',
  UT: 'ANONYMIZED',
};

/** Encodes text as a DICOM string value (latin1 bytes; the writer pads to even length). */
export function textBytes(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

/** A dummy value valid for `vr` (binary VRs: one zero value). UI is handled by the caller (remapped). */
export function dummyValue(vr: string): Uint8Array {
  const t = DUMMY_TEXT[vr];
  if (t !== undefined) return textBytes(t);
  return new Uint8Array(BINARY_VR_SIZE[vr] === 1 ? 2 : (BINARY_VR_SIZE[vr] ?? 2));
}

/**
 * Clean (action C) of free text: drops every token that is one of the `identifiers` (case-insensitive), that
 * holds 4 or more consecutive digits (IDs, dates, phone numbers) or an "@" (e-mail). Tokens are split on
 * spaces and the DICOM separators ^ = \ ; , so the rest of the description keeps its meaning.
 */
export function scrubText(value: string, identifiers: ReadonlySet<string>): string {
  const kept: string[] = [];
  for (const token of value.split(/[\s^=\\;,]+/)) {
    if (token === '') continue;
    const bare = token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '').toUpperCase();
    if (identifiers.has(bare)) continue;
    if (/\d{4}/.test(token) || token.includes('@')) continue;
    kept.push(token);
  }
  return kept.join(' ');
}

/** Identifier tokens (upper case, >= 2 characters) from person names and IDs, for `scrubText`. */
export function identifierTokens(values: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const v of values) {
    for (const t of v.split(/[\s^=\\;,.-]+/)) {
      const u = t.toUpperCase();
      if (u.length >= 2) out.add(u);
    }
  }
  return out;
}
