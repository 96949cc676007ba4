/**
 * `fedhub dicom deidentify <in> <out>`: DICOM PS3.15 Annex E de-identification of a file or a folder tree,
 * at the hospital, with consistent keyed pseudonyms and UID remapping under a project key that never leaves
 * the site; files that may carry burned-in identities, or cannot be parsed, are quarantined with a reason
 * and nothing is written for them.
 *
 * Start-up matters here (a folder is often small): this module loads only the de-identifier's runner
 * (`@fedhub/dicom/deid-tree`: no dcmjs, and the engine loads in the pool's workers, not here) and Node's
 * own modules; the protocol package (for coded errors) and the progress bar load only when needed.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname } from 'node:path';
import {
  BASIC_PROFILE,
  createDeidPool,
  createProjectKey,
  DEID_OPTION_NAMES,
  type DeidOptions,
  DOSE_MONITORING_PROFILE,
  deidentifyFile,
  deidentifyTree,
  deriveDeidKey,
  loadProjectKey,
  mergeReidMap,
  openReidMap,
  poolSizeFor,
  sealReidMap,
} from '@fedhub/dicom/deid-tree';
import { printJson, table } from '../text-output.js';

// One list of option names for this command and the node config's dicom.deidentification.options.
const OPTION_FLAGS: Readonly<Record<string, (o: DeidOptions) => DeidOptions>> = DEID_OPTION_NAMES;

/** A coded error (FH_ERR_*), from the protocol package loaded only on this error path. */
async function coded(code: 'FH_ERR_BAD_PARAMS' | 'FH_ERR_VALIDATION', message: string): Promise<Error> {
  const { FedhubError } = await import('@fedhub/protocol');
  return new FedhubError(code, message);
}

