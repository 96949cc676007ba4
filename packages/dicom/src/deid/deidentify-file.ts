import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import {
  createDeidentifier,
  type Deidentifier,
  type DeidResult,
  deidentifyWith,
} from './deidentify-buffer.js';
import { DEID_ERROR_CODES } from './errors.js';
import type { DeidOptions } from './options.js';

/** Options and project key (>= 32 bytes), or a prepared `Deidentifier`. */
export type DeidSetup = { readonly options: DeidOptions; readonly projectKey: Uint8Array } | Deidentifier;

function prepare(s: DeidSetup): Deidentifier {
  return 'table' in s ? s : createDeidentifier(s.options, s.projectKey);
}

/** Largest input file read into memory, in bytes (bigger files are rejected). */
export const MAX_INPUT_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/**
 * Writes `data` to `path` atomically: a temporary file in the same folder, then rename, so a reader never
 * sees a half-written file and a failure leaves nothing behind.
 */
export async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** De-identifies `inPath` into `outPath` (written only when status is 'ok'). */
export async function deidentifyFile(inPath: string, outPath: string, setup: DeidSetup): Promise<DeidResult> {
  const d = prepare(setup);
  const empty = {
    inputBytes: 0,
    outputBytes: 0,
    counts: {
      removed: 0,
      emptied: 0,
      dummied: 0,
      kept: 0,
      cleaned: 0,
      uidsRemapped: 0,
      datesShifted: 0,
      privateRemoved: 0,
    },
    methodCodes: [],
  };
  let buf: Buffer;
  try {
    const s = await stat(inPath);
    if (s.size > MAX_INPUT_BYTES) {
      return {
        status: 'rejected',
        code: DEID_ERROR_CODES.io,
        reason: `${inPath} is ${s.size} bytes, too large`,
        summary: empty,
      };
    }
    buf = await readFile(inPath);
  } catch (err) {
    return {
      status: 'rejected',
      code: DEID_ERROR_CODES.io,
      reason: `cannot read ${inPath}: ${(err as Error).message}`,
      summary: empty,
    };
  }
  const r = deidentifyWith(d, buf);
  if (r.status === 'ok') {
    try {
      await writeAtomic(outPath, r.output);
    } catch (err) {
      return {
        status: 'rejected',
        code: DEID_ERROR_CODES.io,
        reason: `cannot write ${outPath}: ${(err as Error).message}`,
        summary: r.summary,
      };
    }
  }
  return r;
}

/** Progress of `deidentifyTree`, reported after every file. */
export interface TreeProgress {
  readonly done: number;
  readonly total: number;
  /** Input path relative to the input folder. */
  readonly file: string;
  readonly status: DeidResult['status'];
  readonly code?: string;
  /** Output path relative to the output folder, when written. */
  readonly output?: string;
}

/** Totals of a `deidentifyTree` run, and the re-identification pairs it produced. */
export interface TreeResult {
  readonly ok: number;
  readonly quarantined: number;
  readonly rejected: number;
  readonly reid: ReadonlyMap<string, string>;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

function safeName(uid: string | undefined): string {
  return uid && /^[0-9.]+$/.test(uid) ? uid : 'unknown';
}

/**
 * De-identifies every file under `inDir` into `outDir`. Output paths never reuse input names (they may hold
 * names or IDs): `<pseudonym>/<study UID>/<series UID>/<SOP instance UID>.dcm`, all de-identified values.
 */
export async function deidentifyTree(
  inDir: string,
  outDir: string,
  setup: DeidSetup,
  onProgress?: (p: TreeProgress) => void,
): Promise<TreeResult> {
  const d = prepare(setup);
  const files = await listFiles(inDir);
  let ok = 0;
  let quarantined = 0;
  let rejected = 0;
  const reid = new Map<string, string>();
  for (const [i, path] of files.entries()) {
    let r: DeidResult;
    let output: string | undefined;
    try {
      const buf = await readFile(path);
      r = deidentifyWith(d, buf);
      if (r.status === 'ok') {
        const u = r.summary.outputUids;
        output = join(
          r.reid.pseudonym,
          safeName(u?.study),
          safeName(u?.series),
          `${safeName(u?.sopInstance)}.dcm`,
        );
        await writeAtomic(join(outDir, output), r.output);
        reid.set(r.reid.pseudonym, r.reid.patientId);
      }
    } catch (err) {
      r = {
        status: 'rejected',
        code: DEID_ERROR_CODES.io,
        reason: (err as Error).message,
        summary: {
          inputBytes: 0,
          outputBytes: 0,
          counts: {
            removed: 0,
            emptied: 0,
            dummied: 0,
            kept: 0,
            cleaned: 0,
            uidsRemapped: 0,
            datesShifted: 0,
            privateRemoved: 0,
          },
          methodCodes: [],
        },
      };
      output = undefined;
    }
    if (r.status === 'ok') ok++;
    else if (r.status === 'quarantined') quarantined++;
    else rejected++;
    onProgress?.({
      done: i + 1,
      total: files.length,
      file: relative(inDir, path),
      status: r.status,
      ...(r.status !== 'ok' ? { code: r.code } : {}),
      ...(output ? { output } : {}),
    });
  }
  return { ok, quarantined, rejected, reid };
}
