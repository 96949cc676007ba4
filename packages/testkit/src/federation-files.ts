/** Writes the synthetic data files of a demo or test federation: one folder per centre. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type CentreProfile, COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from './cohort.js';
import { DOSE_DICTIONARY, generateDoseRecords } from './dose-records.js';

export interface CentreFiles {
  profile: CentreProfile;
  dir: string;
  cohortCsv: string;
  cohortDictionary: string;
  doseCsv: string;
  doseDictionary: string;
}

/** Generates each centre's cohort and dose records under `dir/<centre-slug>/`. */
export function writeCentreFiles(
  dir: string,
  opts: {
    patientsPerCentre?: number;
    examsPerCentre?: number;
    seed?: number;
    centres?: readonly CentreProfile[];
  } = {},
): CentreFiles[] {
  const centres = opts.centres ?? DEMO_CENTRES;
  const seed = opts.seed ?? 20261128;
  return centres.map((profile, i) => {
    const slug = profile.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const cdir = join(dir, slug);
    mkdirSync(cdir, { recursive: true });
    const cohortCsv = join(cdir, 'cohort.csv');
    const cohortDictionary = join(cdir, 'cohort.dictionary.yaml');
    const doseCsv = join(cdir, 'ct-dose.csv');
    const doseDictionary = join(cdir, 'ct-dose.dictionary.yaml');
    const prefix = String.fromCharCode(65 + i);
    writeFileSync(
      cohortCsv,
      toCsv(generateCohort(profile, opts.patientsPerCentre ?? 400, seed + i * 7919, `${prefix}P`)),
    );
    writeFileSync(cohortDictionary, stringify({ columns: COHORT_DICTIONARY }));
    writeFileSync(
      doseCsv,
      toCsv(
        generateDoseRecords(
          opts.examsPerCentre ?? 600,
          seed + 1 + i * 7919,
          [1, 1.25, 0.85][i % 3]!,
          `${prefix}E`,
        ),
      ),
    );
    writeFileSync(doseDictionary, stringify({ columns: DOSE_DICTIONARY }));
    return { profile, dir: cdir, cohortCsv, cohortDictionary, doseCsv, doseDictionary };
  });
}
