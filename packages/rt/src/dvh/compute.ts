/**
 * Dose–volume histogram of one structure on a dose grid.
 *
 * Geometry: the structure spans its contour planes and an end cap beyond the first and last plane of each
 * part; between planes the cross-section is interpolated from the two contours with its area kept on a
 * smooth curve through the planes' areas, and the caps taper to the pole the areas point to, or are half a
 * spacing at a flat end (see between-planes.ts). A structure contoured on one plane is a slab one spacing
 * thick. On a plane a point is inside when it lies inside an odd number of the plane's contours (even-odd rule:
 * a contour inside another cuts a hole, separate contours add up). As in dicompyler-core, points of a
 * lattice aligned with the dose grid are tested against the polygons; the lattice is the dose grid's own
 * points supersampled in-plane by an integer factor, and the span between planes is cut into sub-slices, the dose being
 * interpolated trilinearly at every sample (in-plane supersampling and between-plane interpolation), so
 * small structures and steep gradients come out right. The sample spacing follows from a sample budget
 * (volume / budget)^(1/3), within [0.1 mm, the dose grid spacing]. Doses are binned at `binWidthGy`
 * (default 0.01 Gy); mean, minimum and maximum come from the samples themselves.
 */
import { FedhubError } from '@fedhub/protocol';
import { cross, dot, norm, unit, type Vec3 } from '../dicom/geometry.js';
import type { DoseGrid } from '../dicom/rtdose.js';
import type { Structure } from '../dicom/rtstruct.js';
import {
  crossings,
  edgeDistance,
  indexOf,
  measurePlane,
  offsetFor,
  type Plane,
  stretchesOf,
} from './between-planes.js';
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
      byW.set(w0, {
        w: w0,
        edges: [],
        aMin: Infinity,
        aMax: -Infinity,
        bMin: Infinity,
        bMax: -Infinity,
        area: 0,
        perimeter: 0,
      });
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
  for (const p of planes) measurePlane(p);
  return { planes, frame: f };
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
  const ha = F.da / fa;
  const hb = F.db / fb;
  // lattice: dose-grid points when the factor is 1, else the centres of the sub-cells of each dose voxel
  const shiftA = fa === 1 ? 0 : 0.5 / fa - 0.5;
  const shiftB = fb === 1 ? 0 : 0.5 / fb - 0.5;
  const sampler = doseSampler(g);
  const volumes: number[] = [];
  let n = 0;
  let outsideV = 0;
  let totalV = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let hwMax = 0;
  const { A, B, W } = F;
  const sample = (a: number, b: number, w: number, cell: number) => {
    let d = sampler.at(
      a * A[0] + b * B[0] + w * W[0],
      a * A[1] + b * B[1] + w * W[1],
      a * A[2] + b * B[2] + w * W[2],
    );
    if (Number.isNaN(d)) {
      outsideV += cell;
      d = 0;
    }
    n++;
    totalV += cell;
    sum += d * cell;
    if (d < min) min = d;
    if (d > max) max = d;
    // a hair above the quotient, so that a dose on a bin edge (60 Gy / 0.01) falls in the bin it starts
    const bin = Math.floor(d / binWidth + 1e-9);
    while (volumes.length <= bin) volumes.push(0);
    volumes[bin]! += cell;
  };
  const xsP: number[] = [];
  const xsQ: number[] = [];
  for (const st of stretchesOf(planes, spacing)) {
    const { P, Q, w0, w1 } = st;
    if (w1 - w0 <= 0) continue;
    const K = Math.max(1, Math.ceil((w1 - w0) / h - 1e-9));
    const hw = (w1 - w0) / K;
    hwMax = Math.max(hwMax, hw);
    const cell = ha * hb * hw;
    const ws = Array.from({ length: K }, (_, k) => w0 + (k + 0.5) * hw);
    // per sub-slice: t from P (0) to Q (1), and the inward offset (mm) that gives the smooth area
    const ts = ws.map((w) => (P ? (w - P.w) / (Q.w - P.w) : 1));
    const offsets = ws.map((w, k) => {
      if (!P) return offsetFor(Q.area, Q.perimeter, st.areaAt(w));
      const t = ts[k]!;
      const plain = ((1 - t) * Math.sqrt(P.area) + t * Math.sqrt(Q.area)) ** 2;
      return offsetFor(plain, (1 - t) * P.perimeter + t * Q.perimeter, st.areaAt(w));
    });
    const dMin = Math.min(...offsets);
    const dMax = Math.max(...offsets);
    const band = Math.max(Math.abs(dMin), Math.abs(dMax));
    const reach = Math.max(0, -dMin);
    const aMin = Math.min(Q.aMin, P?.aMin ?? Q.aMin) - reach;
    const aMax = Math.max(Q.aMax, P?.aMax ?? Q.aMax) + reach;
    const bMin = Math.min(Q.bMin, P?.bMin ?? Q.bMin) - reach;
    const bMax = Math.max(Q.bMax, P?.bMax ?? Q.bMax) + reach;
    const mLo = Math.ceil((bMin - F.b0) / hb - shiftB * fb - 1e-9);
    const mHi = Math.floor((bMax - F.b0) / hb - shiftB * fb + 1e-9);
    const iLo = Math.ceil((aMin - F.a0) / ha - shiftA * fa - 1e-9);
    const iHi = Math.floor((aMax - F.a0) / ha - shiftA * fa + 1e-9);
    const all = (a: number, b: number) => {
      for (let k = 0; k < K; k++) sample(a, b, ws[k]!, cell);
    };
    for (let m = mLo; m <= mHi; m++) {
      const b = F.b0 + (m + shiftB * fb) * hb;
      crossings(Q.edges, b, xsQ);
      if (P) crossings(P.edges, b, xsP);
      else xsP.length = 0;
      if (dMin >= 0 && xsQ.length === 0 && xsP.length === 0) continue;
      let cq = 0;
      let cp = 0;
      for (let i = iLo; i <= iHi; i++) {
        const a = F.a0 + (i + shiftA * fa) * ha;
        while (cq < xsQ.length && xsQ[cq]! <= a) cq++;
        while (cp < xsP.length && xsP[cp]! <= a) cp++;
        const inQ = (cq & 1) === 1;
        if (!P) {
          // a slab or an end cap: the contour of Q shrunk inwards by the offset (never grown)
          if (!inQ) continue;
          if (dMax <= 0) {
            all(a, b);
            continue;
          }
          const d = indexOf(Q).near(a, b, dMax);
          if (!Number.isFinite(d)) all(a, b);
          else for (let k = 0; k < K; k++) if (d > offsets[k]!) sample(a, b, ws[k]!, cell);
          continue;
        }
        const inP = (cp & 1) === 1;
        if (inP && inQ && dMax <= 0) {
          all(a, b);
          continue;
        }
        if (!inP && !inQ && dMin >= 0) continue;
        if (inP === inQ) {
          // far from both contours (beyond the offset band) the point is where both planes put it
          const far =
            !Number.isFinite(indexOf(P).near(a, b, band)) && !Number.isFinite(indexOf(Q).near(a, b, band));
          if (far) {
            if (inP) all(a, b);
            continue;
          }
        }
        // the signed distances (negative inside) interpolated, less the offset
        const sp = (inP ? -1 : 1) * edgeDistance(P.edges, a, b);
        const sq = (inQ ? -1 : 1) * edgeDistance(Q.edges, a, b);
        for (let k = 0; k < K; k++) {
          const t = ts[k]!;
          if ((1 - t) * sp + t * sq < -offsets[k]!) sample(a, b, ws[k]!, cell);
        }
      }
    }
  }
  if (n === 0)
    refuse('FH_ERR_RT_GEOMETRY', where, s, 'encloses no sample point (smaller than the sampling lattice)');
  if (outsideV > 0 && (opts.outside ?? 'error') === 'error')
    refuse(
      'FH_ERR_RT_DOSE_COVERAGE',
      where,
      s,
      `${((100 * outsideV) / totalV).toFixed(1)} % of its volume lies outside the dose grid ${g.where}`,
    );
  return {
    structure: s.name,
    volumeCc: totalV / 1000,
    binWidthGy: binWidth,
    differentialCc: Float64Array.from(volumes, (v) => v / 1000),
    minGy: min,
    maxGy: max,
    meanGy: sum / totalV,
    samples: n,
    spacingMm: { inPlane: Math.max(ha, hb), normal: hwMax },
    planes: planes.length,
  };
}
