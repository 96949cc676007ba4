/**
 * Measures the DVH engine against the closed-form DVHs of analytic phantoms (Nelms et al. 2015 style): the
 * phantom is written as RT Dose + RT Structure Set, read back and computed like any patient.
 */
import type { Vec3 } from '../dicom/geometry.js';
import { groupRtCases } from '../dicom/load.js';
import { computeDvh, type DvhOptions } from '../dvh/compute.js';
import { doseAtVolumePct, volumeAtDoseCc } from '../dvh/metrics.js';
import { writePhantom } from './phantom.js';
import {
  doseAt,
  exactDoseAtFraction,
  exactFractionAtLeast,
  exactVolumeCc,
  halfExtent,
  type LinearDose,
  type Shape,
} from './shapes.js';

export interface PhantomCase {
  readonly name: string;
  readonly shape: Shape;
  readonly dose: LinearDose;
  readonly orientation?: { row: Vec3; col: Vec3 };
  /** Contour planes at centre + (k + phase) x 2 mm; default 1/2 (the centre between two planes). */
  readonly planePhase?: number;
}

/** Relative errors (calculated / exact - 1) and the largest gap of the cumulative curve (percentage points). */
export interface PhantomErrors {
  readonly name: string;
  readonly volume: number;
  readonly mean: number;
  readonly D98: number;
  readonly D95: number;
  readonly D50: number;
  readonly D2: number;
  readonly curveMaxPp: number;
  readonly samples: number;
}

const AX = { x: 0, y: 1, z: 2 } as const;

export function measurePhantom(c: PhantomCase, opts: DvhOptions = {}): PhantomErrors {
  const { files } = writePhantom({
    structures: [{ name: c.name, shape: c.shape, planePhase: c.planePhase ?? 0.5 }],
    dose: (p) => doseAt(c.shape, c.dose, p),
    ...(c.orientation ? { orientation: c.orientation } : {}),
  });
  const [rt] = groupRtCases(files).cases;
  const s = rt!.structureSet.structures[0]!;
  const dvh = computeDvh(s, rt!.structureSet.where, rt!.dose, opts);
  const rel = (x: number, ref: number) => x / ref - 1;
  const D = (pct: number) => rel(doseAtVolumePct(dvh, pct), exactDoseAtFraction(c.shape, c.dose, pct / 100));
  const ext = halfExtent(c.shape, AX[c.dose.axis]) * Math.abs(c.dose.gyPerMm);
  let curve = 0;
  for (let i = 0; i <= 400; i++) {
    const d = c.dose.centreGy - 1.05 * ext + (2.1 * ext * i) / 400;
    const calc = (100 * volumeAtDoseCc(dvh, d)) / dvh.volumeCc;
    const exact = 100 * exactFractionAtLeast(c.shape, c.dose, d);
    curve = Math.max(curve, Math.abs(calc - exact));
  }
  return {
    name: c.name,
    volume: rel(dvh.volumeCc, exactVolumeCc(c.shape)),
    mean: rel(dvh.meanGy, c.dose.centreGy),
    D98: D(98),
    D95: D(95),
    D50: D(50),
    D2: D(2),
    curveMaxPp: curve,
    samples: dvh.samples,
  };
}

const o: Vec3 = [3.3, -7.1, 11];
/** The phantoms of the accuracy test: shapes of several sizes, gradients in-plane and between planes. */
export const PHANTOMS: readonly PhantomCase[] = [
  {
    name: 'sphere r20, z gradient',
    shape: { kind: 'sphere', centre: o, radius: 20 },
    dose: { centreGy: 50, axis: 'z', gyPerMm: 1 },
  },
  {
    name: 'sphere r20, y gradient',
    shape: { kind: 'sphere', centre: o, radius: 20 },
    dose: { centreGy: 50, axis: 'y', gyPerMm: 1 },
  },
  {
    name: 'sphere r7 (centre on a plane), z gradient',
    shape: { kind: 'sphere', centre: o, radius: 7 },
    dose: { centreGy: 30, axis: 'z', gyPerMm: 1 },
    planePhase: 0,
  },
  {
    name: 'sphere r7, z gradient',
    shape: { kind: 'sphere', centre: o, radius: 7 },
    dose: { centreGy: 30, axis: 'z', gyPerMm: 1 },
  },
  {
    name: 'sphere r7 (planes a quarter spacing off), z gradient',
    shape: { kind: 'sphere', centre: o, radius: 7 },
    dose: { centreGy: 30, axis: 'z', gyPerMm: 1 },
    planePhase: 0.25,
  },
  {
    name: 'sphere r5 (0.5 cc), z gradient',
    shape: { kind: 'sphere', centre: o, radius: 5 },
    dose: { centreGy: 30, axis: 'z', gyPerMm: 1 },
    planePhase: 0.8,
  },
  {
    name: 'sphere r7, x gradient',
    shape: { kind: 'sphere', centre: o, radius: 7 },
    dose: { centreGy: 30, axis: 'x', gyPerMm: 1 },
  },
  {
    name: 'cylinder r10 l24, z gradient',
    shape: { kind: 'cylinder', centre: o, radius: 10, length: 24 },
    dose: { centreGy: 40, axis: 'z', gyPerMm: 1 },
  },
  {
    name: 'cylinder r10 l24, y gradient',
    shape: { kind: 'cylinder', centre: o, radius: 10, length: 24 },
    dose: { centreGy: 40, axis: 'y', gyPerMm: -1 },
  },
  {
    name: 'box 20x30x24, x gradient',
    shape: { kind: 'box', centre: o, size: [20, 30, 24] },
    dose: { centreGy: 40, axis: 'x', gyPerMm: 1 },
  },
  {
    name: 'box 20x30x24, z gradient',
    shape: { kind: 'box', centre: o, size: [20, 30, 24] },
    dose: { centreGy: 40, axis: 'z', gyPerMm: 0.5 },
  },
  {
    name: 'hollow box 40x40x20 hole r10, y gradient',
    shape: { kind: 'hollow-box', centre: o, size: [40, 40, 20], holeRadius: 10 },
    dose: { centreGy: 40, axis: 'y', gyPerMm: 0.5 },
  },
  {
    name: 'sphere r20, z gradient, coronal dose grid',
    shape: { kind: 'sphere', centre: o, radius: 20 },
    dose: { centreGy: 50, axis: 'z', gyPerMm: 1 },
    orientation: { row: [1, 0, 0], col: [0, 0, -1] },
  },
  {
    name: 'sphere r20, y gradient, feet-first prone dose grid',
    shape: { kind: 'sphere', centre: o, radius: 20 },
    dose: { centreGy: 50, axis: 'y', gyPerMm: 1 },
    orientation: { row: [1, 0, 0], col: [0, -1, 0] },
  },
];
