/**
 * Analytic phantoms after Nelms et al. 2015 (Med Phys 42(8)): spheres, cylinders and boxes in a linear dose
 * gradient, contoured on planes 2 mm apart, with closed-form volumes and cumulative DVHs. A linear dose
 * D(p) = Dc + G . (p - c) over a shape symmetric about its centre c has mean Dc; the fraction of the
 * volume receiving at least d follows from the shape's cross-sections along G.
 */
import type { Vec3 } from '../dicom/geometry.js';

export type Shape =
  | { kind: 'sphere'; centre: Vec3; radius: number }
  /** A cylinder along z. */
  | { kind: 'cylinder'; centre: Vec3; radius: number; length: number }
  | { kind: 'box'; centre: Vec3; size: Vec3 }
  /** A box along z with a cylindrical hole along z through it (a contour inside another: the even-odd rule). */
  | { kind: 'hollow-box'; centre: Vec3; size: Vec3; holeRadius: number };

/** Linear dose: `centreGy` at the shape's centre, `gradient` Gy/mm along one axis. */
export interface LinearDose {
  readonly centreGy: number;
  readonly axis: 'x' | 'y' | 'z';
  readonly gyPerMm: number;
}

const AXIS = { x: 0, y: 1, z: 2 } as const;

export function doseAt(shape: Shape, dose: LinearDose, p: Vec3): number {
  const a = AXIS[dose.axis];
  return dose.centreGy + dose.gyPerMm * (p[a] - shape.centre[a]);
}

/** Exact volume (cc). */
export function exactVolumeCc(s: Shape): number {
  switch (s.kind) {
    case 'sphere':
      return ((4 / 3) * Math.PI * s.radius ** 3) / 1000;
    case 'cylinder':
      return (Math.PI * s.radius ** 2 * s.length) / 1000;
    case 'box':
      return (s.size[0] * s.size[1] * s.size[2]) / 1000;
    case 'hollow-box':
      return (s.size[0] * s.size[1] * s.size[2] - Math.PI * s.holeRadius ** 2 * s.size[2]) / 1000;
  }
}

/** Fraction of a disk of radius r beyond the chord at signed distance t from its centre. */
function diskBeyond(r: number, t: number): number {
  if (t >= r) return 0;
  if (t <= -r) return 1;
  return (r * r * Math.acos(t / r) - t * Math.sqrt(r * r - t * t)) / (Math.PI * r * r);
}

/** Exact fraction (0..1) of the volume receiving at least `d` Gy. */
export function exactFractionAtLeast(s: Shape, dose: LinearDose, d: number): number {
  const g = dose.gyPerMm;
  // t: the signed distance from the centre, along the gradient axis, where the dose is d
  const t = (d - dose.centreGy) / g;
  const sign = g > 0 ? 1 : -1;
  const tt = sign * t;
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  const a = AXIS[dose.axis];
  switch (s.kind) {
    case 'sphere': {
      const h = Math.min(2 * s.radius, Math.max(0, s.radius - tt));
      return (Math.PI * h * h * (3 * s.radius - h)) / 3 / ((4 / 3) * Math.PI * s.radius ** 3);
    }
    case 'cylinder':
      return a === 2 ? clamp(0.5 - tt / s.length) : diskBeyond(s.radius, tt);
    case 'box':
      return clamp(0.5 - tt / s.size[a]);
    case 'hollow-box': {
      const box = s.size[0] * s.size[1];
      const hole = Math.PI * s.holeRadius ** 2;
      if (a === 2) return clamp(0.5 - tt / s.size[2]);
      const boxPart = clamp(0.5 - tt / s.size[a]) * box;
      const holePart = diskBeyond(s.holeRadius, tt) * hole;
      return (boxPart - holePart) / (box - hole);
    }
  }
}

/** The exact dose (Gy) received by at least `fraction` of the volume, by bisection on the exact DVH. */
export function exactDoseAtFraction(s: Shape, dose: LinearDose, fraction: number): number {
  const ext = halfExtent(s, AXIS[dose.axis]);
  let lo = dose.centreGy - Math.abs(dose.gyPerMm) * ext;
  let hi = dose.centreGy + Math.abs(dose.gyPerMm) * ext;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (exactFractionAtLeast(s, dose, mid) >= fraction) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function halfExtent(s: Shape, axis: number): number {
  switch (s.kind) {
    case 'sphere':
      return s.radius;
    case 'cylinder':
      return axis === 2 ? s.length / 2 : s.radius;
    default:
      return s.size[axis]! / 2;
  }
}

function circle(cx: number, cy: number, r: number, z: number, n: number, clockwise = false): Vec3[] {
  return Array.from({ length: n }, (_, i) => {
    const th = ((clockwise ? -1 : 1) * 2 * Math.PI * i) / n;
    return [cx + r * Math.cos(th), cy + r * Math.sin(th), z] as Vec3;
  });
}

/**
 * Closed planar contours of the shape on the planes z = centre z + (k + phase) x spacing that cut it; with the
 * default phase 1/2 the slabs one spacing thick centred on the planes tile a shape whose length is a
 * multiple of the spacing. Circles are polygons of `points` vertices scaled to keep the circle's area.
 */
export function contoursOf(s: Shape, spacing = 2, points = 360, phase = 0.5): Vec3[][] {
  const [cx, cy, cz] = s.centre;
  const half = halfExtent(s, 2);
  const out: Vec3[][] = [];
  const areaScale = Math.sqrt((2 * Math.PI) / (points * Math.sin((2 * Math.PI) / points)));
  for (let k = -Math.ceil(half / spacing) - 1; k <= Math.ceil(half / spacing); k++) {
    const z = cz + (k + phase) * spacing;
    const dz = z - cz;
    if (Math.abs(dz) >= half) continue;
    switch (s.kind) {
      case 'sphere':
        out.push(circle(cx, cy, Math.sqrt(s.radius ** 2 - dz * dz) * areaScale, z, points));
        break;
      case 'cylinder':
        out.push(circle(cx, cy, s.radius * areaScale, z, points));
        break;
      case 'box':
      case 'hollow-box': {
        const [hx, hy] = [s.size[0] / 2, s.size[1] / 2];
        out.push([
          [cx - hx, cy - hy, z],
          [cx + hx, cy - hy, z],
          [cx + hx, cy + hy, z],
          [cx - hx, cy + hy, z],
        ]);
        if (s.kind === 'hollow-box') out.push(circle(cx, cy, s.holeRadius * areaScale, z, points, true));
        break;
      }
    }
  }
  return out;
}
