/**
 * `fedhub dicom deidentify <in> <out>`: DICOM PS3.15 Annex E de-identification of a file or a folder tree,
 * at the hospital, with consistent keyed pseudonyms and UID remapping under a project key that never leaves
 * the site; files that may carry burned-in identities, or cannot be parsed, are quarantined with a reason
 * and nothing is written for them.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import {
  BASIC_PROFILE,
  createDeidPool,
  createProjectKey,
  type DeidOptions,
  DOSE_MONITORING_PROFILE,
  deidentifyFile,
  deidentifyTree,
  deriveDeidKey,
  loadProjectKey,
  mergeReidMap,
  openReidMap,
  sealReidMap,
} from '@fedhub/dicom';
import { FedhubError } from '@fedhub/protocol';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { printJson, table } from '../output.js';

const OPTION_FLAGS: Record<string, (o: DeidOptions) => DeidOptions> = {
  'retain-long-full-dates': (o) => ({ ...o, retainLongitudinal: 'full' }),
  'retain-long-modified-dates': (o) => ({ ...o, retainLongitudinal: 'modified' }),
  'retain-patient-chars': (o) => ({ ...o, retainPatientCharacteristics: true }),
  'retain-device-id': (o) => ({ ...o, retainDeviceIdentity: true }),
  'retain-institution-id': (o) => ({ ...o, retainInstitutionIdentity: true }),
  'retain-uids': (o) => ({ ...o, retainUids: true }),
  'retain-safe-private': (o) => ({ ...o, retainSafePrivate: true }),
  'clean-descriptors': (o) => ({ ...o, cleanDescriptors: true }),
  'clean-structured-content': (o) => ({ ...o, cleanStructuredContent: true }),
  'clean-graphics': (o) => ({ ...o, cleanGraphics: true }),
};

/** The options of a profile name plus comma-separated option flags; names what is unknown. */
export function deidOptionsFrom(profile: string, options: string | undefined): DeidOptions {
  let o: DeidOptions;
  if (profile === 'basic') o = BASIC_PROFILE;
  else if (profile === 'dose-monitoring') o = DOSE_MONITORING_PROFILE;
  else throw new FedhubError('FH_ERR_BAD_PARAMS', `--profile ${profile}: expected basic or dose-monitoring`);
  for (const name of (options ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const apply = OPTION_FLAGS[name];
    if (!apply)
      throw new FedhubError(
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
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `key file ${path} does not exist: pass --create-key to create a new project key there`,
      );
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${createProjectKey().toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return loadProjectKey(path);
}

export function registerDicomCommands(program: Command): void {
  const dicom = program.command('dicom').description('DICOM at the hospital: de-identification');
  dicom
    .command('deidentify <in> <out>')
    .description('de-identify a DICOM file or every file under a folder (DICOM PS3.15 Annex E)')
    .option('--profile <name>', 'basic | dose-monitoring', 'basic')
    .option('--options <list>', `comma-separated options: ${Object.keys(OPTION_FLAGS).join(', ')}`)
    .requiredOption(
      '--key-file <file>',
      'the project key (kept at the site; same key = same pseudonyms and UIDs)',
    )
    .option('--create-key', 'create the key file if it does not exist')
    .option('--reid-map <file>', 'encrypted re-identification map to update (pseudonym -> patient ID)')
    .option('--json', 'machine-readable output')
    .action(
      async (
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
        const options = deidOptionsFrom(opts.profile, opts.options);
        const key = await projectKey(opts.keyFile, Boolean(opts.createKey));
        if (!existsSync(input)) throw new FedhubError('FH_ERR_VALIDATION', `${input} does not exist`);
        const failures: Array<{ file: string; status: string; code: string }> = [];
        let summary: { ok: number; quarantined: number; rejected: number };
        let pairs: Array<{ pseudonym: string; patientId: string }> = [];
        if (statSync(input).isDirectory()) {
          const bar =
            process.stderr.isTTY && !opts.json
              ? new cliProgress.SingleBar(
                  { format: ' {bar} {value}/{total} files | {file}', stream: process.stderr },
                  cliProgress.Presets.shades_classic,
                )
              : undefined;
          let started = false;
          // hostile files are parsed in workers with memory and time limits; the workers also run in parallel
          const pool = createDeidPool({ size: Math.max(1, Math.min(availableParallelism(), 8)) });
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
              if (p.status !== 'ok') failures.push({ file: p.file, status: p.status, code: p.code ?? '' });
            },
            { pool, concurrency: 2 * Math.max(1, Math.min(availableParallelism(), 8)) },
          ).finally(() => pool.close());
          bar?.stop();
          summary = { ok: r.ok, quarantined: r.quarantined, rejected: r.rejected };
          pairs = [...r.reid].map(([pseudonym, patientId]) => ({ pseudonym, patientId }));
        } else {
          const r = await deidentifyFile(input, output, { options, projectKey: key });
          summary = {
            ok: r.status === 'ok' ? 1 : 0,
            quarantined: r.status === 'quarantined' ? 1 : 0,
            rejected: r.status === 'rejected' ? 1 : 0,
          };
          if (r.status === 'ok') pairs = [r.reid];
          else failures.push({ file: input, status: r.status, code: r.code });
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
            `${summary.ok} de-identified, ${summary.quarantined} quarantined, ${summary.rejected} rejected\n`,
          );
          if (failures.length > 0)
            process.stdout.write(
              `${table(
                ['file', 'status', 'reason'],
                failures.map((f) => [f.file, f.status, f.code]),
              )}\n`,
            );
        }
        if (summary.ok === 0 && summary.quarantined + summary.rejected > 0) process.exitCode = 2;
      },
    );
}
