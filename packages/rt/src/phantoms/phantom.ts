/**
 * Writes an analytic phantom as DICOM: an RT Structure Set with the shapes' contours (2 mm apart) and an
 * RT Dose of a linear gradient on a 2.5 mm grid covering them with a margin, in any orientation.
 */
import type { Vec3 } from '../dicom/geometry.js';
import {
  type DoseGridSpec,
  newRtIdentity,
  type RtIdentity,
  writeRtDose,
  writeRtPlan,
  writeRtStruct,
} from '../dicom/write.js';
import { contoursOf, type Shape } from './shapes.js';

export interface PhantomSpec {
  readonly patientId?: string;
  /** `planePhase`: where the contour planes lie, z = centre + (k + phase) x spacing (default 1/2). */
  readonly structures: ReadonlyArray<{
    name: string;
    shape: Shape;
    interpretedType?: string;
    planePhase?: number;
  }>;
  /** Dose (Gy) at any point of patient space. */
  readonly dose: (p: Vec3) => number;
  readonly doseSpacing?: number;
  readonly contourSpacing?: number;
  /** Image Orientation (Patient) of the dose grid; default axial head-first supine. */
  readonly orientation?: { row: Vec3; col: Vec3 };
  readonly prescription?: { prescriptionGy: number; fractions: number };
}

export interface PhantomFiles {
  readonly id: RtIdentity;
  readonly files: Array<{ name: string; bytes: Uint8Array }>;
}

/** Builds the phantom's RT Dose, RT Structure Set and (where a prescription is given) RT Plan. */
export function writePhantom(spec: PhantomSpec): PhantomFiles {
  const id = newRtIdentity(spec.patientId ?? 'PHANTOM');
  const spacing = spec.doseSpacing ?? 2.5;
  const contourSpacing = spec.contourSpacing ?? 2;
  const rois = spec.structures.map((s, i) => ({
    number: i + 1,
    name: s.name,
    interpretedType: s.interpretedType ?? 'ORGAN',
    contours: contoursOf(s.shape, contourSpacing, 360, s.planePhase ?? 0.5),
  }));
  // bounding box of every contour point, with a margin of two dose voxels
  const lo: [number, number, number] = [Infinity, Infinity, Infinity];
  const hi: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (const r of rois)
    for (const c of r.contours)
      for (const p of c)
        for (let a = 0; a < 3; a++) {
          lo[a] = Math.min(lo[a]!, p[a]! - (a === 2 ? contourSpacing : 0));
          hi[a] = Math.max(hi[a]!, p[a]! + (a === 2 ? contourSpacing : 0));
        }
  const row = spec.orientation?.row ?? [1, 0, 0];
  const col = spec.orientation?.col ?? [0, 1, 0];
  const normal: Vec3 = [
    row[1] * col[2] - row[2] * col[1],
    row[2] * col[0] - row[0] * col[2],
    row[0] * col[1] - row[1] * col[0],
  ];
  // extent of the box along each grid axis, from its corners
  const corners: Vec3[] = [];
  for (const x of [lo[0], hi[0]])
    for (const y of [lo[1], hi[1]]) for (const z of [lo[2], hi[2]]) corners.push([x, y, z]);
  const proj = (v: Vec3) => corners.map((c) => c[0] * v[0] + c[1] * v[1] + c[2] * v[2]);
  const range = (v: Vec3) => {
    const p = proj(v);
    // grid points on an offset lattice (not through the shapes' centres) with two voxels of margin
    const start = Math.floor(Math.min(...p) / spacing) * spacing - 2 * spacing + spacing * 0.37;
    return { start, n: Math.ceil((Math.max(...p) - start) / spacing) + 3 };
  };
  const ru = range(row);
  const rv = range(col);
  const rw = range(normal);
  const origin: Vec3 = [0, 1, 2].map(
    (a) => ru.start * row[a]! + rv.start * col[a]! + rw.start * normal[a]!,
  ) as unknown as Vec3;
  const g: DoseGridSpec = {
    origin,
    row,
    col,
    dc: spacing,
    dr: spacing,
    nx: ru.n,
    ny: rv.n,
    offsets: Array.from({ length: rw.n }, (_, k) => k * spacing),
  };
  const dose = new Float64Array(g.nx * g.ny * rw.n);
  for (let k = 0; k < rw.n; k++)
    for (let j = 0; j < g.ny; j++)
      for (let i = 0; i < g.nx; i++) {
        const p: Vec3 = [0, 1, 2].map(
          (a) => origin[a]! + i * spacing * row[a]! + j * spacing * col[a]! + k * spacing * normal[a]!,
        ) as unknown as Vec3;
        dose[(k * g.ny + j) * g.nx + i] = Math.max(0, spec.dose(p));
      }
  const files = [
    { name: 'RTDOSE.dcm', bytes: writeRtDose(id, g, dose) },
    { name: 'RTSTRUCT.dcm', bytes: writeRtStruct(id, rois) },
  ];
  if (spec.prescription) files.push({ name: 'RTPLAN.dcm', bytes: writeRtPlan(id, spec.prescription) });
  return { id, files };
}
