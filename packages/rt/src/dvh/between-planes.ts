/**
 * The shape of a structure between and beyond its contour planes.
 *
 * Between two neighbouring planes the cross-section is the signed-distance interpolation of the two planes'
 * contours (shape-based interpolation), moved outwards or inwards by an offset so that its area follows a
 * smooth curve through the planes' areas (the mean of the quadratics through three neighbouring planes).
 * A plain interpolation of the contours cuts the corners of a convex organ: a 1.4 cc sphere contoured every
 * 2 mm comes out 2.7 % small; with the area curve a sphere's cross-sections are exact (its area is a
 * quadratic in the position along the axis). Beyond the first and last plane of a part, an end cap: the last
 * contour shrunk inwards as the area extrapolated from the last three planes falls, up to where it reaches
 * zero (the pole) when that lies within one contour spacing; where the area does not fall to zero within a
 * spacing (a flat end, a box or a cylinder), the cap is half a spacing, the slab convention of the planning
 * systems, lengthened smoothly towards a full spacing as the pole comes closer. This follows the end-capping
 * and sub-slab handling that Nelms et al. 2015 (Med Phys 42(8)) found to decide small-structure accuracy.
 */

export interface Plane {
  w: number;
  /** Edges as a0, b0, a1, b1 quadruples in the plane's (a, b) coordinates. */
  edges: number[];
  aMin: number;
  aMax: number;
  bMin: number;
  bMax: number;
  /** Area (mm²) inside by the even-odd rule, and the contours' total length (mm). */
  area: number;
  perimeter: number;
  index?: EdgeIndex;
}

/** Area (even-odd rule) by integrating the scan-line intervals over 512 rows; the perimeter from the edges. */
export function measurePlane(p: Plane): void {
  const rows = 512;
  const hb = (p.bMax - p.bMin) / rows;
  let area = 0;
  const xs: number[] = [];
  for (let r = 0; r < rows; r++) {
    const b = p.bMin + (r + 0.5) * hb;
    crossings(p.edges, b, xs);
    for (let c = 0; c + 1 < xs.length; c += 2) area += (xs[c + 1]! - xs[c]!) * hb;
  }
  let perimeter = 0;
  for (let e = 0; e < p.edges.length; e += 4)
    perimeter += Math.hypot(p.edges[e + 2]! - p.edges[e]!, p.edges[e + 3]! - p.edges[e + 1]!);
  p.area = area;
  p.perimeter = perimeter;
}

/** Sorted a-coordinates where the plane's edges cross the line b = const (half-open rule). */
export function crossings(edges: number[], b: number, out: number[]): number[] {
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

function segmentDistance2(edges: number[], e: number, a: number, b: number): number {
  const a0 = edges[e]!;
  const b0 = edges[e + 1]!;
  const ea = edges[e + 2]! - a0;
  const eb = edges[e + 3]! - b0;
  const pa = a - a0;
  const pb = b - b0;
  const len = ea * ea + eb * eb;
  const u = len > 0 ? Math.min(1, Math.max(0, (pa * ea + pb * eb) / len)) : 0;
  const da = pa - u * ea;
  const db = pb - u * eb;
  return da * da + db * db;
}

/** Distance from (a, b) to the nearest edge of a plane's contours. */
export function edgeDistance(edges: number[], a: number, b: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let e = 0; e < edges.length; e += 4) best = Math.min(best, segmentDistance2(edges, e, a, b));
  return Math.sqrt(best);
}

const CELL_MM = 2;

/** Edges bucketed on a 2 mm grid, to tell quickly whether a point lies within a narrow band of the contours. */
export class EdgeIndex {
  private readonly cells = new Map<number, number[]>();
  constructor(private readonly edges: number[]) {
    for (let e = 0; e < edges.length; e += 4) {
      const i0 = Math.floor(Math.min(edges[e]!, edges[e + 2]!) / CELL_MM);
      const i1 = Math.floor(Math.max(edges[e]!, edges[e + 2]!) / CELL_MM);
      const j0 = Math.floor(Math.min(edges[e + 1]!, edges[e + 3]!) / CELL_MM);
      const j1 = Math.floor(Math.max(edges[e + 1]!, edges[e + 3]!) / CELL_MM);
      for (let i = i0; i <= i1; i++)
        for (let j = j0; j <= j1; j++) {
          const key = i * 1_000_003 + j;
          const list = this.cells.get(key);
          if (list) list.push(e);
          else this.cells.set(key, [e]);
        }
    }
  }
  /** The distance to the nearest edge when it is at most `band`, else Infinity. */
  near(a: number, b: number, band: number): number {
    const i0 = Math.floor((a - band) / CELL_MM);
    const i1 = Math.floor((a + band) / CELL_MM);
    const j0 = Math.floor((b - band) / CELL_MM);
    const j1 = Math.floor((b + band) / CELL_MM);
    if ((i1 - i0 + 1) * (j1 - j0 + 1) * 4 > this.edges.length) {
      const d = edgeDistance(this.edges, a, b);
      return d <= band ? d : Number.POSITIVE_INFINITY;
    }
    let best = Number.POSITIVE_INFINITY;
    for (let i = i0; i <= i1; i++)
      for (let j = j0; j <= j1; j++) {
        const list = this.cells.get(i * 1_000_003 + j);
        if (list) for (const e of list) best = Math.min(best, segmentDistance2(this.edges, e, a, b));
      }
    const d = Math.sqrt(best);
    return d <= band ? d : Number.POSITIVE_INFINITY;
  }
}

