import { randomBytes } from 'node:crypto';
import { constants, copyFileSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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

function suffixed(path: string, n: number): string {
  return n === 1 ? path : path.replace(/\.dcm$/, '') + `-${n}.dcm`;
}

/** Links `tmp` to `path` only when `path` does not exist (atomic and exclusive); false when it exists. */
function linkExclusive(tmp: string, path: string): boolean {
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
  }
  // file systems without hard links: an exclusive copy (COPYFILE_EXCL fails on an existing target)
  try {
    copyFileSync(tmp, path, constants.COPYFILE_EXCL);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Writes `data` under `outDir` at `rel` without ever overwriting: the bytes go to a temporary file first,
 * then are linked to the final name only if that name is free (so readers never see a half-written file
 * and two writers, threads or processes, can never replace each other's output). When the name is taken by
 * identical bytes the write is a `duplicate`; by different bytes, the next free `-N` name is used.
 * Returns the relative path the bytes are at and what happened.
 */
export function writeTreeFileSync(
  outDir: string,
  rel: string,
  data: Uint8Array,
  madeDirs?: Set<string>,
): { readonly path: string; readonly write: TreeWrite } {
  const full = join(outDir, rel);
  const dir = dirname(full);
  if (!madeDirs?.has(dir)) {
    mkdirSync(dir, { recursive: true });
    madeDirs?.add(dir);
  }
  const tmp = join(dir, `.${basename(full)}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(tmp, data, { flag: 'wx' });
  try {
    let vanished = 0;
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const candidate = suffixed(full, n);
      if (linkExclusive(tmp, candidate)) {
        return { path: suffixed(rel, n), write: n === 1 ? 'written' : 'renamed' };
      }
      let existing: Buffer | undefined;
      try {
        existing = readFileSync(candidate);
      } catch (err) {
        // removed between our link and our read: try the same name again
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && vanished++ < 3) {
          n--;
          continue;
        }
        throw err;
      }
      if (existing.equals(data)) return { path: suffixed(rel, n), write: 'duplicate' };
    }
    throw new DeidError(DEID_ERROR_CODES.io, `more than ${MAX_SUFFIX} different files map to ${rel}`);
  } finally {
    rmSync(tmp, { force: true });
  }
}
