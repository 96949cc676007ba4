/**
 * A centre's radiotherapy imaging for a test federation, through the node's REAL DICOM intake: synthetic
 * CT patients (a spherical lesion outlined as GTV in an RT Structure Set) with an RT Dose on the same frame
 * of reference, de-identified into the node's store; a table of the patients' pseudonyms (as the store
 * assigned them) with a complication outcome, for the imaging algorithms' cohorts and joins.
 *
 * What dvh-extract, radiomics-extract and validate-imaging read at a node; run from the compiled packages
 * (the store's de-identification workers are the built ones).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImagingSource } from '@fedhub/algorithms';
import {
  type DicomConfig,
  DicomConfigSchema,
  type DicomStore,
  imagingFromDicomStore,
  openDicomStore,
  resolveDicomConfig,
} from '@fedhub/node';
import type { ColumnSpec } from '@fedhub/protocol';
import { syntheticCtPatient } from '@fedhub/radiomics';
import { writeRtDose } from '@fedhub/rt';
import { SeededRandom } from './random.js';

/** The node config's `dicom:` section of an imaging centre: RT structure names kept (clean descriptors). */
export const IMAGING_DICOM_CONFIG: DicomConfig = DicomConfigSchema.parse({
  deidentification: {
    profile: 'basic',
    options: ['retain-long-modified-dates'],
    allowSopClasses: [],
    allowBurnedInAnnotation: false,
    rtStructureNames: true,
  },
  workers: { size: 1, maxMemoryMb: 256, timeoutMs: 30_000 },
  dicomweb: [],
});

/** The dictionary of the pseudonym table: the store's pseudonym, a 0/1 complication. */
export const IMAGING_COHORT_DICTIONARY: ColumnSpec[] = [
  { name: 'patient_id', type: 'categorical', identifier: true, description: 'DICOM store pseudonym' },
  { name: 'pneumonitis', type: 'integer', min: 0, max: 1, description: 'Grade 2+ pneumonitis (1 = yes)' },
];

export interface ImagingCentre {
  imaging: ImagingSource;
  /** CSV of the patients' pseudonyms (patient_id) and outcome (pneumonitis). */
  cohortCsv: string;
  store: DicomStore;
}

/**
 * Mean GTV dose of patient `i` at centre `centre` (Gy): the RT Dose is `base + 0.4 x` Gy (x in mm, left to
 * right), so the lesion's mean dose is about `base`.
 */
export const gtvBaseDoseGy = (centre: number, i: number) => 54 + 1.5 * i + 2 * centre;

/** Writes `patients` synthetic RT patients into a DICOM store under `dataDir` and their pseudonym table. */
export async function seedImagingCentre(
  dataDir: string,
  centre: number,
  patients: number,
  tableDir: string,
): Promise<ImagingCentre> {
  const cfg = resolveDicomConfig(
    IMAGING_DICOM_CONFIG,
    (p) => (p.startsWith('/') ? p : join(dataDir, p)),
    dataDir,
  );
  const store = await openDicomStore(cfg);
  const rnd = new SeededRandom(9000 + centre);
  try {
    for (let i = 0; i < patients; i++) {
      const mrn = `MRN-${centre + 1}-${String(i + 1).padStart(3, '0')}`;
      const p = syntheticCtPatient({ patientId: mrn, seed: 100 * (centre + 1) + i });
      // 21 x 21 x 15 voxels of 2.5 mm over the 46.5 x 46.5 x 33 mm CT: base + 0.4 x Gy
      const base = gtvBaseDoseGy(centre, i);
      const g = {
        origin: [-25, -25, -17.5] as [number, number, number],
        row: [1, 0, 0] as [number, number, number],
        col: [0, 1, 0] as [number, number, number],
        dc: 2.5,
        dr: 2.5,
        nx: 21,
        ny: 21,
        offsets: Array.from({ length: 15 }, (_, k) => 2.5 * k),
      };
      const dose = new Float64Array(g.nx * g.ny * g.offsets.length);
      for (let k = 0; k < g.offsets.length; k++)
        for (let r = 0; r < g.ny; r++)
          for (let c = 0; c < g.nx; c++)
            dose[c + g.nx * (r + g.ny * k)] = base + 0.4 * (g.origin[0] + 2.5 * c);
      const rtdose = writeRtDose(p.identity, g, dose);
      for (const f of [...p.ct, p.rtstruct, rtdose]) {
        const r = await store.ingest(f, { kind: 'folder', name: 'test-federation' });
        if (r.status === 'quarantined')
          throw new Error(
            `the synthetic patient ${mrn} was quarantined at centre ${centre + 1}: ${r.entry.reason}`,
          );
      }
    }
    // the table knows the patients by the store's pseudonyms only (the map to MRNs stays in the store); the
    // synthetic outcome is drawn per pseudonym, about one in three with the complication
    const pseudonyms = [...new Set(store.series().map((s) => s.patientPseudonym))].sort();
    if (pseudonyms.length !== patients)
      throw new Error(
        `centre ${centre + 1}: ${pseudonyms.length} pseudonyms in the store for ${patients} patients`,
      );
    const cohortCsv = join(tableDir, `imaging-cohort-${centre}.csv`);
    writeFileSync(
      cohortCsv,
      `patient_id,pneumonitis\n${pseudonyms.map((ps) => `${ps},${rnd.bernoulli(0.35) ? 1 : 0}`).join('\n')}\n`,
    );
    return { imaging: imagingFromDicomStore(store), cohortCsv, store };
  } catch (err) {
    await store.close();
    throw err;
  }
}
