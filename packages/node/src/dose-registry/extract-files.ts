import { readFile } from 'node:fs/promises';
import {
  type DoseInputFile,
  extractStudyDoses,
  mergeDoseReports,
  type StudyDoseExtraction,
} from '@fedhub/dicom';

/** Progress of {@link extractDoseFiles}: files read so far out of the total, and the file just read. */
export interface ExtractProgress {
  done: number;
  total: number;
  file: string;
}

/** Options of {@link extractDoseFiles}. */
export interface ExtractFilesOptions {
  /** Label recorded for a file in provenance and `skipped`; default: the path as given. */
  label?: (path: string) => string;
  /** Called after each file is read and classified. */
  onProgress?: (p: ExtractProgress) => void;
}

/**
 * Extract the dose reports of many files, one merged report per study (as `extractStudyDoses` does), without
 * holding every file in memory: dose SRs and dose pages are extracted file by file and only dropped into the final
 * merge as reports. CT images are the exception: their header fallback groups images by series and acquisition,
 * so their bytes are kept until the end and extracted together (a per-file extraction would turn every image into
 * its own event and double-count).
 */
export async function extractDoseFiles(
  paths: readonly string[],
  opts: ExtractFilesOptions = {},
): Promise<StudyDoseExtraction> {
  const label = opts.label ?? ((p: string) => p);
  const reports: StudyDoseExtraction['reports'] = [];
  const skipped: StudyDoseExtraction['skipped'] = [];
  const ctImages: DoseInputFile[] = [];
  let done = 0;
  for (const path of paths) {
    const name = label(path);
    let data: Uint8Array;
    try {
      data = await readFile(path);
    } catch (err) {
      skipped.push({
        file: name,
        code: 'FH_ERR_DOSE_UNREADABLE',
        reason: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      });
      opts.onProgress?.({ done: ++done, total: paths.length, file: name });
      continue;
    }
    const one = extractStudyDoses([{ name, data }]);
    skipped.push(...one.skipped);
    for (const r of one.reports) {
      if (r.source === 'ct-header') ctImages.push({ name, data });
      else reports.push(r);
    }
    opts.onProgress?.({ done: ++done, total: paths.length, file: name });
  }
  const images = extractStudyDoses(ctImages);
  // One report per study again: a study can hold a dose SR and CT images (the merge keeps the SR).
  return { reports: mergeDoseReports([...reports, ...images.reports]), skipped };
}
