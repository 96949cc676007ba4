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
  DEID_OPTION_NAMES,
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
// the node package (DuckDB, the store) is loaded only by the commands that need it, so that
// `fedhub dicom deidentify` starts fast
import type {
  CStoreListener,
  DicomStore,
  IngestOutcome,
  ListenerEvent,
  ResolvedDicomConfig,
} from '@fedhub/node';
import { FedhubError } from '@fedhub/protocol';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { createLogger } from '../logger.js';
import { printJson, table } from '../output.js';

// One list of option names for this command and the node config's dicom.deidentification.options.
const OPTION_FLAGS: Readonly<Record<string, (o: DeidOptions) => DeidOptions>> = DEID_OPTION_NAMES;

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

async function dicomConfigOf(path: string): Promise<{ dicom: ResolvedDicomConfig; logLevel: string }> {
  const config = (await import('@fedhub/node')).loadNodeConfigFile(path);
  if (!config.resolvedDicom)
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `${path} has no dicom: section (see docs/architecture.md, DICOM intake)`,
    );
  return { dicom: config.resolvedDicom, logLevel: config.log.level };
}

/** One log line per listener event: de-identified UIDs and codes only, never patient values. */
function logListenerEvent(log: Logger, e: ListenerEvent): void {
  if (e.type === 'stored') {
    const o = e.outcome;
    if (o.status === 'quarantined')
      log.warn(
        { callingAe: e.callingAeTitle, code: o.entry.code, input: o.entry.inputSha256 },
        'quarantined',
      );
    else
      log.debug(
        { callingAe: e.callingAeTitle, sop: o.instance.sopInstanceUid, modality: o.instance.modality },
        o.status,
      );
  } else if (e.type === 'association-rejected')
    log.warn({ callingAe: e.callingAeTitle, reason: e.reason }, 'association rejected');
  else if (e.type === 'refused')
    log.warn({ callingAe: e.callingAeTitle, reason: e.reason }, 'C-STORE refused');
  else if (e.type === 'network-error') log.warn({ reason: e.message }, 'DICOM network error');
  else if (e.type === 'association') log.info({ callingAe: e.callingAeTitle }, 'association accepted');
  else log.debug({ callingAe: e.callingAeTitle }, e.type);
}

/** A running intake: the store and, when configured, the C-STORE listener. */
export interface DicomIntake {
  readonly store: DicomStore;
  readonly listener?: CStoreListener;
  close(): Promise<void>;
}

