/**
 * Dose–volume histogram of one structure on a dose grid.
 *
 * Geometry: each closed planar contour stands for a slab one contour spacing thick, centred on its plane;
 * on a plane a point is inside when it lies inside an odd number of the plane's contours (even-odd rule:
 * a contour inside another cuts a hole, separate contours add up). As in dicompyler-core, points of a
 * lattice aligned with the dose grid are tested against the polygons; the lattice is the dose grid's own
 * points supersampled in-plane by an integer factor, and each slab is cut into sub-slices, the dose being
 * interpolated trilinearly at every sample (in-plane supersampling and between-plane interpolation), so
 * small structures and steep gradients come out right. The sample spacing follows from a sample budget
 * (volume / budget)^(1/3), within [0.1 mm, the dose grid spacing]. Doses are binned at `binWidthGy`
 * (default 0.01 Gy); mean, minimum and maximum come from the samples themselves.
 */
import { FedhubError } from '@fedhub/protocol';
import { cross, dot, norm, unit, type Vec3 } from '../dicom/geometry.js';
import type { DoseGrid } from '../dicom/rtdose.js';
import type { Structure } from '../dicom/rtstruct.js';
import { doseSampler } from './sampler.js';

export interface DvhOptions {
  /** Width of the histogram bins (Gy); default 0.01. */
  readonly binWidthGy?: number;
  /** Samples aimed at per structure (sets the sample spacing); default 4e6. */
  readonly sampleBudget?: number;
  /** Contour spacing (mm) for a structure contoured on one plane only; default the dose grid spacing along the contour normal. */
  readonly sliceThickness?: number;
  /** Where part of the structure lies outside the dose grid: refuse (default) or count it as 0 Gy. */
  readonly outside?: 'error' | 'zero';
  /** Accept gaps between contour planes (separate parts of one structure) instead of refusing them as missing slices. */
  readonly allowGaps?: boolean;
}

/** A structure's DVH: the differential histogram (cc per bin) and exact sample statistics. */
export interface Dvh {
  readonly structure: string;
  readonly volumeCc: number;
  readonly binWidthGy: number;
  /** Volume (cc) with dose in [k * binWidthGy, (k + 1) * binWidthGy). */
  readonly differentialCc: Float64Array;
  readonly minGy: number;
  readonly maxGy: number;
  readonly meanGy: number;
  /** Number of dose samples and the sample spacing in-plane and between planes (mm). */
  readonly samples: number;
  readonly spacingMm: { inPlane: number; normal: number };
  readonly planes: number;
}

interface Plane {
  w: number;
  /** Edges as a0, b0, a1, b1 quadruples in the plane's (a, b) coordinates. */
  edges: number[];
  aMin: number;
  aMax: number;
  bMin: number;
  bMax: number;
}

type RefusalCode =
  | 'FH_ERR_RT_OPEN_CONTOUR'
  | 'FH_ERR_RT_GEOMETRY'
  | 'FH_ERR_RT_MISSING_SLICE'
  | 'FH_ERR_RT_DOSE_COVERAGE';

function refuse(code: RefusalCode, where: string, s: Structure, what: string): never {
  throw new FedhubError(code, `${where}: structure "${s.name}": ${what}`, { file: where, structure: s.name });
}

/** Newell's normal of a polygon (unnormalised; zero for a degenerate one). */
function newell(p: Float64Array): Vec3 {
  let nx = 0;
  let ny = 0;
  let nz = 0;
  const n = p.length / 3;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const [x0, y0, z0] = [p[3 * i]!, p[3 * i + 1]!, p[3 * i + 2]!];
    const [x1, y1, z1] = [p[3 * j]!, p[3 * j + 1]!, p[3 * j + 2]!];
    nx += (y0 - y1) * (z0 + z1);
    ny += (z0 - z1) * (x0 + x1);
    nz += (x0 - x1) * (y0 + y1);
  }
  return [nx, ny, nz];
}

