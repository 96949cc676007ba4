/**
 * `fedhub radiomics --image IMG --mask MASK [--config NAME|FILE]`: IBSI-1 image features of one region of
 * interest, each keyed by its IBSI tag, with the diagnostics of every processing step.
 */
import { readFileSync } from 'node:fs';
import { FedhubError } from '@fedhub/protocol';
import {
  computeFeatures,
  ibsiConfigA,
  ibsiConfigB,
  ibsiConfigC,
  ibsiConfigD,
  ibsiConfigE,
  ibsiDigitalPhantom,
  type RadiomicsConfig,
  readNifti,
  toMask,
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

export function registerRadiomicsCommand(program: Command): void {
  program
    .command('radiomics')
    .description('IBSI-compliant radiomics features of a region of interest (NIfTI image and mask)')
    .requiredOption('--image <file>', 'image (.nii or .nii.gz)')
    .requiredOption('--mask <file>', 'mask of the region of interest (.nii or .nii.gz)')
    .option(
      '--config <name|file>',
      `a preset (${Object.keys(PRESETS).join(', ')}) or a JSON settings file`,
      'ibsi-ct-c',
    )
    .option('--json', 'machine-readable output')
    .action((opts: { image: string; mask: string; config: string; json?: boolean }) => {
      const config = configFrom(opts.config);
      const image = readNifti(readFile(opts.image, 'image')).volume;
      const mask = toMask(readNifti(readFile(opts.mask, 'mask')).volume);
      const t0 = performance.now();
      const result = computeFeatures(image, mask, config);
      const seconds = (performance.now() - t0) / 1000;
      if (opts.json) return printJson({ config: opts.config, seconds, ...result });
      process.stdout.write(
        `${result.features.length} features in ${seconds.toFixed(2)} s (settings ${result.features[0]?.settingsHash ?? ''})\n\n`,
      );
      process.stdout.write(
        `${table(
          ['tag', 'IBSI code', 'family', 'value'],
          result.features.map((f) => [f.tag, f.code ?? '', f.family, num(f.value, 6)]),
        )}\n`,
      );
    });
}
