/**
 * `fedhub dicom serve | pull | import | ls`: the node's DICOM intake (C-STORE listener, DICOMweb pull, folder
 * import) and store listing. The commands and options are declared in `dicom-register.ts`; this module loads
 * when one of these runs. `fedhub dicom deidentify` is in `dicom-deidentify.ts`.
 */
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
import type { Logger } from 'pino';
import { createLogger } from '../logger.js';
import { printJson, table } from '../output.js';

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

/** `fedhub dicom serve`. */
export const serveAction = async (opts: { config: string; json?: boolean }) => {
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
};

/** `fedhub dicom pull`. */
export const pullAction = async (opts: {
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
};

/** `fedhub dicom import`. */
export const importAction = async (folder: string, opts: { config: string; json?: boolean }) => {
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
};

/** `fedhub dicom ls`. */
export const lsAction = async (opts: {
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
};
