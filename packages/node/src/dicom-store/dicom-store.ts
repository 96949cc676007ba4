/**
 * The node's DICOM store: every incoming file (C-STORE, DICOMweb, folder) is de-identified in the worker
 * pool under the node's project key, then written content-addressed (`objects/ab/<sha256>.dcm`, temp file +
 * rename) and indexed in SQLite. Files the policy refuses, or that cannot be parsed, are kept as received in
 * `quarantine/` (inside the node, for a human to review) with the reason in the index. Dose reports that
 * pass also go into the node's dose registry. Nothing identifying is written outside `quarantine/` and the
 * encrypted re-identification map.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { link, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  createDeidPool,
  createProjectKey,
  type DeidKey,
  type DeidPool,
  deriveDeidKey,
  loadProjectKey,
  mergeReidMap,
  openReidMap,
  remapUid,
  sealReidMap,
  writeAtomic,
} from '@fedhub/dicom';
import { FedhubError } from '@fedhub/protocol';
import { importDoseFolder, type StudyImportStatus } from '../dose-registry/index.js';
import type { ResolvedDicomConfig } from './dicom-config.js';
import { indexFields } from './index-fields.js';
import {
  type InstanceQuery,
  type IntakeSource,
  type QuarantinedInput,
  type SeriesSummary,
  type StoredInstance,
  StoreIndex,
} from './store-index.js';

/** What happened to one ingested file. */
export type IngestOutcome =
  | {
      /** stored: new; replaced: the same source instance with other content; duplicate: already stored. */
      readonly status: 'stored' | 'replaced' | 'duplicate';
      readonly instance: StoredInstance;
      /** For a CT dose report: what the dose registry import did to its study, or why it failed. */
      readonly doseRegistry?: StudyImportStatus | { readonly error: string };
    }
  | {
      readonly status: 'quarantined';
      /** True when the file could not be parsed at all (rather than refused by policy). */
      readonly unreadable: boolean;
      readonly entry: QuarantinedInput;
      /** True when this input had been quarantined before. */
      readonly duplicate: boolean;
    };

/** Options of {@link openDicomStore}. */
export interface OpenDicomStoreOptions {
  /** Compiled pool worker module (tests running from source pass packages/dicom/dist/deid/pool-worker.js). */
  readonly workerUrl?: URL;
  /** Create the project key file when it is missing (default true). */
  readonly createKey?: boolean;
  /** Clock, for tests. */
  readonly now?: () => Date;
}

