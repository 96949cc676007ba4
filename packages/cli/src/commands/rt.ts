/**
 * `fedhub rt dvh <folder-or-files...> [--json]`: dose–volume histograms from DICOM RT exports (RT Dose,
 * RT Structure Set, RT Plan, matched by frame of reference): per structure its volume, mean, minimum,
 * maximum, D98, D95, D50, D2 and the cumulative curve; local structure names mapped to AAPM TG-263 names
 * from the node config (`rt.structureNames`), with the names left unmapped.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FedhubError } from '@fedhub/protocol';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { num, printJson, table } from '../output.js';

async function structureNamesFrom(path: string | undefined): Promise<Record<string, string>> {
  if (path === undefined) return {};
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FedhubError('FH_ERR_VALIDATION', `cannot read node config ${path}: ${(err as Error).message}`);
  }
  const { parseNodeConfig } = await import('@fedhub/node/runtime');
  const cfg = parseNodeConfig(raw, dirname(resolve(path)), path);
  return cfg.rt?.structureNames ?? {};
}

function positive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(x > 0)) throw new FedhubError('FH_ERR_VALIDATION', `${name} must be a positive number (got "${v}")`);
  return x;
}

export function registerRtCommands(program: Command): void {
  const rt = program.command('rt').description('Radiotherapy: DVHs from DICOM RT');
  rt.command('dvh')
    .description(
      'Dose–volume histograms and metrics per structure from RT Dose + RT Structure Set (+ RT Plan)',
    )
    .argument('<paths...>', 'DICOM files or folders (read recursively)')
    .option('--json', 'print JSON (with the cumulative curves)')
    .option('--node-config <file>', 'node config whose rt.structureNames maps local to TG-263 names')
    .option(
      '--target <name>',
      'target structure (local or standard name): homogeneity and conformity indices',
    )
    .option('--prescription <Gy>', 'prescription dose for the target indices (default: the RT Plan)')
    .option('--bin-width <Gy>', 'histogram bin width', '0.01')
    .option('--curve-step <Gy>', 'dose step of the printed cumulative curve (default: the bin width)')
    .option('--outside-zero', 'count structure parts outside the dose grid as 0 Gy instead of refusing them')
    .action(async (paths: string[], o: Record<string, string | boolean | undefined>) => {
      const { groupRtCases, nameReport, readRtPaths, reportCase } = await import('@fedhub/rt');
      const names = await structureNamesFrom(o.nodeConfig as string | undefined);
      const files = await readRtPaths(paths);
      const { cases, ignored } = groupRtCases(files);
      const prescription = positive('--prescription', o.prescription as string | undefined);
      const curveStep = positive('--curve-step', o.curveStep as string | undefined);
      const reports = cases.map((c) =>
        reportCase(c, {
          binWidthGy: positive('--bin-width', o.binWidth as string)!,
          structureNames: names,
          outside: o.outsideZero ? 'zero' : 'error',
          ...(o.target === undefined ? {} : { target: o.target as string }),
          ...(prescription === undefined ? {} : { prescriptionGy: prescription }),
          ...(curveStep === undefined ? {} : { curveStepGy: curveStep }),
        }),
      );
      const locals = cases.flatMap((c) => c.structureSet.structures.map((s) => s.name));
      const naming = nameReport(locals, names);
      if (reports.some((r) => r.failed.length > 0)) process.exitCode = 2;
      if (o.json) {
        printJson({ cases: reports, names: naming, ignoredFiles: ignored });
        return;
      }
      for (const r of reports) {
        process.stdout.write(
          `${r.structureSetFile} (dose ${r.doseFile}${r.prescriptionGy === null ? '' : `, prescription ${r.prescriptionGy} Gy`}${r.fractions === null ? '' : ` in ${r.fractions} fractions`})\n`,
        );
        process.stdout.write(
          `${table(
            ['structure', 'TG-263', 'volumeCc', 'meanGy', 'minGy', 'maxGy', 'D98', 'D95', 'D50', 'D2'],
            r.structures.map((s) => [
              s.name,
              s.standardName ?? '(unmapped)',
              num(s.volumeCc),
              num(s.meanGy),
              num(s.minGy),
              num(s.maxGy),
              num(s.D98),
              num(s.D95),
              num(s.D50),
              num(s.D2),
            ]),
          )}\n`,
        );
        for (const s of r.structures)
          if (s.target)
            process.stdout.write(
              `target ${s.name}: coverage ${num(s.target.coveragePct)} % at ${s.target.prescriptionGy} Gy, HI ${num(s.target.homogeneityIndex)}, CI RTOG ${num(s.target.conformityIndexRtog)}, Paddick ${num(s.target.conformityIndexPaddick)}\n`,
            );
        for (const f of r.failed) process.stderr.write(`fedhub: ${f.code}: ${f.message}\n`);
      }
      if (naming.unmapped.length > 0)
        process.stdout.write(`unmapped structure names (no TG-263 name): ${naming.unmapped.join(', ')}\n`);
      if (naming.nonStandardTargets.length > 0)
        process.stdout.write(
          `mapping targets that are not TG-263 names: ${naming.nonStandardTargets.join(', ')}\n`,
        );
    });
}