/** In-plane axes, normal and lattice origin: the dose grid's axes when one is along the contour normal. */
function frameFor(
  n: Vec3,
  g: DoseGrid,
): { A: Vec3; B: Vec3; W: Vec3; da: number; db: number; dw: number; a0: number; b0: number } {
  const axes: Array<{ v: Vec3; d: number }> = [
    { v: g.row, d: g.dc },
    { v: g.col, d: g.dr },
    { v: g.normal, d: g.nz > 1 ? Math.abs(g.offsets[1]! - g.offsets[0]!) : Math.min(g.dc, g.dr) },
  ];
  const along = axes.findIndex((x) => Math.abs(dot(x.v, n)) > 0.9999);
  if (along >= 0) {
    const [p, q] = axes.filter((_, i) => i !== along) as [{ v: Vec3; d: number }, { v: Vec3; d: number }];
    const w = axes[along]!;
    const W: Vec3 = dot(w.v, n) > 0 ? w.v : [-w.v[0], -w.v[1], -w.v[2]];
    return { A: p.v, B: q.v, W, da: p.d, db: q.d, dw: w.d, a0: dot(g.origin, p.v), b0: dot(g.origin, q.v) };
  }
  // contours oblique to the dose grid: any in-plane axes, dose interpolated at every sample all the same
  const W = unit(n);
  const seed: Vec3 = Math.abs(W[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const A = unit(cross(seed, W));
  const B = cross(W, A);
  const d = Math.min(g.dc, g.dr);
  return { A, B, W, da: d, db: d, dw: d, a0: dot(g.origin, A), b0: dot(g.origin, B) };
}

/** The structure's planes (contours grouped by position along the normal) in the dose grid's frame. */
function planesOf(s: Structure, where: string, g: DoseGrid) {
  const closed = s.contours.filter((c) => c.geometricType !== 'POINT');
  if (closed.length === 0) refuse('FH_ERR_RT_GEOMETRY', where, s, 'no closed planar contours');
  let normal: Vec3 | null = null;
  for (const c of closed) {
    if (c.geometricType !== 'CLOSED_PLANAR')
      refuse(
        'FH_ERR_RT_OPEN_CONTOUR',
        where,
        s,
        `a contour is ${c.geometricType}, only CLOSED_PLANAR contours enclose a volume`,
      );
    if (c.points.length < 9) refuse('FH_ERR_RT_OPEN_CONTOUR', where, s, 'a contour has fewer than 3 points');
    const nv = newell(c.points);
    if (norm(nv) > 1e-9) {
      const u = unit(nv);
      if (normal === null) normal = Math.abs(u[2]) > 0.5 ? (u[2] > 0 ? u : [-u[0], -u[1], -u[2]]) : u;
      else if (Math.abs(dot(u, normal)) < 0.999)
        refuse('FH_ERR_RT_GEOMETRY', where, s, 'contours lie on planes that are not parallel');
    }
  }
  if (normal === null) refuse('FH_ERR_RT_GEOMETRY', where, s, 'every contour is degenerate (no area)');
  const f = frameFor(normal, g);
  const byW = new Map<number, Plane>();
  const ws: number[] = [];
  for (const c of closed) {
    const n = c.points.length / 3;
    const pa = new Float64Array(n);
    const pb = new Float64Array(n);
    let w0 = 0;
    let wLo = Number.POSITIVE_INFINITY;
    let wHi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const p: Vec3 = [c.points[3 * i]!, c.points[3 * i + 1]!, c.points[3 * i + 2]!];
      pa[i] = dot(p, f.A);
      pb[i] = dot(p, f.B);
      const w = dot(p, f.W);
      w0 += w / n;
      wLo = Math.min(wLo, w);
      wHi = Math.max(wHi, w);
    }
    if (wHi - wLo > 0.05)
      refuse(
        'FH_ERR_RT_OPEN_CONTOUR',
        where,
        s,
        `a contour near ${w0.toFixed(2)} mm is not planar (spread ${(wHi - wLo).toFixed(2)} mm)`,
      );
    let key = ws.find((w) => Math.abs(w - w0) < 0.05);
    if (key === undefined) {
      key = w0;
      ws.push(w0);
      byW.set(w0, { w: w0, edges: [], aMin: Infinity, aMax: -Infinity, bMin: Infinity, bMax: -Infinity });
    }
    const plane = byW.get(key)!;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      plane.edges.push(pa[i]!, pb[i]!, pa[j]!, pb[j]!);
      plane.aMin = Math.min(plane.aMin, pa[i]!);
      plane.aMax = Math.max(plane.aMax, pa[i]!);
      plane.bMin = Math.min(plane.bMin, pb[i]!);
      plane.bMax = Math.max(plane.bMax, pb[i]!);
    }
  }
  const planes = [...byW.values()].sort((x, y) => x.w - y.w);
  return { planes, frame: f };
}

/** Sorted a-coordinates where the plane's edges cross the line b = const (half-open rule). */
function crossings(edges: number[], b: number, out: number[]): number[] {
  out.length = 0;
  for (let e = 0; e < edges.length; e += 4) {
    const a0 = edges[e]!;
    const b0 = edges[e + 1]!;
    const a1 = edges[e + 2]!;
    const b1 = edges[e + 3]!;
    if (b0 <= b !== b1 <= b) out.push(a0 + ((b - b0) / (b1 - b0)) * (a1 - a0));
  }
  return out.sort((x, y) => x - y);
}