export function indexOf(p: Plane): EdgeIndex {
  p.index ??= new EdgeIndex(p.edges);
  return p.index;
}

/**
 * The inward offset (mm; negative outwards) that takes a shape of area `area` and perimeter `perimeter` to
 * area `target`: the root of area - perimeter d + pi d² = target (exact for a disk).
 */
export function offsetFor(area: number, perimeter: number, target: number): number {
  if (perimeter <= 0) return 0;
  const disc = perimeter * perimeter - 4 * Math.PI * (area - target);
  if (disc <= 0) return perimeter / (2 * Math.PI);
  return (perimeter - Math.sqrt(disc)) / (2 * Math.PI);
}

/** The quadratic (or line, with two points) through the points (w, area), evaluated at w. */
function lagrange(pts: readonly Plane[], w: number): number {
  let sum = 0;
  for (let i = 0; i < pts.length; i++) {
    let l = 1;
    for (let j = 0; j < pts.length; j++) if (j !== i) l *= (w - pts[j]!.w) / (pts[i]!.w - pts[j]!.w);
    sum += l * pts[i]!.area;
  }
  return sum;
}

/** A stretch along the normal: the shape interpolated from P to Q, or an end cap shrinking Q (P null). */
export interface Stretch {
  readonly P: Plane | null;
  readonly Q: Plane;
  readonly w0: number;
  readonly w1: number;
  /** The smooth area (mm²) at w. */
  readonly areaAt: (w: number) => number;
}

/** Where the area extrapolated beyond the end plane `q` (away from the part) first reaches zero; Infinity if never. */
function poleDistance(near: readonly Plane[], q: Plane, dir: 1 | -1): number {
  // area(x) as a polynomial in x = the distance beyond q: sample three points and solve exactly
  const f = (x: number) => lagrange(near, q.w + dir * x);
  const c = f(0);
  const f1 = f(1);
  const f2 = f(2);
  const qa = (f2 - 2 * f1 + c) / 2;
  const lb = f1 - c - qa;
  if (Math.abs(qa) < 1e-12 * Math.max(1, c)) return lb < 0 ? -c / lb : Number.POSITIVE_INFINITY;
  const disc = lb * lb - 4 * qa * c;
  if (disc < 0) return Number.POSITIVE_INFINITY;
  const r = [(-lb - Math.sqrt(disc)) / (2 * qa), (-lb + Math.sqrt(disc)) / (2 * qa)].filter((x) => x > 0);
  return r.length ? Math.min(...r) : Number.POSITIVE_INFINITY;
}

/**
 * The stretches of a structure's planes (sorted by w) with contour spacing `spacing`: parts are separated by
 * gaps wider than 1.5 spacings; a part contoured on one plane only is its slab, one spacing thick.
 */
export function stretchesOf(planes: readonly Plane[], spacing: number): Stretch[] {
  const out: Stretch[] = [];
  let start = 0;
  for (let i = 1; i <= planes.length; i++) {
    if (i < planes.length && planes[i]!.w - planes[i - 1]!.w <= 1.5 * spacing) continue;
    const part = planes.slice(start, i);
    start = i;
    if (part.length === 1) {
      const q = part[0]!;
      out.push({ P: null, Q: q, w0: q.w - spacing / 2, w1: q.w + spacing / 2, areaAt: () => q.area });
      continue;
    }
    for (const dir of [-1, 1] as const) {
      const near = dir === 1 ? part.slice(-3) : part.slice(0, 3);
      const q = dir === 1 ? part[part.length - 1]! : part[0]!;
      const pole = poleDistance(near, q, dir);
      const cap =
        pole <= spacing * (1 + 1e-9)
          ? pole
          : Number.isFinite(pole)
            ? (spacing / 2) * (1 + spacing / pole)
            : spacing / 2;
      const areaAt = (w: number) => Math.min(q.area, Math.max(0, lagrange(near, w)));
      out.push({ P: null, Q: q, w0: dir === 1 ? q.w : q.w - cap, w1: dir === 1 ? q.w + cap : q.w, areaAt });
    }
    for (let k = 0; k + 1 < part.length; k++) {
      const fits = [part.slice(Math.max(0, k - 1), k + 2), part.slice(k, k + 3)].filter(
        (f) => f.length === 3,
      );
      const both = fits.length ? fits : [part.slice(k, k + 2)];
      const areaAt = (w: number) => Math.max(0, both.reduce((s, f) => s + lagrange(f, w), 0) / both.length);
      out.push({ P: part[k]!, Q: part[k + 1]!, w0: part[k]!.w, w1: part[k + 1]!.w, areaAt });
    }
  }
  return out;
}