/** The node's de-identified DICOM store; see the module comment. */
export interface DicomStore {
  readonly dir: string;
  /** De-identifies `input` and stores it (or quarantines it). Never throws for bad input. */
  ingest(input: Uint8Array, source: IntakeSource): Promise<IngestOutcome>;
  /** Instances matching the query (modality, series, study, patient pseudonym, dose flag, source kind). */
  find(q?: InstanceQuery): StoredInstance[];
  /** Series with instance counts, optionally of one patient pseudonym or modality. */
  series(q?: { patientPseudonym?: string; modality?: string }): SeriesSummary[];
  /** The stored instance with this (de-identified) SOP Instance UID. */
  instance(sopInstanceUid: string): StoredInstance | undefined;
  /** Absolute path of a stored instance's file. */
  pathOf(i: StoredInstance | QuarantinedInput): string;
  /** Reads a stored instance's de-identified bytes. */
  read(i: StoredInstance): Promise<Buffer>;
  quarantined(): QuarantinedInput[];
  counts(): { instances: number; quarantined: number; doseReports: number };
  /** Waits for pending work, stops the workers, closes the index. */
  close(): Promise<void>;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/**
 * Runs `fn` holding `lock` (a file created exclusively), so that several processes on one store (`serve`,
 * `pull`, `import`, `node start`) never interleave the whole-file rewrites of the map and the dose registry.
 * A lock older than a minute is taken as left by a killed process.
 */
async function withFileLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const st = await stat(lock).catch(() => null);
      if (st && Date.now() - st.mtimeMs > 60_000) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new FedhubError('FH_ERR_UNAVAILABLE', `${lock} has been held by another process for 30 s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

function ensureKey(path: string, create: boolean): void {
  if (existsSync(path)) return;
  if (!create) return; // loadProjectKey names the missing file
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${createProjectKey().toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** Opens (creating if needed) the store of a resolved `dicom:` config and starts its worker pool. */
export async function openDicomStore(
  config: ResolvedDicomConfig,
  opts: OpenDicomStoreOptions = {},
): Promise<DicomStore> {
  const dir = config.storeDir;
  const now = opts.now ?? (() => new Date());
  await mkdir(join(dir, 'objects'), { recursive: true, mode: 0o700 });
  await mkdir(join(dir, 'quarantine'), { recursive: true, mode: 0o700 });
  let projectKey: Buffer;
  let deidKey: DeidKey;
  let reid: Map<string, string>;
  const reidPath = join(dir, 'reid-map.sealed');
  try {
    ensureKey(config.keyFile, opts.createKey ?? true);
    projectKey = await loadProjectKey(config.keyFile);
    deidKey = deriveDeidKey(projectKey);
    reid = existsSync(reidPath) ? openReidMap(await readFile(reidPath), deidKey) : new Map<string, string>();
  } catch (err) {
    // A wrong key would silently start a second set of pseudonyms: refuse to open instead.
    throw new FedhubError('FH_ERR_VALIDATION', `DICOM store ${dir}: ${(err as Error).message}`);
  }
  const index = new StoreIndex(join(dir, 'index.sqlite'));
  const pool: DeidPool = createDeidPool({
    size: config.workers.size,
    maxMemoryMb: config.workers.maxMemoryMb,
    timeoutMs: config.workers.timeoutMs,
    ...(opts.workerUrl ? { workerUrl: opts.workerUrl } : {}),
  });
  // Re-identification map and dose registry are whole-file rewrites: one writer at a time.
  let serial: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(f: () => Promise<T>): Promise<T> => {
    const p = serial.then(f, f);
    serial = p.catch(() => undefined);
    return p;
  };
  const pending = new Set<Promise<unknown>>();
  let closed = false;

  const quarantine = async (
    input: Uint8Array,
    inputSha: string,
    source: IntakeSource,
    code: string,
    reason: string,
  ): Promise<QuarantinedInput> => {
    const rel = join('quarantine', `${inputSha}.dcm`);
    if (!existsSync(join(dir, rel))) await writeAtomic(join(dir, rel), input);
    const entry: QuarantinedInput = {
      inputSha256: inputSha,
      code,
      reason,
      path: rel,
      size: input.length,
      quarantinedAt: now().toISOString(),
      sourceKind: source.kind,
      source: source.name,
    };
    index.putQuarantined(entry);
    return entry;
  };

  const importDose = (abs: string, sha: string): Promise<StudyImportStatus | { error: string }> =>
    inTurn(() =>
      withFileLock(join(dir, '.dose-registry.lock'), async () => {
        const staging = join(dir, '.staging', randomBytes(8).toString('hex'));
        await mkdir(staging, { recursive: true });
        try {
          await link(abs, join(staging, `${sha}.dcm`));
          const r = await importDoseFolder(staging, config.doseRegistryDir);
          return r.studies[0]?.status ?? { error: r.skipped[0]?.reason ?? 'no dose study found' };
        } catch (err) {
          return { error: (err as Error).message };
        } finally {
          await rm(staging, { recursive: true, force: true });
        }
      }),
    );

  const ingestOne = async (input: Uint8Array, source: IntakeSource): Promise<IngestOutcome> => {
    const inputSha = sha256(input);
    const seen = index.seenInput(inputSha);
    if (seen && 'sopInstanceUid' in seen) return { status: 'duplicate', instance: seen };
    if (seen)
      return {
        status: 'quarantined',
        unreadable: !seen.code.startsWith('FH_QUAR_'),
        entry: seen,
        duplicate: true,
      };
    const r = await pool.deidentify(input, config.deidOptions, projectKey);
    if (r.status !== 'ok') {
      const entry = await quarantine(input, inputSha, source, r.code, r.reason);
      return { status: 'quarantined', unreadable: r.status === 'rejected', entry, duplicate: false };
    }
    const uids = r.summary.outputUids;
    // Without its own UIDs an instance cannot be indexed (and every such file would overwrite the last).
    const noUid = config.deidOptions.retainUids ? '' : remapUid(deidKey.uid, '');
    if (!uids?.study || !uids.series || !uids.sopInstance || uids.sopInstance === noUid) {
      const entry = await quarantine(
        input,
        inputSha,
        source,
        'FH_QUAR_MISSING_UID',
        'no Study, Series or SOP Instance UID: the instance cannot be indexed',
      );
      return { status: 'quarantined', unreadable: false, entry, duplicate: false };
    }
    const sha = sha256(r.output);
    const rel = join('objects', sha.slice(0, 2), `${sha}.dcm`);
    const abs = join(dir, rel);
    if (!existsSync(abs)) await writeAtomic(abs, r.output);
    const sopClassUid = r.summary.sopClassUid ?? '';
    let fields: ReturnType<typeof indexFields>;
    try {
      fields = indexFields(r.output, sopClassUid);
    } catch (err) {
      // Our writer's output should always read back; if not, keep the input for review, not a half-indexed file.
      await rm(abs, { force: true });
      const entry = await quarantine(input, inputSha, source, 'FH_QUAR_INDEX', (err as Error).message);
      return { status: 'quarantined', unreadable: false, entry, duplicate: false };
    }
    const instance: StoredInstance = {
      sopInstanceUid: uids.sopInstance,
      patientPseudonym: r.reid.pseudonym,
      studyInstanceUid: uids.study,
      seriesInstanceUid: uids.series,
      sopClassUid,
      ...fields,
      path: rel,
      size: r.output.length,
      sha256: sha,
      inputSha256: inputSha,
      ingestedAt: now().toISOString(),
      sourceKind: source.kind,
      source: source.name,
    };
    const prev = index.instance(instance.sopInstanceUid);
    if (prev && prev.sha256 === sha) return { status: 'duplicate', instance: prev };
    // The map first: an indexed pseudonym must always be one the hospital can resolve.
    if (!reid.has(r.reid.pseudonym)) {
      await inTurn(() =>
        withFileLock(join(dir, '.reid-map.lock'), async () => {
          // Another process on this store may have added pairs since we read the map.
          const onDisk = existsSync(reidPath) ? openReidMap(await readFile(reidPath), deidKey) : new Map();
          const ours = [...reid].map(([pseudonym, patientId]) => ({ pseudonym, patientId }));
          reid = mergeReidMap(mergeReidMap(onDisk, ours), [r.reid]);
          await writeAtomic(reidPath, sealReidMap(reid, deidKey));
        }),
      );
    }
    index.putInstance(instance);
    if (prev && !index.fileInUse(prev.sha256)) await rm(join(dir, prev.path), { force: true });
    const doseRegistry = instance.doseReport ? await importDose(abs, sha) : undefined;
    return {
      status: prev ? 'replaced' : 'stored',
      instance,
      ...(doseRegistry !== undefined ? { doseRegistry } : {}),
    };
  };

  return {
    dir,
    ingest(input, source) {
      if (closed) return Promise.reject(new Error('the DICOM store is closed'));
      const p = ingestOne(input, source);
      pending.add(p);
      void p.finally(() => pending.delete(p)).catch(() => undefined);
      return p;
    },
    find: (q) => index.find(q),
    series: (q) => index.series(q),
    instance: (uid) => index.instance(uid),
    pathOf: (i) => join(dir, i.path),
    read: (i) => readFile(join(dir, i.path)),
    quarantined: () => index.quarantined(),
    counts: () => index.counts(),
    async close() {
      closed = true;
      await Promise.allSettled([...pending]);
      await serial;
      await pool.close();
      index.close();
    },
  };
}
