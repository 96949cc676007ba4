/**
 * `fedhub radiomics --image IMG --mask MASK [--roi NAME] [--config NAME|FILE]`: IBSI-1 image features of one
 * region of interest, each keyed by its IBSI tag and code, with the diagnostics of every processing step.
 * IMG is a NIfTI file or a folder of DICOM image slices; MASK a NIfTI mask, an RT structure set or a SEG.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FedhubError } from '@fedhub/protocol';
import {
  computeFeatures,
  type DicomDataset,
  ibsiConfigA,
  ibsiConfigB,
  ibsiConfigC,
  ibsiConfigD,
  ibsiConfigE,
  ibsiDigitalPhantom,
  type Mask,
  parseDicom,
  type RadiomicsConfig,
  RadiomicsError,
  readDicomRoi,
  readNifti,
  toMask,
  type Volume,
  validateConfig,
} from '@fedhub/radiomics';
import type { Command } from 'commander';
import { num, printJson, table } from '../output.js';

const PRESETS: Record<string, RadiomicsConfig> = {
  'ibsi-digital-phantom': ibsiDigitalPhantom,
  'ibsi-ct-a': ibsiConfigA,
  'ibsi-ct-b': ibsiConfigB,
  'ibsi-ct-c': ibsiConfigC,
  'ibsi-ct-d': ibsiConfigD,
  'ibsi-ct-e': ibsiConfigE,
};

function readFile(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

function configFrom(name: string): RadiomicsConfig {
  const preset = PRESETS[name];
  if (preset) return preset;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(name, 'utf8'));
  } catch {
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      `--config ${name}: not a preset (${Object.keys(PRESETS).join(', ')}) nor a readable JSON file`,
    );
  }
  validateConfig(raw as RadiomicsConfig);
  return raw as RadiomicsConfig;
}

const isNifti = (p: string) => /\.nii(\.gz)?$/i.test(p);

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Every file under `dir` (recursively), skipping DICOMDIR and hidden files. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || e.name.toUpperCase() === 'DICOMDIR') return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

function loadInputs(opts: {
  image: string;
  mask: string;
  roi?: string;
  threshold?: string;
  series?: string;
}): {
  image: Volume;
  mask: Mask;
} {
  if (!isDirectory(opts.image)) {
    if (!isNifti(opts.mask))
      throw new FedhubError(
        'FH_ERR_BAD_PARAMS',
        `--mask ${opts.mask}: an RT structure set or SEG needs --image to be the folder of its DICOM image series`,
      );
    return {
      image: readNifti(readFile(opts.image, 'image')).volume,
      mask: toMask(readNifti(readFile(opts.mask, 'mask')).volume),
    };
  }
  const files = filesUnder(opts.image);
  if (files.length === 0)
    throw new FedhubError('FH_ERR_VALIDATION', `--image ${opts.image}: the folder holds no file`);
  const threshold = opts.threshold === undefined ? undefined : Number(opts.threshold);
  if (threshold !== undefined && !(threshold > 0 && threshold <= 1))
    throw new FedhubError('FH_ERR_BAD_PARAMS', `--threshold ${opts.threshold}: must be in (0, 1]`);
  // Folders often hold other files (notes, DICOMDIR-like indexes): skip what is not DICOM, and say so.
  const images: DicomDataset[] = [];
  const skipped: string[] = [];
  for (const f of files) {
    try {
      images.push(parseDicom(readFile(f, 'image slice'), f));
    } catch (err) {
      if (!(err instanceof RadiomicsError)) throw err;
      skipped.push(f);
    }
  }
  if (skipped.length > 0)
    process.stderr.write(
      `skipped ${skipped.length} file(s) that are not DICOM under ${opts.image} (first: ${skipped[0]})\n`,
    );
  const roi = readDicomRoi(images, parseDicom(readFile(opts.mask, 'mask'), opts.mask), {
    ...(opts.roi === undefined ? {} : { roi: opts.roi }),
    ...(threshold === undefined ? {} : { threshold }),
    ...(opts.series === undefined ? {} : { seriesInstanceUid: opts.series }),
  });
  return { image: roi.image, mask: roi.mask };
}

export function registerRadiomicsCommand(program: Command): void {
  program
    .command('radiomics')
    .description(
      'IBSI-compliant radiomics features of a region of interest (NIfTI, or DICOM series with RTSTRUCT or SEG)',
    )
    .requiredOption('--image <file|folder>', 'image (.nii or .nii.gz), or a folder of DICOM image slices')
    .requiredOption('--mask <file>', 'mask (.nii or .nii.gz), or a DICOM RT structure set or SEG')
    .option('--roi <name|number>', 'ROI of the RT structure set, or segment of the SEG')
    .option('--threshold <fraction>', 'fractional SEG: smallest fraction inside the ROI (default 0.5)')
    .option('--series <uid>', 'Series Instance UID of the image series, when the folder holds several')
    .option(
      '--config <name|file>',
      `a preset (${Object.keys(PRESETS).join(', ')}) or a JSON settings file`,
      'ibsi-ct-c',
    )
    .option('--json', 'machine-readable output')
    .action(
      (opts: {
        image: string;
        mask: string;
        roi?: string;
        threshold?: string;
        series?: string;
        config: string;
        json?: boolean;
      }) => {
        const config = configFrom(opts.config);
        let result: ReturnType<typeof computeFeatures>;
        const t0 = performance.now();
        try {
          const { image, mask } = loadInputs(opts);
          result = computeFeatures(image, mask, config);
        } catch (err) {
          // Radiomics errors name the file and the problem; give them the CLI's coded shape.
          if (err instanceof RadiomicsError)
            throw new FedhubError('FH_ERR_VALIDATION', err.message, { code: err.code });
          throw err;
        }
        const seconds = (performance.now() - t0) / 1000;
        if (opts.json) return printJson({ config: opts.config, seconds, ...result });
        process.stdout.write(
          `${result.features.length} features in ${seconds.toFixed(2)} s (settings ${result.features[0]?.settingsHash ?? ''})\n\n`,
        );
        process.stdout.write(
          `${table(
            ['tag', 'IBSI code', 'family', 'aggregation', 'value'],
            result.features.map((f) => [
              f.tag,
              f.code ?? '',
              `${f.family} (${f.familyCode ?? ''})`,
              f.aggregationCode ? `${f.aggregation} (${f.aggregationCode})` : '',
              num(f.value, 6),
            ]),
          )}\n`,
        );
      },
    );
}