/** Computes the DVH of `s` (from file `where`) on `g`; see the module comment. */
export function computeDvh(s: Structure, where: string, g: DoseGrid, opts: DvhOptions = {}): Dvh {
  if (s.frameOfReferenceUid !== undefined && s.frameOfReferenceUid !== g.frameOfReferenceUid)
    throw new FedhubError(
      'FH_ERR_RT_FRAME_MISMATCH',
      `${where}: structure "${s.name}" is on frame of reference ${s.frameOfReferenceUid}, the dose grid ${g.where} on ${g.frameOfReferenceUid}`,
      { file: where, structure: s.name },
    );
  const binWidth = opts.binWidthGy ?? 0.01;
  const budget = opts.sampleBudget ?? 4e6;
  const { planes, frame: F } = planesOf(s, where, g);
  // contour spacing: the median gap between planes; larger gaps are missing slices
  let spacing: number;
  if (planes.length === 1) spacing = opts.sliceThickness ?? F.dw;
  else {
    const gaps = planes
      .slice(1)
      .map((p, i) => p.w - planes[i]!.w)
      .sort((x, y) => x - y);
    spacing = opts.sliceThickness ?? gaps[Math.floor((gaps.length - 1) / 2)]!;
    if (!opts.allowGaps)
      for (let i = 1; i < planes.length; i++) {
        const gap = planes[i]!.w - planes[i - 1]!.w;
        if (gap > 1.5 * spacing)
          refuse(
            'FH_ERR_RT_MISSING_SLICE',
            where,
            s,
            `no contour between ${planes[i - 1]!.w.toFixed(2)} and ${planes[i]!.w.toFixed(2)} mm (contour spacing ${spacing.toFixed(2)} mm)`,
          );
      }
  }
  // the sample spacing from the budget: the volume estimated from bounding boxes
  let roughVolume = 0;
  for (const p of planes) roughVolume += (p.aMax - p.aMin) * (p.bMax - p.bMin) * spacing;
  const h = Math.min(Math.max(Math.cbrt(roughVolume / budget), 0.1), Math.min(F.da, F.db));
  const fa = Math.min(32, Math.ceil(F.da / h - 1e-9));
  const fb = Math.min(32, Math.ceil(F.db / h - 1e-9));
  const K = Math.max(1, Math.ceil(spacing / h - 1e-9));
  const ha = F.da / fa;
  const hb = F.db / fb;
  const hw = spacing / K;
  const cell = ha * hb * hw;
  // lattice: dose-grid points when the factor is 1, else the centres of the sub-cells of each dose voxel
  const shiftA = fa === 1 ? 0 : 0.5 / fa - 0.5;
  const shiftB = fb === 1 ? 0 : 0.5 / fb - 0.5;
  const sampler = doseSampler(g);
  const counts: number[] = [];
  let n = 0;
  let outsideN = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const xs: number[] = [];
  const { A, B, W } = F;
  for (const p of planes) {
    const mLo = Math.ceil((p.bMin - F.b0) / hb - shiftB * fb - 1e-9);
    const mHi = Math.floor((p.bMax - F.b0) / hb - shiftB * fb + 1e-9);
    for (let m = mLo; m <= mHi; m++) {
      const b = F.b0 + (m + shiftB * fb) * hb;
      crossings(p.edges, b, xs);
      for (let c = 0; c + 1 < xs.length; c += 2) {
        const iLo = Math.ceil((xs[c]! - F.a0) / ha - shiftA * fa - 1e-9);
        const iHi = Math.ceil((xs[c + 1]! - F.a0) / ha - shiftA * fa - 1e-9) - 1;
        for (let i = iLo; i <= iHi; i++) {
          const a = F.a0 + (i + shiftA * fa) * ha;
          for (let k = 0; k < K; k++) {
            const w = p.w - spacing / 2 + (k + 0.5) * hw;
            let d = sampler.at(
              a * A[0] + b * B[0] + w * W[0],
              a * A[1] + b * B[1] + w * W[1],
              a * A[2] + b * B[2] + w * W[2],
            );
            if (Number.isNaN(d)) {
              outsideN++;
              d = 0;
            }
            n++;
            sum += d;
            if (d < min) min = d;
            if (d > max) max = d;
            // a hair above the quotient, so that a dose on a bin edge (60 Gy / 0.01) falls in the bin it starts
            const bin = Math.floor(d / binWidth + 1e-9);
            while (counts.length <= bin) counts.push(0);
            counts[bin]! += 1;
          }
        }
      }
    }
  }
  if (n === 0)
    refuse('FH_ERR_RT_GEOMETRY', where, s, 'encloses no sample point (smaller than the sampling lattice)');
  if (outsideN > 0 && (opts.outside ?? 'error') === 'error')
    refuse(
      'FH_ERR_RT_DOSE_COVERAGE',
      where,
      s,
      `${((100 * outsideN) / n).toFixed(1)} % of its volume lies outside the dose grid ${g.where}`,
    );
  return {
    structure: s.name,
    volumeCc: (n * cell) / 1000,
    binWidthGy: binWidth,
    differentialCc: Float64Array.from(counts, (c) => (c * cell) / 1000),
    minGy: min,
    maxGy: max,
    meanGy: sum / n,
    samples: n,
    spacingMm: { inPlane: Math.max(ha, hb), normal: hw },
    planes: planes.length,
  };
}
