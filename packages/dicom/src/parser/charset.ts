/**
 * Specific Character Set (0008,0005) with ISO 2022 code extensions (PS3.5 6.1.2.5, Annexes H, I, J):
 * Japanese (ISO 2022 IR 13 / 87 / 159), Korean (IR 149), Chinese (IR 58) and the ISO 8859 parts as G1,
 * switched by escape sequences inside a value. Decoded with TextDecoder (Node's full ICU: euc-jp, euc-kr,
 * gbk, iso-8859-x); the de-identifier and the dose extractor re-encode such datasets as UTF-8 (ISO_IR 192).
 */
import { TextDecoder } from 'node:util';
import type { DicomDataset, DicomElement } from './types.js';

type G0 = 'ascii' | 'romaji' | 'jisx0208' | 'jisx0212';
type G1 =
  | 'none'
  | 'katakana'
  | 'ksx1001'
  | 'gb2312'
  | 'iso-8859-1'
  | 'iso-8859-2'
  | 'iso-8859-3'
  | 'iso-8859-4'
  | 'iso-8859-5'
  | 'iso-8859-6'
  | 'iso-8859-7'
  | 'iso-8859-8'
  | 'windows-1254'
  | 'windows-874';

interface State {
  g0: G0;
  g1: G1;
}

/** G1 sets by the last byte of "ESC - F" (96-character sets). */
const G1_96: Readonly<Record<string, G1>> = {
  A: 'iso-8859-1',
  B: 'iso-8859-2',
  C: 'iso-8859-3',
  D: 'iso-8859-4',
  L: 'iso-8859-5',
  G: 'iso-8859-6',
  F: 'iso-8859-7',
  H: 'iso-8859-8',
  M: 'windows-1254',
  T: 'windows-874',
};

/** Escape sequences (the bytes after ESC) and the designation each makes. */
const ESCAPES: ReadonlyArray<readonly [string, (st: State) => void]> = [
  [
    '(B',
    (st) => {
      st.g0 = 'ascii';
    },
  ],
  [
    '(J',
    (st) => {
      st.g0 = 'romaji';
    },
  ],
  [
    ')I',
    (st) => {
      st.g1 = 'katakana';
    },
  ],
  [
    '$B',
    (st) => {
      st.g0 = 'jisx0208';
    },
  ],
  [
    '$(D',
    (st) => {
      st.g0 = 'jisx0212';
    },
  ],
  [
    '$)C',
    (st) => {
      st.g1 = 'ksx1001';
    },
  ],
  [
    '$)A',
    (st) => {
      st.g1 = 'gb2312';
    },
  ],
  ...Object.entries(G1_96).map(
    ([f, g1]) =>
      [
        `-${f}`,
        (st: State) => {
          st.g1 = g1;
        },
      ] as const,
  ),
];

/** Initial G0/G1 of the first value of Specific Character Set (the default repertoire and its G1). */
const INITIAL: Readonly<Record<string, State>> = {
  '': { g0: 'ascii', g1: 'none' },
  'ISO 2022 IR 6': { g0: 'ascii', g1: 'none' },
  'ISO 2022 IR 13': { g0: 'romaji', g1: 'katakana' },
  'ISO 2022 IR 100': { g0: 'ascii', g1: 'iso-8859-1' },
  'ISO 2022 IR 101': { g0: 'ascii', g1: 'iso-8859-2' },
  'ISO 2022 IR 109': { g0: 'ascii', g1: 'iso-8859-3' },
  'ISO 2022 IR 110': { g0: 'ascii', g1: 'iso-8859-4' },
  'ISO 2022 IR 144': { g0: 'ascii', g1: 'iso-8859-5' },
  'ISO 2022 IR 127': { g0: 'ascii', g1: 'iso-8859-6' },
  'ISO 2022 IR 126': { g0: 'ascii', g1: 'iso-8859-7' },
  'ISO 2022 IR 138': { g0: 'ascii', g1: 'iso-8859-8' },
  'ISO 2022 IR 148': { g0: 'ascii', g1: 'windows-1254' },
  'ISO 2022 IR 166': { g0: 'ascii', g1: 'windows-874' },
  // Korean and Chinese files often name their multi-byte set first: G1 is then designated from the start
  'ISO 2022 IR 149': { g0: 'ascii', g1: 'ksx1001' },
  'ISO 2022 IR 58': { g0: 'ascii', g1: 'gb2312' },
};

/** Specific Character Set values, as read (trimmed; the first may be empty). */
export function characterSets(ds: DicomDataset): string[] {
  const v = ds.find((e) => e.tag === 0x00080005)?.value;
  if (!v) return [];
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
    .toString('latin1')
    .split('\\')
    .map((s) => s.trim());
}

