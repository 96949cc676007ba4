import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
// The engine (parser, writer, tables) loads on first use in this thread: with a pool it runs in the
// workers only, and the main thread of `fedhub dicom deidentify` never loads it.
import type { Deidentifier, DeidResult, DeidSummary, ReidPair } from './deidentify-buffer.js';
import { DEID_ERROR_CODES } from './errors.js';
import { DICOMDIR_NAME, fileSetOutputPath, isDicomdirName } from './fileset-path.js';
import type { DeidOptions } from './options.js';
import type { DeidPool } from './pool.js';
import { ScratchReader } from './scratch-read.js';
import { type TreeWrite, writeTreeFileSync } from './tree-output.js';

/** Options and project key (>= 32 bytes), or a prepared `Deidentifier`. */
export type DeidSetup = { readonly options: DeidOptions; readonly projectKey: Uint8Array } | Deidentifier;

async function prepare(s: DeidSetup): Promise<Deidentifier> {
  if ('table' in s) return s;
  const { createDeidentifier } = await import('./deidentify-buffer.js');
  return createDeidentifier(s.options, s.projectKey);
}

/** Largest input file read into memory, in bytes (bigger files are rejected). */
export const MAX_INPUT_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/**
 * Writes `data` to `path` atomically: a temporary file in the same folder, then rename, so a reader never
 * sees a half-written file and a failure leaves nothing behind.
 */
