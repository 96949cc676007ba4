import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writevSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEID_ERROR_CODES, DeidError } from './errors.js';

/**
 * How a de-identified file reached the output tree:
 * - `written`: at its own path;
 * - `renamed`: another, different file already had that path (same SOP Instance UID in two transfer
 *   syntaxes, two objects sharing a UID), so this one was written beside it with a `-N` suffix;
 * - `duplicate`: a file with the same bytes was already there; nothing new was written.
 */
export type TreeWrite = 'written' | 'renamed' | 'duplicate';

/** Most suffixed names tried for one path before giving up (a folder with that many clashes is broken). */
const MAX_SUFFIX = 10_000;

/**
 * The n-th name tried for `path`: `x.dcm`, `x-2.dcm`, ...; in a File-set, where a name is at most 8
 * characters without an extension, the suffix replaces the name's last characters: `ABCDEFGH`, `ABCDEF_2`.
 */
function suffixed(path: string, n: number): string {
  if (n === 1) return path;
  if (path.endsWith('.dcm')) return `${path.slice(0, -4)}-${n}.dcm`;
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const name = path.slice(slash + 1);
  const tail = `_${n}`;
  return path.slice(0, slash + 1) + name.slice(0, Math.max(0, 8 - tail.length)) + tail;
}

/** Writes all `parts` to `fd` (vectored; loops over short writes). */
function writeAll(fd: number, parts: readonly Uint8Array[]): void {
  let rest = parts.filter((p) => p.length > 0);
  while (rest.length > 0) {
    let n = writevSync(fd, rest.slice(0, 1024));
    const next: Uint8Array[] = [];
    for (const p of rest) {
      if (n >= p.length) n -= p.length;
      else {
        next.push(n > 0 ? p.subarray(n) : p);
        n = 0;
      }
    }
    rest = next;
  }
}

/** Creates `path` only if it does not exist (O_EXCL) and writes `parts`; false when it exists. */
function createExclusive(path: string, parts: readonly Uint8Array[]): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeAll(fd, parts);
  } catch (err) {
    closeSync(fd);
    rmSync(path, { force: true }); // never leave a partial file under a final name
    throw err;
  }
  closeSync(fd);
  return true;
}

function equalsParts(existing: Buffer, parts: readonly Uint8Array[]): boolean {
  let at = 0;
  for (const p of parts) {
    if (at + p.length > existing.length) return false;
    if (!existing.subarray(at, at + p.length).equals(p)) return false;
    at += p.length;
  }
  return at === existing.length;
}

/**
 * Writes `data` (one buffer, or parts written with one vectored write) under `outDir` at `rel`, never
 * overwriting: the file is created exclusively (O_CREAT | O_EXCL), so two writers, threads or processes,
 * can never replace each other's output. When the name is taken by identical bytes the write is a
 * `duplicate`; by different bytes, the next free `-N` name is used. A failed write removes its partial
 * file. Returns the relative path the bytes are at and what happened.
 */
export function writeTreeFileSync(
  outDir: string,
  rel: string,
  data: Uint8Array | readonly Uint8Array[],
  madeDirs?: Set<string>,
): { readonly path: string; readonly write: TreeWrite } {
  const parts: readonly Uint8Array[] = data instanceof Uint8Array ? [data] : data;
  const full = join(outDir, rel);
  const dir = dirname(full);
  if (!madeDirs?.has(dir)) {
    mkdirSync(dir, { recursive: true });
    madeDirs?.add(dir);
  }
  let vanished = 0;
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const candidate = suffixed(full, n);
    if (createExclusive(candidate, parts))
      return { path: suffixed(rel, n), write: n === 1 ? 'written' : 'renamed' };
    let existing: Buffer;
    try {
      existing = readFileSync(candidate);
    } catch (err) {
      // removed between our create and our read: try the same name again
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && vanished++ < 3) {
        n--;
        continue;
      }
      throw err;
    }
    if (equalsParts(existing, parts)) return { path: suffixed(rel, n), write: 'duplicate' };
  }
  throw new DeidError(DEID_ERROR_CODES.io, `more than ${MAX_SUFFIX} different files map to ${rel}`);
}