/** The options of a profile name plus comma-separated option flags; names what is unknown. */
export async function deidOptionsFrom(profile: string, options: string | undefined): Promise<DeidOptions> {
  let o: DeidOptions;
  if (profile === 'basic') o = BASIC_PROFILE;
  else if (profile === 'dose-monitoring') o = DOSE_MONITORING_PROFILE;
  else throw await coded('FH_ERR_BAD_PARAMS', `--profile ${profile}: expected basic or dose-monitoring`);
  for (const name of (options ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const apply = OPTION_FLAGS[name];
    if (!apply)
      throw await coded(
        'FH_ERR_BAD_PARAMS',
        `--options: unknown option "${name}" (known: ${Object.keys(OPTION_FLAGS).join(', ')})`,
      );
    o = apply(o);
  }
  return o;
}

async function projectKey(path: string, create: boolean): Promise<Buffer> {
  if (!existsSync(path)) {
    if (!create)
      throw await coded(
        'FH_ERR_VALIDATION',
        `key file ${path} does not exist: pass --create-key to create a new project key there`,
      );
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${createProjectKey().toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return loadProjectKey(path);
}

/** `fedhub dicom deidentify`. */
export const deidentifyAction = async (
  input: string,
  output: string,
  opts: {
    profile: string;
    options?: string;
    keyFile: string;
    createKey?: boolean;
    reidMap?: string;
    json?: boolean;
  },
) => {
  const options = await deidOptionsFrom(opts.profile, opts.options);
  const key = await projectKey(opts.keyFile, Boolean(opts.createKey));
  if (!existsSync(input)) throw await coded('FH_ERR_VALIDATION', `${input} does not exist`);
  // the engine's reason says what is wrong (tags, offsets, SOP classes, error codes), never a value
  const failures: Array<{ file: string; status: string; code: string; reason: string }> = [];
  // every input is counted once: ok (files written, `renamed` of them beside a different file with the
  // same de-identified path) + duplicates (identical output already there) + quarantined + rejected
  // input DICOMDIR files are counted in `dicomdir.inputs`: the output is then a DICOM File-set whose
  // DICOMDIR is rebuilt from the de-identified files (`files` instances, `records` directory records)
  let summary: {
    ok: number;
    renamed: number;
    duplicates: number;
    quarantined: number;
    rejected: number;
    dicomdir?: { inputs: number; files: number; records: number; unreferenced: number };
  };
  let pairs: Array<{ pseudonym: string; patientId: string }> = [];
  if (statSync(input).isDirectory()) {
    const cliProgress =
      process.stderr.isTTY && !opts.json ? (await import('cli-progress')).default : undefined;
    const bar = cliProgress
      ? new cliProgress.SingleBar(
          { format: ' {bar} {value}/{total} files | {file}', stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    let started = false;
    // hostile files are parsed in workers with memory and time limits; the workers also run in parallel,
    // as many as the work pays for and idle cores allow (each costs a thread's start-up and JIT warm-up)
    const cores = availableParallelism();
    const workers = Math.max(1, Math.min(cores, 8));
    const r = await deidentifyTree(
      input,
      output,
      { options, projectKey: key },
      (p) => {
        if (bar && !started) {
          bar.start(p.total, 0, { file: '' });
          started = true;
        }
        bar?.update(p.done, { file: p.file.slice(-40) });
        if (p.status !== 'ok')
          failures.push({ file: p.file, status: p.status, code: p.code ?? '', reason: p.reason ?? '' });
      },
      {
        createPool: (files, bytes) =>
          createDeidPool({ size: poolSizeFor({ files, bytes, cores, load: loadavg()[0] }) }),
        concurrency: 2 * workers,
      },
    );
    bar?.stop();
    summary = {
      ok: r.ok,
      renamed: r.renamed,
      duplicates: r.duplicates,
      quarantined: r.quarantined,
      rejected: r.rejected,
      ...(r.dicomdir ? { dicomdir: r.dicomdir } : {}),
    };
    pairs = [...r.reid].map(([pseudonym, patientId]) => ({ pseudonym, patientId }));
  } else {
    const r = await deidentifyFile(input, output, { options, projectKey: key });
    summary = {
      ok: r.status === 'ok' ? 1 : 0,
      renamed: 0,
      duplicates: 0,
      quarantined: r.status === 'quarantined' ? 1 : 0,
      rejected: r.status === 'rejected' ? 1 : 0,
    };
    if (r.status === 'ok') pairs = [r.reid];
    else failures.push({ file: input, status: r.status, code: r.code, reason: r.reason });
  }
  if (opts.reidMap) {
    const dk = deriveDeidKey(key);
    const existing = existsSync(opts.reidMap)
      ? openReidMap(readFileSync(opts.reidMap), dk)
      : new Map<string, string>();
    await writeFile(opts.reidMap, sealReidMap(mergeReidMap(existing, pairs), dk), { mode: 0o600 });
  }
  if (opts.json) printJson({ ...summary, failures });
  else {
    process.stdout.write(
      `${summary.ok} de-identified${summary.renamed > 0 ? ` (${summary.renamed} beside a different file with the same UIDs, as -N.dcm)` : ''}, ${summary.duplicates} duplicates, ${summary.quarantined} quarantined, ${summary.rejected} rejected\n`,
    );
    if (summary.dicomdir)
      process.stdout.write(
        `DICOMDIR rebuilt from the de-identified files (${summary.dicomdir.files} files, ${summary.dicomdir.records} records${summary.dicomdir.unreferenced > 0 ? `; ${summary.dicomdir.unreferenced} files not referenced: not DICOM, or another copy of an instance it references` : ''}): the output is a DICOM File-set\n`,
      );
    if (failures.length > 0)
      process.stdout.write(
        `${table(
          ['file', 'status', 'code', 'reason'],
          failures.map((f) => [f.file, f.status, f.code, f.reason]),
        )}\n`,
      );
  }
  if (summary.ok + summary.duplicates === 0 && summary.quarantined + summary.rejected > 0)
    process.exitCode = 2;
};