export async function writeAtomic(path: string, data: Uint8Array, madeDirs?: Set<string>): Promise<void> {
  const dir = dirname(path);
  if (!madeDirs?.has(dir)) {
    await mkdir(dir, { recursive: true });
    madeDirs?.add(dir);
  }
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** {@link writeAtomic}, synchronously; `madeDirs` caches the folders already created. */
export function writeAtomicSync(path: string, data: Uint8Array, madeDirs?: Set<string>): void {
  const dir = dirname(path);
  if (!madeDirs?.has(dir)) {
    mkdirSync(dir, { recursive: true });
    madeDirs?.add(dir);
  }
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** De-identifies `inPath` into `outPath` (written only when status is 'ok'). */
export async function deidentifyFile(inPath: string, outPath: string, setup: DeidSetup): Promise<DeidResult> {
  const d = await prepare(setup);
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
        reason: `the input is ${s.size} bytes, more than ${MAX_INPUT_BYTES}`,
        summary: empty,
      };
    }
    buf = await readFile(inPath);
  } catch (err) {
    return {
      status: 'rejected',
      code: DEID_ERROR_CODES.io,
      reason: `cannot read the input: ${ioReason(err)}`,
      summary: empty,
    };
  }
  const { deidentifyWith } = await import('./deidentify-buffer.js');
  const r = deidentifyWith(d, buf);
  if (r.status === 'ok') {
    try {
      await writeAtomic(outPath, r.output);
    } catch (err) {
      return {
        status: 'rejected',
        code: DEID_ERROR_CODES.io,
        reason: `cannot write the output: ${ioReason(err)}`,
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
  /** Why the engine refused it (never a patient value: tags, offsets, codes, SOP classes). */
  readonly reason?: string;
  /** Output path relative to the output folder, when written (or, for a duplicate, the identical file). */
  readonly output?: string;
  /**
   * For status 'ok': written at its own path, renamed beside a different file, or a duplicate; `directory`
   * for an input DICOMDIR, replaced by the DICOMDIR rebuilt from the de-identified files (`output`).
   */
  readonly write?: TreeWrite | 'directory';
}

/**
 * Totals of a `deidentifyTree` run, and the re-identification pairs it produced. Every input file is counted
 * once: `ok + duplicates + quarantined + rejected` is the number of files, and `ok` is the number of files
 * written (`renamed` of them under a `-N` name because a different file had their path).
 */
export interface TreeResult {
  readonly ok: number;
  readonly renamed: number;
  readonly duplicates: number;
  readonly quarantined: number;
  readonly rejected: number;
  readonly reid: ReadonlyMap<string, string>;
  /**
   * When the input held a DICOMDIR: the output is a File-set and its DICOMDIR was rebuilt from the
   * de-identified files. `inputs` is the number of input DICOMDIR files (each counted here, not in `ok`;
   * never copied), `files` and `records` what the new DICOMDIR holds, `unreferenced` the files in the
   * output folder it does not reference (not DICOM, or a second file of an instance it already references).
   */
  readonly dicomdir?: {
    readonly inputs: number;
    readonly files: number;
    readonly records: number;
    readonly unreferenced: number;
  };
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

/** Total size of `files` in bytes (a file that vanished counts 0: its read will be the error). */
function totalBytes(files: readonly string[]): number {
  let n = 0;
  for (const f of files) n += statSync(f, { throwIfNoEntry: false })?.size ?? 0;
  return n;
}

function safeName(uid: string | undefined): string {
  return uid && /^[0-9.]+$/.test(uid) ? uid : 'unknown';
}

/**
 * How an output folder is laid out: `tree` is `<pseudonym>/<study UID>/<series UID>/<SOP instance UID>.dcm`;
 * `fileset` is a DICOM File-set (8-character components, see {@link fileSetOutputPath}) with a DICOMDIR.
 */
export type TreeLayout = 'tree' | 'fileset';

/**
 * Where a de-identified file goes in an output tree: `<pseudonym>/<study UID>/<series UID>/<SOP instance
 * UID>.dcm` (or, in a File-set, 8-character components derived from them), all de-identified values (input
 * names may hold names or IDs and are never reused).
 */
export function treeOutputPath(
  r: { readonly reid: ReidPair; readonly summary: DeidSummary },
  layout: TreeLayout = 'tree',
): string {
  const u = r.summary.outputUids;
  if (layout === 'fileset') return fileSetOutputPath(r.reid.pseudonym, u);
  return join(r.reid.pseudonym, safeName(u?.study), safeName(u?.series), `${safeName(u?.sopInstance)}.dcm`);
}

/** How `deidentifyTree` runs: in this thread (default) or in a worker pool with memory and time limits. */
export interface TreeOptions {
  /**
   * Worker pool to de-identify in (see {@link createDeidPool}): hostile files cannot take the process down,
   * and the pool's workers run in parallel. Reading and writing stay in this thread.
   */
  readonly pool?: DeidPool;
  /**
   * Creates the pool once the files are listed, for that many files of that many bytes in all (none for an
   * empty folder), and closes it at the end: a small folder does not start more workers than its work pays
   * for (see `poolSizeFor`). Ignored when `pool` is given.
   */
  readonly createPool?: (files: number, bytes: number) => DeidPool;
  /** Files in flight at once with a pool (default: 2 per worker, so a worker never waits on I/O). */
  readonly concurrency?: number;
  /**
   * Output layout. Default `auto`: a File-set with a rebuilt DICOMDIR when the input holds a file named
   * DICOMDIR (a CD/DVD export), else `tree`.
   */
  readonly layout?: TreeLayout | 'auto';
}

/**
 * A file-system error as a reason without the path (paths may hold patient names): the error code and the
 * call, e.g. "EACCES (open)"; other errors by their message.
 */
export function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === 'string') return e.syscall ? `${e.code} (${e.syscall})` : e.code;
  return err instanceof Error ? err.message : String(err);
}

/** A rejection for a file that could not be read or written. */
export function ioRejection(reason: string): DeidResult {
  return {
    status: 'rejected',
    code: DEID_ERROR_CODES.io,
    reason,
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
}

/**
 * De-identifies every file under `inDir` into `outDir`. Output paths never reuse input names (they may hold
 * names or IDs): `<pseudonym>/<study UID>/<series UID>/<SOP instance UID>.dcm`, all de-identified values.
 * With a pool, files are processed concurrently and progress arrives in completion order.
 */
export async function deidentifyTree(
  inDir: string,
  outDir: string,
  setup: DeidSetup,
  onProgress?: (p: TreeProgress) => void,
  opts: TreeOptions = {},
): Promise<TreeResult> {
  if ((opts.pool || opts.createPool) && 'table' in setup)
    throw new TypeError('deidentifyTree: a pool needs { options, projectKey }, not a prepared de-identifier');
  const listed = await listFiles(inDir);
  // an input DICOMDIR is not de-identified file by file: it names the input's paths and patients, and the
  // output's DICOMDIR is rebuilt from the de-identified files at the end
  // (with the `tree` layout asked for, a DICOMDIR is de-identified like any file: records and offsets)
  const found = listed.filter((p) => isDicomdirName(basename(p)));
  const layout: TreeLayout =
    opts.layout === 'tree' || opts.layout === 'fileset' ? opts.layout : found.length > 0 ? 'fileset' : 'tree';
  const dicomdirs = layout === 'fileset' ? found : [];
  const files = layout === 'fileset' ? listed.filter((p) => !isDicomdirName(basename(p))) : listed;
  const owned =
    !opts.pool && opts.createPool && files.length > 0
      ? opts.createPool(files.length, totalBytes(files))
      : undefined;
  const pool = opts.pool ?? owned;
  const d = pool ? null : await prepare(setup);
  const { deidentifyToParts } = pool ? { deidentifyToParts: null } : await import('./deidentify-buffer.js');
  let ok = 0;
  let renamed = 0;
  let duplicates = 0;
  let quarantined = 0;
  let rejected = 0;
  let done = 0;
  const reid = new Map<string, string>();
  const madeDirs = new Set<string>();
  // in this thread each file is read, de-identified and written before the next: one read buffer
  const scratch = new ScratchReader();
  const one = async (path: string): Promise<void> => {
    let r: DeidResult;
    let output: string | undefined;
    let write: TreeWrite | undefined;
    try {
      if (pool) {
        // the worker reads, de-identifies and writes the file itself
        const s = setup as { options: DeidOptions; projectKey: Uint8Array };
        const a = await pool.deidentifyFile(path, outDir, s.options, s.projectKey, layout);
        r = a.result;
        output = a.output;
        write = a.write;
      } else {
        // synchronous file I/O: 2-4x faster than fs/promises for many ~0.5 MB files here
        const p = deidentifyToParts!(d!, scratch.read(path));
        if (p.status === 'ok') {
          const w = writeTreeFileSync(outDir, treeOutputPath(p, layout), p.parts, madeDirs);
          output = w.path;
          write = w.write;
          const { parts: _, ...rest } = p;
          r = { ...rest, output: Buffer.alloc(0) };
        } else r = p;
      }
      if (r.status === 'ok') reid.set(r.reid.pseudonym, r.reid.patientId);
    } catch (err) {
      r = ioRejection(ioReason(err));
      output = undefined;
      write = undefined;
    }
    if (r.status === 'ok' && write === 'duplicate') duplicates++;
    else if (r.status === 'ok') {
      ok++;
      if (write === 'renamed') renamed++;
    } else if (r.status === 'quarantined') quarantined++;
    else rejected++;
    done++;
    onProgress?.({
      done,
      total: listed.length,
      file: relative(inDir, path),
      status: r.status,
      ...(r.status !== 'ok' ? { code: r.code, reason: r.reason } : {}),
      ...(output ? { output } : {}),
      ...(write ? { write } : {}),
    });
  };
  const width = pool ? Math.max(1, opts.concurrency ?? 4) : 1;
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(width, files.length) }, async () => {
        while (next < files.length) await one(files[next++]!);
      }),
    );
  } finally {
    await owned?.close();
  }
  let dicomdir: TreeResult['dicomdir'];
  if (layout === 'fileset') {
    const { buildDicomdir } = await import('./fileset.js');
    let built: ReturnType<typeof buildDicomdir> | undefined;
    let failure: string | undefined;
    try {
      mkdirSync(outDir, { recursive: true });
      built = buildDicomdir(outDir);
      writeAtomicSync(join(outDir, DICOMDIR_NAME), built.bytes);
    } catch (err) {
      failure = `cannot write the rebuilt DICOMDIR: ${ioReason(err)}`;
    }
    if (built && !failure)
      dicomdir = {
        inputs: dicomdirs.length,
        files: built.files,
        records: built.records,
        unreferenced: built.skipped.length,
      };
    for (const path of dicomdirs) {
      done++;
      if (failure) rejected++;
      onProgress?.({
        done,
        total: listed.length,
        file: relative(inDir, path),
        ...(failure
          ? { status: 'rejected' as const, code: DEID_ERROR_CODES.io, reason: failure }
          : { status: 'ok' as const, output: DICOMDIR_NAME, write: 'directory' as const }),
      });
    }
  }
  return { ok, renamed, duplicates, quarantined, rejected, reid, ...(dicomdir ? { dicomdir } : {}) };
}
