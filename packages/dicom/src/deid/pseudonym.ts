import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (A-Z, 2-7) without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/**
 * Results of the keyed functions below, per key: a series repeats its study, series and frame of reference
 * UIDs and its patient in every file, so most HMACs of a folder run are repeats. Bounded: cleared when full.
 */
const memo = new WeakMap<Uint8Array, Map<string, string | number>>();
const MEMO_SIZE = 4096;

function memoised<T extends string | number>(key: Uint8Array, input: string, f: () => T): T {
  let m = memo.get(key);
  if (!m) {
    m = new Map();
    memo.set(key, m);
  }
  const hit = m.get(input);
  if (hit !== undefined) return hit as T;
  const v = f();
  if (m.size >= MEMO_SIZE) m.clear();
  m.set(input, v);
  return v;
}

/** Key objects per raw key: createHmac with raw bytes imports the key again on every call. */
const keyObjects = new WeakMap<Uint8Array, KeyObject>();

function hmac(key: Uint8Array, text: string): Buffer {
  let k = keyObjects.get(key);
  if (!k) {
    k = createSecretKey(key);
    keyObjects.set(key, k);
  }
  return createHmac('sha256', k).update(text, 'latin1').digest();
}

/** Patient pseudonym: "FH-" + the first 16 base32 characters (80 bits) of HMAC-SHA256(key, patient ID). */
export function patientPseudonym(patientKey: Uint8Array, patientId: string): string {
  return memoised(patientKey, `p:${patientId}`, () => {
    const mac = hmac(patientKey, patientId);
    return `FH-${base32(mac).slice(0, 16)}`;
  });
}

/**
 * Remapped UID: "2.25." + decimal of the first 128 bits of HMAC-SHA256(key, uid). At most 44 characters, so
 * always a valid UID; the same input UID gives the same output under the same key.
 */
export function remapUid(uidKey: Uint8Array, uid: string): string {
  return memoised(uidKey, `u:${uid}`, () => {
    const mac = hmac(uidKey, uid);
    return `2.25.${((mac.readBigUInt64BE(0) << 64n) | mac.readBigUInt64BE(8)).toString(10)}`;
  });
}

/** Per-patient date offset in days, in -3650..-1, from HMAC-SHA256(key, patient ID). */
export function dateOffsetDays(dateKey: Uint8Array, patientId: string): number {
  return memoised(dateKey, `d:${patientId}`, () => {
    const mac = hmac(dateKey, patientId);
    return -1 - (mac.readUInt32BE(0) % 3650);
  });
}

const DAY_MS = 86_400_000;

function shiftYmd(ymd: string, days: number): string | null {
  if (!/^\d{8}$/.test(ymd)) return null;
  const y = Number(ymd.slice(0, 4));
  const m = Number(ymd.slice(4, 6));
  const d = Number(ymd.slice(6, 8));
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return null;
  const s = new Date(t + days * DAY_MS);
  const yy = s.getUTCFullYear();
  if (yy < 1 || yy > 9999) return null;
  return `${String(yy).padStart(4, '0')}${String(s.getUTCMonth() + 1).padStart(2, '0')}${String(s.getUTCDate()).padStart(2, '0')}`;
}

/**
 * Shifts a DA value (possibly multi-valued with "\" or a range "A-B"; legacy "YYYY.MM.DD" accepted) by
 * `days`. Returns null when any part is not a valid date (the caller then empties the attribute).
 */
export function shiftDate(value: string, days: number): string | null {
  const out: string[] = [];
  for (const v of value.split('\\')) {
    const parts = v.split('-').map((p) => p.trim().replace(/\./g, ''));
    const shifted: string[] = [];
    for (const p of parts) {
      if (p === '' && parts.length === 2) {
        shifted.push('');
        continue;
      }
      const s = shiftYmd(p, days);
      if (s === null) return null;
      shifted.push(s);
    }
    out.push(shifted.join('-'));
  }
  return out.join('\\');
}

/**
 * Shifts the date part of a DT value ("YYYY[MM[DD[HHMMSS[.F]]]][&ZZXX]") by `days`, keeping time and offset.
 * Year-only and year-month values are shifted as the 1st of the month and truncated again.
 */
export function shiftDateTime(value: string, days: number): string | null {
  const out: string[] = [];
  for (const v of value.split('\\')) {
    // Stored DT values are never ranges (ranges occur only in queries); a "-" is a UTC offset sign.
    const m = /^(\d{4})(\d{2})?(\d{2})?(.*)$/.exec(v.trim());
    if (!m) return null;
    const [, y, mo, d, rest] = m;
    const s = shiftYmd(`${y}${mo ?? '01'}${d ?? '01'}`, days);
    if (s === null) return null;
    const len = 4 + (mo ? 2 : 0) + (d ? 2 : 0);
    out.push(s.slice(0, len) + (rest ?? ''));
  }
  return out.join('\\');
}
