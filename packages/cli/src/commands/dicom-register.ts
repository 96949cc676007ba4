/**
 * The `fedhub dicom` commands and their options. Only this light module loads to parse the command line; each
 * action loads its module when it runs, so `fedhub dicom deidentify` never pays for the node's store
 * (DuckDB, SQLite), the hub protocol's schemas or the dose extractor.
 */
import { DEID_OPTION_NAMES } from '@fedhub/dicom/options';
import type { Command } from 'commander';
import type * as Intake from './dicom.js';
import type * as Deidentify from './dicom-deidentify.js';

type Actions = typeof Intake & typeof Deidentify;

const OPTION_NAMES = Object.keys(DEID_OPTION_NAMES);

/** Declares `fedhub dicom serve | pull | import | ls | deidentify`; actions load on demand. */
export function registerDicomCommands(program: Command): void {
  const dicom = program.command('dicom').description('DICOM at the hospital: de-identification and intake');
  dicom
    .command('serve')
    .description(
      "run the node's DICOM C-STORE listener alone: every instance is de-identified into the store",
    )
    .requiredOption('-c, --config <file>', 'node configuration (YAML) with a dicom.listener section')
    .option('--json', 'print {"event":"listening",...} on stdout once listening')
    .action(async (...args: Parameters<Actions['serveAction']>) =>
      (await import('./dicom.js')).serveAction(...args),
    );
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
    .action(async (...args: Parameters<Actions['pullAction']>) =>
      (await import('./dicom.js')).pullAction(...args),
    );
  dicom
    .command('import <folder>')
    .description('import every DICOM file under a folder into the store, through de-identification')
    .requiredOption('-c, --config <file>', 'node configuration (YAML)')
    .option('--json', 'machine-readable output')
    .action(async (...args: Parameters<Actions['importAction']>) =>
      (await import('./dicom.js')).importAction(...args),
    );
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
    .action(async (...args: Parameters<Actions['lsAction']>) =>
      (await import('./dicom.js')).lsAction(...args),
    );
  dicom
    .command('deidentify <in> <out>')
    .description('de-identify a DICOM file or every file under a folder (DICOM PS3.15 Annex E)')
    .option('--profile <name>', 'basic | dose-monitoring', 'basic')
    .option('--options <list>', `comma-separated options: ${OPTION_NAMES.join(', ')}`)
    .requiredOption(
      '--key-file <file>',
      'the project key (kept at the site; same key = same pseudonyms and UIDs)',
    )
    .option('--create-key', 'create the key file if it does not exist')
    .option('--reid-map <file>', 'encrypted re-identification map to update (pseudonym -> patient ID)')
    .option('--json', 'machine-readable output')
    .action(async (...args: Parameters<Actions['deidentifyAction']>) =>
      (await import('./dicom-deidentify.js')).deidentifyAction(...args),
    );
}
