/**
 * 3D convex hull (incremental algorithm) of points given as x, y, z triples (mm); returns its volume
 * (mm³), surface area (mm²) and the indices of the hull's vertices. Points within a small tolerance of the current hull are skipped: they
 * change neither volume nor area.
 */
export function convexHullVolumeArea(pts: Float64Array): {
  volume: number;
  area: number;
  vertices: number[];
} {
  const n = pts.length / 3;
  const P = (i: number, a: number) => pts[3 * i + a] ?? 0;
  if (n < 4) return { volume: 0, area: 0, vertices: [] };
  let ext = 0;
  for (let a = 0; a < 3; a++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, P(i, a));
      hi = Math.max(hi, P(i, a));
    }
    ext = Math.max(ext, hi - lo);
  }
  const eps = 1e-9 * ext;
  const sub = (i: number, j: number) => [P(i, 0) - P(j, 0), P(i, 1) - P(j, 1), P(i, 2) - P(j, 2)] as const;
  const cross = (u: readonly number[], v: readonly number[]) =>
    [
      (u[1] ?? 0) * (v[2] ?? 0) - (u[2] ?? 0) * (v[1] ?? 0),
      (u[2] ?? 0) * (v[0] ?? 0) - (u[0] ?? 0) * (v[2] ?? 0),
      (u[0] ?? 0) * (v[1] ?? 0) - (u[1] ?? 0) * (v[0] ?? 0),
    ] as const;
  const norm = (u: readonly number[]) => Math.hypot(u[0] ?? 0, u[1] ?? 0, u[2] ?? 0);
  // Initial tetrahedron: extremes in x, farthest from their line, farthest from their plane.
  let i0 = 0;
  let i1 = 0;
  for (let i = 0; i < n; i++) {
    if (P(i, 0) < P(i0, 0)) i0 = i;
    if (P(i, 0) > P(i1, 0)) i1 = i;
  }
  let i2 = -1;
  let best = eps;
  for (let i = 0; i < n; i++) {
    const d = norm(cross(sub(i1, i0), sub(i, i0)));
    if (d > best) {
      best = d;
      i2 = i;
    }
  }
  if (i2 < 0) return { volume: 0, area: 0, vertices: [] };
  const n0 = cross(sub(i1, i0), sub(i2, i0));
  let i3 = -1;
  best = eps * norm(n0);
  for (let i = 0; i < n; i++) {
    const v = sub(i, i0);
    const d = Math.abs(n0[0] * v[0] + n0[1] * v[1] + n0[2] * v[2]);
    if (d > best) {
      best = d;
      i3 = i;
    }
  }
  if (i3 < 0) return { volume: 0, area: 0, vertices: [] };
  interface Face {
    a: number;
    b: number;
    c: number;
    nx: number;
    ny: number;
    nz: number;
    off: number;
    alive: boolean;
  }
  const faces: Face[] = [];
  const makeFace = (a: number, b: number, c: number): Face => {
    const nn = cross(sub(b, a), sub(c, a));
    const len = norm(nn) || 1;
    const nx = nn[0] / len;
    const ny = nn[1] / len;
    const nz = nn[2] / len;
    return { a, b, c, nx, ny, nz, off: nx * P(a, 0) + ny * P(a, 1) + nz * P(a, 2), alive: true };
  };
  const dist = (f: Face, i: number) => f.nx * P(i, 0) + f.ny * P(i, 1) + f.nz * P(i, 2) - f.off;
  const tet = [i0, i1, i2, i3];
  for (const [a, b, c, d] of [
    [0, 1, 2, 3],
    [0, 1, 3, 2],
    [0, 2, 3, 1],
    [1, 2, 3, 0],
  ] as const) {
    let f = makeFace(tet[a] ?? 0, tet[b] ?? 0, tet[c] ?? 0);
    if (dist(f, tet[d] ?? 0) > 0) f = makeFace(tet[a] ?? 0, tet[c] ?? 0, tet[b] ?? 0);
    faces.push(f);
  }
  for (let p = 0; p < n; p++) {
    if (tet.includes(p)) continue;
    const visible: Face[] = [];
    for (const f of faces) if (f.alive && dist(f, p) > eps) visible.push(f);
    if (visible.length === 0) continue;
    const edges = new Set<string>();
    for (const f of visible) {
      f.alive = false;
      edges.add(`${f.a},${f.b}`);
      edges.add(`${f.b},${f.c}`);
      edges.add(`${f.c},${f.a}`);
    }
    for (const e of edges) {
      const [u = 0, v = 0] = e.split(',').map(Number);
      if (!edges.has(`${v},${u}`)) faces.push(makeFace(u, v, p));
    }
    // Drop dead faces now and then so the scan stays proportional to the hull size.
    if (faces.length > 4096 && p % 64 === 0) {
      const alive = faces.filter((f) => f.alive);
      faces.length = 0;
      faces.push(...alive);
    }
  }
  let volume = 0;
  let area = 0;
  const vertices = new Set<number>();
  for (const f of faces) {
    if (!f.alive) continue;
    vertices.add(f.a).add(f.b).add(f.c);
    const nn = cross(sub(f.b, f.a), sub(f.c, f.a));
    area += norm(nn) / 2;
    volume += (P(f.a, 0) * nn[0] + P(f.a, 1) * nn[1] + P(f.a, 2) * nn[2]) / 6;
  }
  return { volume, area, vertices: [...vertices] };
}