/** Opens the node's DICOM store and starts its listener when the config has one (`fedhub node start`, `serve`). */
export async function startDicomIntake(dicom: ResolvedDicomConfig, log: Logger): Promise<DicomIntake> {
  const store = await (await import('@fedhub/node')).openDicomStore(dicom);
  let listener: CStoreListener | undefined;
  if (dicom.listener) {
    try {
      listener = await (await import('@fedhub/node')).startCStoreListener({
        listener: dicom.listener,
        store,
        onEvent: (e) => logListenerEvent(log, e),
      });
    } catch (err) {
      await store.close();
      throw new FedhubError(
        'FH_ERR_UNAVAILABLE',
        `DICOM listener cannot listen on ${dicom.listener.host}:${dicom.listener.port}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
    log.info(
      { aeTitle: dicom.listener.aeTitle, host: dicom.listener.host, port: listener.port, store: store.dir },
      'DICOM listener started',
    );
  }
  return {
    store,
    ...(listener ? { listener } : {}),
    async close() {
      await listener?.close();
      await store.close();
    },
  };
}

function outcomeLabel(o: IngestOutcome): string {
  return o.status === 'quarantined' ? `quarantined ${o.entry.code}` : o.status;
}

export function registerDicomCommands(program: Command): void {
  const dicom = program.command('dicom').description('DICOM at the hospital: de-identification and intake');
  dicom
    .command('serve')
    .description(
      "run the node's DICOM C-STORE listener alone: every instance is de-identified into the store",
    )
    .requiredOption('-c, --config <file>', 'node configuration (YAML) with a dicom.listener section')
    .option('--json', 'print {"event":"listening",...} on stdout once listening')
    .action(async (opts: { config: string; json?: boolean }) => {
      const { dicom: cfg, logLevel } = await dicomConfigOf(opts.config);
      if (!cfg.listener)
        throw new FedhubError('FH_ERR_VALIDATION', `${opts.config}: dicom.listener is not configured`);
      const log = createLogger(logLevel, 'dicom');
      const intake = await startDicomIntake(cfg, log);
      const ready = { event: 'listening', aeTitle: cfg.listener.aeTitle, port: intake.listener?.port };
      if (opts.json) process.stdout.write(`${JSON.stringify(ready)}\n`);
      else process.stdout.write(`DICOM listener ${cfg.listener.aeTitle} on port ${ready.port}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await intake.close();
    });
  dicom
    .command('pull')
    .description('pull studies from a configured DICOMweb source (QIDO-RS + WADO-RS) into the store')
    .requiredOption('-c, --config <file>', 'node configuration (YAML)')
    .requiredOption('--source <name>', 'a dicom.dicomweb source name')
    .option('--study <uid>', 'Study Instance UID')
    .option('--patient <id>', 'Patient ID')
    .option('--modality <m>', 'only studies and series of this modality (e.g. CT)')
    .option('--since <date>', 'studies on or after this date (YYYY-MM-DD)')
    .option('--json', 'machine-readable output')
    .action(
      async (opts: {
        config: string;
        source: string;
        study?: string;
        patient?: string;
        modality?: string;
        since?: string;
        json?: boolean;
      }) => {
        const { dicom: cfg } = await dicomConfigOf(opts.config);
        const source = cfg.dicomweb.find((s) => s.name === opts.source);
        if (!source)
          throw new FedhubError(
            'FH_ERR_NOT_FOUND',
            `--source ${opts.source}: no such dicom.dicomweb source in ${opts.config} (known: ${cfg.dicomweb.map((s) => s.name).join(', ') || 'none'})`,
          );
        const store = await (await import('@fedhub/node')).openDicomStore(cfg);
        const bar =
          process.stderr.isTTY && !opts.json
            ? new cliProgress.SingleBar(
                {
                  format: ' {bar} series {seriesDone}/{series} | {value} instances | {mb} MB | {last}',
                  stream: process.stderr,
                },
                cliProgress.Presets.shades_classic,
              )
            : undefined;
        let started = false;
        try {
          const r = await (await import('@fedhub/node')).pullFromDicomWeb(
            source,
            {
              ...(opts.study ? { studyInstanceUid: opts.study } : {}),
              ...(opts.patient ? { patientId: opts.patient } : {}),
              ...(opts.modality ? { modality: opts.modality } : {}),
              ...(opts.since ? { since: opts.since } : {}),
            },
            store,
            {
              concurrency: cfg.workers.size,
              onProgress: (p) => {
                if (bar && !started) {
                  bar.start(0, 0, {});
                  started = true;
                }
                bar?.setTotal(Math.max(p.expected ?? 0, p.instances));
                bar?.update(p.instances, {
                  series: p.series,
                  seriesDone: p.seriesDone,
                  mb: (p.bytes / 1e6).toFixed(1),
                  last: outcomeLabel(p.last),
                });
              },
            },
          );
          bar?.stop();
          if (opts.json) printJson(r);
          else
            process.stdout.write(
              `${r.studies} studies, ${r.series} series: ${r.instances} instances (${(r.bytes / 1e6).toFixed(1)} MB): ${r.stored} stored, ${r.duplicates} already stored, ${r.quarantined} quarantined\n`,
            );
        } finally {
          bar?.stop();
          await store.close();
        }
      },
    );
  dicom
    .command('import <folder>')
    .description('import every DICOM file under a folder into the store, through de-identification')
    .requiredOption('-c, --config <file>', 'node configuration (YAML)')
    .option('--json', 'machine-readable output')
    .action(async (folder: string, opts: { config: string; json?: boolean }) => {
      const { dicom: cfg } = await dicomConfigOf(opts.config);
      const store = await (await import('@fedhub/node')).openDicomStore(cfg);
      const bar =
        process.stderr.isTTY && !opts.json
          ? new cliProgress.SingleBar(
              { format: ' {bar} {value}/{total} files | {file}', stream: process.stderr },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
      let started = false;
      try {
        const r = await (await import('@fedhub/node')).importDicomFolder(folder, store, {
          concurrency: cfg.workers.size,
          onProgress: (p) => {
            if (bar && !started) {
              bar.start(p.total, 0, { file: '' });
              started = true;
            }
            bar?.update(p.done, { file: p.file.slice(-40) });
          },
        });
        bar?.stop();
        if (opts.json) printJson(r);
        else {
          process.stdout.write(
            `${r.files} files: ${r.stored} stored, ${r.duplicates} already stored, ${r.quarantined} quarantined, ${r.unreadable} unreadable\n`,
          );
          if (r.failures.length > 0)
            process.stdout.write(
              `${table(
                ['file', 'code', 'reason'],
                r.failures.map((f) => [f.file, f.code, f.reason]),
              )}\n`,
            );
        }
        if (r.files > 0 && r.stored + r.duplicates === 0) process.exitCode = 2;
      } finally {
        bar?.stop();
        await store.close();
      }
    });
  dicom
    .command('ls')
    .description("list the node store's series (or instances with --instances), de-identified values only")
    .requiredOption('-c, --config <file>', 'node configuration (YAML)')
    .option('--modality <m>', 'only this modality')
    .option('--patient <pseudonym>', 'only this patient pseudonym')
    .option('--dose-reports', 'only dose reports (implies --instances)')
    .option('--quarantine', 'list the quarantined inputs with their reasons instead')
    .option('--instances', 'one row per instance')
    .option('--json', 'machine-readable output')
    .action(
      async (opts: {
        config: string;
        modality?: string;
        patient?: string;
        doseReports?: boolean;
        quarantine?: boolean;
        instances?: boolean;
        json?: boolean;
      }) => {
        const { dicom: cfg } = await dicomConfigOf(opts.config);
        const store = await (await import('@fedhub/node')).openDicomStore(cfg, { createKey: false });
        try {
          const filter = {
            ...(opts.modality ? { modality: opts.modality } : {}),
            ...(opts.patient ? { patientPseudonym: opts.patient } : {}),
          };
          if (opts.quarantine) {
            const q = store.quarantined();
            if (opts.json) printJson(q);
            else
              process.stdout.write(
                `${table(
                  ['input sha256', 'code', 'reason', 'source'],
                  q.map((e) => [e.inputSha256.slice(0, 16), e.code, e.reason, `${e.sourceKind} ${e.source}`]),
                )}\n`,
              );
          } else if (opts.instances || opts.doseReports) {
            const rows = store.find({ ...filter, ...(opts.doseReports ? { doseReport: true } : {}) });
            if (opts.json) printJson(rows);
            else
              process.stdout.write(
                `${table(
                  ['patient', 'modality', 'study date', 'series', 'SOP instance', 'dose', 'source'],
                  rows.map((i) => [
                    i.patientPseudonym,
                    i.modality,
                    i.studyDate,
                    i.seriesInstanceUid,
                    i.sopInstanceUid,
                    i.doseReport ? 'yes' : '',
                    i.sourceKind,
                  ]),
                )}\n`,
              );
          } else {
            const rows = store.series(filter);
            if (opts.json) printJson(rows);
            else
              process.stdout.write(
                `${table(
                  ['patient', 'modality', 'series', 'description', 'instances'],
                  rows.map((s) => [
                    s.patientPseudonym,
                    s.modality,
                    s.seriesInstanceUid,
                    s.seriesDescription,
                    s.instances,
                  ]),
                )}\n`,
              );
          }
        } finally {
          await store.close();
        }
      },
    );
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
        // the engine's reason says what is wrong (tags, offsets, SOP classes, error codes), never a value
        const failures: Array<{ file: string; status: string; code: string; reason: string }> = [];
        // every input is counted once: ok (files written, `renamed` of them beside a different file with the
        // same de-identified path) + duplicates (identical output already there) + quarantined + rejected
        let summary: {
          ok: number;
          renamed: number;
          duplicates: number;
          quarantined: number;
          rejected: number;
        };
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
              if (p.status !== 'ok')
                failures.push({ file: p.file, status: p.status, code: p.code ?? '', reason: p.reason ?? '' });
            },
            { pool, concurrency: 2 * Math.max(1, Math.min(availableParallelism(), 8)) },
          ).finally(() => pool.close());
          bar?.stop();
          summary = {
            ok: r.ok,
            renamed: r.renamed,
            duplicates: r.duplicates,
            quarantined: r.quarantined,
            rejected: r.rejected,
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
      },
    );
}