/** True when the character sets use ISO 2022 code extensions (escape sequences). */
export function usesIso2022(sets: readonly string[]): boolean {
  return sets.some((s) => s.startsWith('ISO 2022'));
}

const decoders = new Map<string, TextDecoder>();
function decoder(label: string): TextDecoder {
  let d = decoders.get(label);
  if (!d) {
    d = new TextDecoder(label);
    decoders.set(label, d);
  }
  return d;
}

/** Delimiters that return to the initial state (PS3.5 6.1.2.5.3): TAB LF FF CR, "\", and in PN "^" "=". */
function isDelimiter(b: number, pn: boolean): boolean {
  return (
    b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x5c || (pn && (b === 0x5e || b === 0x3d))
  );
}

/**
 * Decodes a text value under ISO 2022 code extensions. `sets` are the Specific Character Set values (the
 * first one gives the initial state); `pn` makes "^" and "=" delimiters too. Unknown escape sequences are
 * dropped with the state unchanged; bytes of a set that is not designated decode as U+FFFD.
 */
export function decodeIso2022(bytes: Uint8Array, sets: readonly string[], pn = false): string {
  const initial = INITIAL[sets[0] ?? ''] ?? INITIAL['']!;
  const st: State = { ...initial };
  let out = '';
  // bytes of one run in one decoder, flushed when the decoder changes
  let runLabel = '';
  let run: number[] = [];
  const flush = (): void => {
    if (run.length > 0) out += decoder(runLabel).decode(Uint8Array.from(run));
    run = [];
  };
  const emit = (label: string, ...b: number[]): void => {
    if (label !== runLabel) {
      flush();
      runLabel = label;
    }
    run.push(...b);
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x1b) {
      const seq = String.fromCharCode(...bytes.subarray(i + 1, i + 4));
      const hit = ESCAPES.find(([prefix]) => seq.startsWith(prefix));
      if (hit) {
        hit[1](st);
        i += hit[0].length;
      } else i += 1; // unknown: skip ESC and its intermediate byte
      continue;
    }
    if (b < 0x80) {
      if (st.g0 === 'jisx0208' || st.g0 === 'jisx0212') {
        const b2 = bytes[i + 1];
        if (b2 === undefined || b2 < 0x21 || b < 0x21) {
          emit('ascii-like', b);
          continue;
        }
        if (st.g0 === 'jisx0208') emit('euc-jp', b | 0x80, b2 | 0x80);
        else emit('euc-jp', 0x8f, b | 0x80, b2 | 0x80);
        i++;
        continue;
      }
      if (isDelimiter(b, pn)) Object.assign(st, initial);
      emit('ascii-like', b);
      continue;
    }
    switch (st.g1) {
      case 'katakana':
        flush();
        runLabel = '';
        out += b >= 0xa1 && b <= 0xdf ? String.fromCharCode(0xff61 + b - 0xa1) : '\ufffd';
        break;
      case 'ksx1001':
      case 'gb2312': {
        const b2 = bytes[i + 1];
        if (b2 === undefined || b2 < 0x80) {
          flush();
          runLabel = '';
          out += '\ufffd';
          break;
        }
        emit(st.g1 === 'ksx1001' ? 'euc-kr' : 'gbk', b, b2);
        i++;
        break;
      }
      case 'none':
        flush();
        runLabel = '';
        out += '\ufffd';
        break;
      default:
        emit(st.g1, b);
    }
  }
  flush();
  return out;
}

// 'ascii-like' runs: G0 ASCII and JIS X 0201 romaji differ only in two symbols we leave as ASCII
decoders.set('ascii-like', new TextDecoder('latin1'));

/** Text VRs whose values follow Specific Character Set (PS3.5 6.1.2.3). */
const CHARSET_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'UT', 'PN', 'UC']);

/**
 * The dataset with every value under ISO 2022 code extensions re-encoded as UTF-8 and Specific Character
 * Set set to ISO_IR 192, so that later steps (de-identification, dcmjs) read plain UTF-8. Datasets without
 * ISO 2022 come back unchanged (the same array).
 */
export function transcodeIso2022ToUtf8(ds: DicomDataset): DicomDataset {
  const sets = characterSets(ds);
  if (!usesIso2022(sets)) return ds;
  const walk = (items: DicomDataset): DicomElement[] =>
    items.map((el) => {
      if (el.tag === 0x00080005)
        return { tag: el.tag, vr: el.vr, value: Buffer.from('ISO_IR 192', 'latin1') };
      if (el.items) return { ...el, items: el.items.map(walk) };
      if (el.value && CHARSET_VRS.has(el.vr))
        return {
          tag: el.tag,
          vr: el.vr,
          value: Buffer.from(decodeIso2022(el.value, sets, el.vr === 'PN'), 'utf8'),
        };
      return el;
    });
  return walk(ds);
}
