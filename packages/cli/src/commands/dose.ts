/**
 * `fedhub dose`: CT dose at the hospital and after a survey. `extract` reads dose SRs, dose pages and CT headers
 * and prints each study's unique events and totals; `import` adds a folder to the node's dose registry (the
 * `ct_dose` dataset that `drl-survey` reads); `report` renders a finished `drl-survey` result as HTML and CSV.
 */
import { readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type DoseReport, type DrlSurvey, drlSurveyCsv, renderDrlSurveyHtml } from '@fedhub/dicom';
import {
  type DoseImportResult,
  doseCoverageReport,
  type ExtractProgress,
  extractDoseFiles,
  importDoseFolder,
  listInputFiles,
} from '@fedhub/node';
import { FedhubError } from '@fedhub/protocol';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { num, printJson, table } from '../output.js';
import { clientFromEnvironment } from '../session.js';

/** A progress bar on stderr when it is a terminal and output is for humans; else no bar. */
function progressBar(enabled: boolean): { tick: (p: ExtractProgress) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { tick: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {value}/{total} files | {file}', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    tick: (p) => {
      if (!started) bar.start(p.total, 0, { file: '' });
      started = true;
      bar.update(p.done, { file: p.file.slice(-40) });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

const code = (c: { scheme: string; value: string; meaning: string } | null) =>
  c ? { code: `${c.scheme}:${c.value}`, meaning: c.meaning } : null;

/** One study of `dose extract --json`: unique events and totals, with provenance. */
export function studyOutput(r: DoseReport) {
  return {
    studyInstanceUid: r.studyInstanceUid,
    studyDate: r.studyDate,
    studyDescription: r.studyDescription,
    source: r.source,
    device: r.device,
    files: r.files,
    sopInstanceUids: r.sopInstanceUids,
    events: r.events.map((e) => ({
      uid: e.uid,
      type:
        code(e.acquisitionType) ??
        (e.acquisitionTypeText ? { code: null, meaning: e.acquisitionTypeText } : null),
      ctdivolMGy: e.ctdivolMGy,
      dlpMGyCm: e.dlpMGyCm,
      phantom: e.phantom,
      protocol: e.protocol,
      targetRegion: code(e.targetRegion),
      provenance: e.provenance,
    })),
    totals: {
      /** Sum of the unique events' DLP, mGy.cm. */
      dlpTotal: r.totals.eventDlpSumMGyCm,
      eventCount: r.events.length,
      declaredDlpTotal: r.totals.declaredDlpMGyCm,
      declaredEventCount: r.totals.declaredEventCount,
      provenance: r.totals.provenance,
    },
    warnings: r.warnings,
  };
}

function printStudies(
  reports: DoseReport[],
  skipped: { file: string; code: string; reason: string }[],
): void {
  for (const r of reports) {
    process.stdout.write(
      `study ${r.studyInstanceUid ?? '(no study UID)'} ${r.studyDescription ?? ''} (${r.source}, ${r.files.join(', ')})\n`,
    );
    process.stdout.write(
      `${table(
        ['event', 'type', 'phantom', 'CTDIvol mGy', 'DLP mGy.cm', 'protocol', 'target region'],
        r.events.map((e, i) => [
          e.uid ?? `#${i + 1}`,
          e.acquisitionType?.meaning ?? e.acquisitionTypeText,
          e.phantom,
          num(e.ctdivolMGy, 6),
          num(e.dlpMGyCm, 6),
          e.protocol,
          e.targetRegion?.meaning,
        ]),
      )}\n`,
    );
    const declared =
      r.totals.declaredDlpMGyCm === null ? '' : ` (declared ${num(r.totals.declaredDlpMGyCm, 8)})`;
    process.stdout.write(
      `total DLP ${num(r.totals.eventDlpSumMGyCm, 8)} mGy.cm${declared}, ${r.events.length} events\n\n`,
    );
  }
  if (skipped.length)
    process.stdout.write(
      `skipped:\n${table(
        ['file', 'code', 'reason'],
        skipped.map((s) => [s.file, s.code, s.reason]),
      )}\n`,
    );
}

function printImport(r: DoseImportResult): void {
  const count = (s: string) => r.studies.filter((x) => x.status === s).length;
  process.stdout.write(
    `${r.files} files: ${count('added')} studies added, ${count('updated')} updated, ${count('unchanged')} unchanged, ${r.skipped.length} files skipped\n`,
  );
  process.stdout.write(
    `registry ${r.registry.dir}: ${r.totalStudies} studies, ${r.rows} rows in ${r.registry.csv}\n\n`,
  );
  if (r.studies.length)
    process.stdout.write(
      `${table(
        ['exam id', 'status', 'exam', 'rows', 'events', 'DLP mGy.cm', 'source'],
        r.studies.map((s) => [
          s.examId,
          s.status,
          s.exam ?? '(unmapped)',
          s.outcome,
          s.events,
          num(s.dlpTotalMGyCm, 8),
          s.source,
        ]),
      )}\n\n`,
    );
  if (r.skipped.length)
    process.stdout.write(
      `skipped:\n${table(
        ['file', 'code', 'reason'],
        r.skipped.map((s) => [s.file, s.code, s.reason]),
      )}\n\n`,
    );
  const c = r.coverage;
  process.stdout.write(`exam mapping: ${c.mapped} of ${c.total} studies mapped\n`);
  if (c.unmapped.length)
    process.stdout.write(
      `${table(
        ['unmapped study description', 'studies'],
        c.unmapped.map((u) => [u.description, u.count]),
      )}\n`,
    );
  process.stdout.write(
    `\nnode.yaml:\ndatasets:\n  - name: ${r.dataset.name}\n    file: ${r.registry.csv}\n    dictionary: ${r.registry.dictionary}\n`,
  );
}

/**
 * The DRL survey inside a JSON document: the `drl-survey` result itself, a task (`fedhub task show --json`,
 * `result` field) or a local-federation outcome (`result` field). Throws `FH_ERR_VALIDATION` naming `where`.
 */
export function surveyFromJson(doc: unknown, where: string): DrlSurvey {
  let cur = doc;
  for (let depth = 0; depth < 3; depth++) {
    if (typeof cur !== 'object' || cur === null) break;
    const o = cur as Record<string, unknown>;
    if (o.algorithm === 'drl-survey' && Array.isArray(o.results)) {
      if (!Array.isArray(o.unreleased) || !Array.isArray(o.flags))
        throw new FedhubError(
          'FH_ERR_VALIDATION',
          `${where}: drl-survey result lacks unreleased/flags lists`,
        );
      return o as unknown as DrlSurvey;
    }
    if (o.algorithm !== undefined && o.algorithm !== 'drl-survey' && o.result !== undefined)
      throw new FedhubError('FH_ERR_VALIDATION', `${where}: task ran ${String(o.algorithm)}, not drl-survey`);
    if (typeof o.status === 'string' && o.status !== 'completed')
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `${where}: task is ${o.status}, not completed: no result to report`,
      );
    cur = o.result;
  }
  throw new FedhubError('FH_ERR_VALIDATION', `${where}: holds no drl-survey result`);
}

async function writeReport(
  survey: DrlSurvey,
  opts: { out?: string; csv?: string; json?: boolean },
  label: string,
): Promise<void> {
  const out = opts.out ?? (opts.csv ? undefined : 'drl-survey-report.html');
  if (out)
    await writeFile(
      out,
      renderDrlSurveyHtml(survey, {
        title: `CT dose survey: ${label}`,
        generatedAt: new Date().toISOString(),
      }),
    );
  if (opts.csv) await writeFile(opts.csv, drlSurveyCsv(survey));
  const summary = {
    html: out ?? null,
    csv: opts.csv ?? null,
    results: survey.results.length,
    unreleased: survey.unreleased.length,
    flags: survey.flags.length,
  };
  if (opts.json) return printJson(summary);
  process.stdout.write(
    `${survey.results.length} DRLs, ${survey.unreleased.length} strata not released, ${survey.flags.length} flags\n`,
  );
  if (out) process.stdout.write(`wrote ${out}\n`);
  if (opts.csv) process.stdout.write(`wrote ${opts.csv}\n`);
}

/** Registers `fedhub dose extract | import | report`. */
export function registerDoseCommands(program: Command): void {
  const dose = program
    .command('dose')
    .description('CT dose: extraction, the node dose registry, DRL survey reports');
  dose
    .command('extract <paths...>')
    .description(
      'extract CT dose (RDSR, Enhanced SR, dose pages, CT headers) per study from files or folders',
    )
    .option('--json', 'machine-readable output')
    .action(async (paths: string[], opts: { json?: boolean }) => {
      const files = await listInputFiles(paths);
      const bar = progressBar(!opts.json && paths.some((p) => statSync(p).isDirectory()));
      const r = await extractDoseFiles(files, { onProgress: bar.tick }).finally(bar.stop);
      if (opts.json) printJson({ studies: r.reports.map(studyOutput), skipped: r.skipped });
      else printStudies(r.reports, r.skipped);
      if (r.reports.length === 0) process.exitCode = 2;
    });
  dose
    .command('import <folder>')
    .description("add a folder's dose objects to the node dose registry (dataset ct_dose for drl-survey)")
    .requiredOption('--registry <dir>', 'registry folder (created if missing)')
    .option('--rules <file>', 'site exam-mapping rules (JSON, version 1); default: the built-in rules')
    .option('--json', 'machine-readable output')
    .action(async (folder: string, opts: { registry: string; rules?: string; json?: boolean }) => {
      const bar = progressBar(!opts.json);
      const r = await importDoseFolder(folder, opts.registry, {
        ...(opts.rules ? { rules: opts.rules } : {}),
        onProgress: bar.tick,
      }).finally(bar.stop);
      if (opts.json) printJson(r);
      else printImport(r);
    });
  dose
    .command('coverage')
    .description('which study descriptions of a registry the exam rules leave unmapped')
    .requiredOption('--registry <dir>', 'registry folder')
    .option('--json', 'machine-readable output')
    .action(async (opts: { registry: string; json?: boolean }) => {
      const c = await doseCoverageReport(opts.registry);
      if (opts.json) return printJson(c);
      process.stdout.write(`${c.mapped} of ${c.total} studies mapped\n`);
      process.stdout.write(`${table(['exam', 'studies'], Object.entries(c.byExam).sort())}\n`);
      if (c.unmapped.length)
        process.stdout.write(
          `\n${table(
            ['unmapped study description', 'studies'],
            c.unmapped.map((u) => [u.description, u.count]),
          )}\n`,
        );
    });
  dose
    .command('report')
    .description('render a finished drl-survey result as HTML (box plots per exam) and CSV')
    .option('--task <id>', 'the drl-survey task on the hub')
    .option('--from-json <file>', 'a saved result (task JSON, result JSON) instead of the hub')
    .option('--out <file>', 'HTML report (default drl-survey-report.html unless only --csv is given)')
    .option('--csv <file>', 'CSV with one row per stratum, quantity and facility')
    .option('--hub <url>')
    .option('--json', 'machine-readable output')
    .action(
      async (opts: {
        task?: string;
        fromJson?: string;
        out?: string;
        csv?: string;
        hub?: string;
        json?: boolean;
      }) => {
        if (Boolean(opts.task) === Boolean(opts.fromJson))
          throw new FedhubError('FH_ERR_BAD_PARAMS', 'give exactly one of --task ID and --from-json FILE');
        let survey: DrlSurvey;
        let label: string;
        if (opts.fromJson) {
          let doc: unknown;
          try {
            doc = JSON.parse(readFileSync(opts.fromJson, 'utf8'));
          } catch (err) {
            throw new FedhubError(
              'FH_ERR_VALIDATION',
              `cannot read ${opts.fromJson} as JSON: ${(err as Error).message}`,
            );
          }
          survey = surveyFromJson(doc, opts.fromJson);
          label = basename(opts.fromJson);
        } else {
          const task = await clientFromEnvironment(opts).getTask(opts.task as string);
          survey = surveyFromJson(task, `task ${task.id}`);
          label = `task ${task.id}`;
        }
        await writeReport(survey, opts, label);
      },
    );
}
