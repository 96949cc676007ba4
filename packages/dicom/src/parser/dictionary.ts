import { DICTIONARY_TEXT } from './dictionary.generated.js';

/** One data dictionary entry. */
export interface DictionaryEntry {
  readonly vr: string;
  readonly keyword: string;
}

/** Tag -> entry lookup built from the generated table; built once per call of `loadDictionary`. */
export type Dictionary = ReadonlyMap<number, DictionaryEntry>;

/** Parses the packed generated dictionary into a Map keyed by tag number. */
export function loadDictionary(): Dictionary {
  const map = new Map<number, DictionaryEntry>();
  for (const line of DICTIONARY_TEXT.split('\n')) {
    const tag = Number.parseInt(line.slice(0, 8), 16);
    map.set(tag, { vr: line.slice(8, 10), keyword: line.slice(10) });
  }
  return map;
}

/**
 * VR of a tag for implicit-VR parsing: the dictionary's, with the repeating groups 50xx/60xx folded onto
 * 5000/6000, UL for group lengths, LO for private creators, and UN otherwise.
 */
export function implicitVr(dict: Dictionary, tag: number): string {
  const e = dict.get(tag);
  if (e) return e.vr;
  const group = tag >>> 16;
  const element = tag & 0xffff;
  if (element === 0) return 'UL';
  if ((group & 1) === 1 && element >= 0x10 && element <= 0xff) return 'LO';
  if ((group & 0xff00) === 0x5000 || (group & 0xff00) === 0x6000) {
    const folded = dict.get((((group & 0xff00) << 16) | element) >>> 0);
    if (folded) return folded.vr;
  }
  return 'UN';
}

let shared: Dictionary | undefined;

/** One dictionary per process (or worker), parsed on first use. */
export function sharedDictionary(): Dictionary {
  if (!shared) shared = loadDictionary();
  return shared;
}
