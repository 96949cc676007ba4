/**
 * A synthetic CT patient for demos and tests: a small axial series with a spherical lesion whose size,
 * contrast and texture follow from a seed, and an RT structure set outlining it (by default as "GTV").
 * Deterministic for a given seed (apart from the UIDs), so features computed from it are reproducible.
 */
import type { PatientGrid, Vec3 } from './ct-series.js';
import {
  newSeriesIdentity,
  type RoiToWrite,
  type SeriesIdentity,
  writeImageSeries,
  writeRtStruct,
} from './write.js';

/** Mulberry32: a small seeded generator, enough for synthetic images. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticPatientOptions {
  readonly patientId: string;
  readonly seed: number;
  /** Name of the lesion ROI (default "GTV"). */
  readonly roiName?: string;
}

export interface SyntheticPatient {
  /** CT slices, then the RT structure set, as DICOM Part 10 files. */
  readonly ct: Uint8Array[];
  readonly rtstruct: Uint8Array;
  /** Lesion radius (mm) and mean intensity (HU) drawn from the seed. */
  readonly radiusMm: number;
  readonly lesionHu: number;
  /** Patient ID, study and frame of reference of the series: for objects on the same frame (an RT Dose). */
  readonly identity: SeriesIdentity;
}

/** One synthetic patient (32 x 32 x 12 voxels of 1.5 x 1.5 x 3 mm) with a lesion of 5 to 13 mm radius. */
export function syntheticCtPatient(opts: SyntheticPatientOptions): SyntheticPatient {
  const rand = rng(opts.seed);
  const grid: PatientGrid = {
    dims: [32, 32, 12],
    spacing: [1.5, 1.5, 3],
    position0: [-23.25, -23.25, -16.5],
    row: [1, 0, 0],
    col: [0, 1, 0],
    normal: [0, 0, 1],
  };
  const [nx, ny, nz] = grid.dims;
  const radiusMm = 5 + 8 * rand();
  const lesionHu = Math.round(-20 + 80 * rand());
  const noise = 10 + 30 * rand();
  const centre: Vec3 = [rand() - 0.5, rand() - 0.5, rand() - 0.5];
  const values = new Float64Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const x = grid.position0[0] + i * grid.spacing[0] - centre[0];
        const y = grid.position0[1] + j * grid.spacing[1] - centre[1];
        const z = grid.position0[2] + k * grid.spacing[2] - centre[2];
        const inside = Math.hypot(x, y, z) <= radiusMm;
        values[i + nx * (j + ny * k)] = Math.round((inside ? lesionHu : -750) + noise * (2 * rand() - 1));
      }
  const id = newSeriesIdentity(opts.patientId);
  const ct = writeImageSeries(grid, values, id);
  const contours: Vec3[][] = [];
  for (let k = 0; k < nz; k++) {
    const z = grid.position0[2] + k * grid.spacing[2];
    const dz = z - centre[2];
    if (Math.abs(dz) >= radiusMm) continue;
    const r = Math.sqrt(radiusMm ** 2 - dz ** 2);
    contours.push(
      Array.from({ length: 64 }, (_, p) => {
        const t = (2 * Math.PI * p) / 64;
        return [centre[0] + r * Math.cos(t), centre[1] + r * Math.sin(t), z] as Vec3;
      }),
    );
  }
  const rois: RoiToWrite[] = [{ number: 1, name: opts.roiName ?? 'GTV', contours }];
  return { ct, rtstruct: writeRtStruct(id, rois), radiusMm, lesionHu, identity: id };
}
