import { readFile, stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { FedhubError } from '@fedhub/protocol';
import { listInputFiles } from '../dose-registry/walk-files.js';
import type { DicomStore, IngestOutcome } from './dicom-store.js';

/** Progress of a folder import, after each file. */
export interface FolderImportProgress {
  readonly done: number;
  readonly total: number;
  /** Path relative to the folder (shown to the operator, never stored in the index). */
  readonly file: string;
  readonly outcome: IngestOutcome | { readonly status: 'unreadable'; readonly reason: string };
}

/** Totals of a folder import. */
export interface FolderImportResult {
  readonly files: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly quarantined: number;
  /** Files that could not even be read from disk (they stay where they are). */
  readonly unreadable: number;
  /** Quarantined or unreadable files with the reason, by relative path. */
  readonly failures: ReadonlyArray<{ file: string; code: string; reason: string }>;
}

/**
 * Imports every file under `folder` (hidden entries skipped) into the store, `concurrency` files in
 * de-identification at once. The index records the folder as the source, not file names (they may hold
 * patient names). Throws FH_ERR_VALIDATION when `folder` is not a folder.
 */
export async function importDicomFolder(
  folder: string,
  store: DicomStore,
  opts: { concurrency?: number; onProgress?: (p: FolderImportProgress) => void } = {},
): Promise<FolderImportResult> {
  const root = resolve(folder);
  const st = await stat(root).catch(() => null);
  if (!st?.isDirectory()) throw new FedhubError('FH_ERR_VALIDATION', `${folder} is not a folder`);
  const files = await listInputFiles([root]);
  const source = { kind: 'folder' as const, name: root };
  const failures: Array<{ file: string; code: string; reason: string }> = [];
  let done = 0;
  let stored = 0;
  let duplicates = 0;
  let quarantined = 0;
  let unreadable = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const path = files[i];
      if (path === undefined) return;
      const file = relative(root, path);
      let outcome: FolderImportProgress['outcome'];
      try {
        outcome = await store.ingest(await readFile(path), source);
      } catch (err) {
        outcome = { status: 'unreadable', reason: (err as NodeJS.ErrnoException).code ?? String(err) };
      }
      if (outcome.status === 'unreadable') {
        unreadable++;
        failures.push({ file, code: 'FH_ERR_IO', reason: outcome.reason });
      } else if (outcome.status === 'quarantined') {
        quarantined++;
        failures.push({ file, code: outcome.entry.code, reason: outcome.entry.reason });
      } else if (outcome.status === 'duplicate') duplicates++;
      else stored++;
      opts.onProgress?.({ done: ++done, total: files.length, file, outcome });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker));
  failures.sort((a, b) => a.file.localeCompare(b.file));
  return { files: files.length, stored, duplicates, quarantined, unreadable, failures };
}
