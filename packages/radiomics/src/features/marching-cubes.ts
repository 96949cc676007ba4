/**
 * Marching cubes for a binary mask at iso-level 0.5 (vertices at edge midpoints). The triangle lists of
 * the 256 corner configurations are derived here from the cube faces, not copied from a table: on each
 * face the crossing points are joined into oriented segments (ambiguous faces keep inside corners apart),
 * the segments are chained into polygons, and each polygon is fanned into triangles whose normals point
 * away from the inside corners.
 */

type Vec3 = readonly [number, number, number];

const corner = (c: number): Vec3 => [c & 1, (c >> 1) & 1, (c >> 2) & 1];

/** The 12 cube edges as pairs of corner indices (corner index = x + 2y + 4z). */
const edges: readonly (readonly [number, number])[] = (() => {
  const out: [number, number][] = [];
  for (let a = 0; a < 8; a++) for (const bit of [1, 2, 4]) if (!(a & bit)) out.push([a, a | bit]);
  return out;
})();

const edgeOf = (a: number, b: number): number =>
  edges.findIndex(([p, q]) => (p === a && q === b) || (p === b && q === a));

/** The 6 faces: corners in cyclic order and the outward normal. */
const faces: readonly { readonly q: readonly number[]; readonly n: Vec3 }[] = [
  { q: [0, 2, 6, 4], n: [-1, 0, 0] },
  { q: [1, 3, 7, 5], n: [1, 0, 0] },
  { q: [0, 1, 5, 4], n: [0, -1, 0] },
  { q: [2, 3, 7, 6], n: [0, 1, 0] },
  { q: [0, 1, 3, 2], n: [0, 0, -1] },
  { q: [4, 5, 7, 6], n: [0, 0, 1] },
];

const mid = (e: number): Vec3 => {
  const [a = 0, b = 0] = edges[e] ?? [];
  const p = corner(a);
  const q = corner(b);
  return [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2];
};

const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** Oriented segment (edge ids) on a face such that normal × direction points away from `insideCorners`. */
function orient(
  e1: number,
  e2: number,
  n: Vec3,
  inside: readonly number[],
  outside: readonly number[],
): [number, number] {
  const p = mid(e1);
  const q = mid(e2);
  const m: Vec3 = [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2];
  const avg = (cs: readonly number[]): Vec3 => {
    const s = [0, 0, 0];
    for (const c of cs)
      corner(c).forEach((v, i) => {
        s[i] = (s[i] ?? 0) + v / cs.length;
      });
    return [s[0] ?? 0, s[1] ?? 0, s[2] ?? 0];
  };
  const away = outside.length > 0 ? sub(avg(outside), m) : sub(m, avg(inside));
  return dot(cross(n, sub(q, p)), away) > 0 ? [e1, e2] : [e2, e1];
}

function polygons(config: number): number[][] {
  const isIn = (c: number) => ((config >> c) & 1) === 1;
  const next = new Map<number, number>();
  for (const f of faces) {
    const crossed: number[] = [];
    for (let k = 0; k < 4; k++) {
      const a = f.q[k] ?? 0;
      const b = f.q[(k + 1) % 4] ?? 0;
      if (isIn(a) !== isIn(b)) crossed.push(edgeOf(a, b));
    }
    if (crossed.length === 2) {
      const inside = f.q.filter(isIn);
      const outside = f.q.filter((c) => !isIn(c));
      const [s, t] = orient(crossed[0] ?? 0, crossed[1] ?? 0, f.n, inside, outside);
      next.set(s, t);
    } else if (crossed.length === 4) {
      for (const c of f.q.filter(isIn)) {
        const k = f.q.indexOf(c);
        const before = f.q[(k + 3) % 4] ?? 0;
        const after = f.q[(k + 1) % 4] ?? 0;
        const [s, t] = orient(edgeOf(before, c), edgeOf(c, after), f.n, [c], [before, after]);
        next.set(s, t);
      }
    }
  }
  const polys: number[][] = [];
  const used = new Set<number>();
  for (const start of next.keys()) {
    if (used.has(start)) continue;
    const poly: number[] = [];
    let e: number | undefined = start;
    while (e !== undefined && !used.has(e)) {
      used.add(e);
      poly.push(e);
      e = next.get(e);
    }
    polys.push(poly);
  }
  return polys;
}

/** Oriented polygons (cycles of edge ids) of each of the 256 corner configurations; derived once at load. */
const polygonTable: readonly (readonly (readonly number[])[])[] = Array.from({ length: 256 }, (_, c) =>
  polygons(c),
);

/** A triangle mesh: vertex coordinates in mm (x, y, z per vertex) and vertex-index triples. */
export interface Mesh {
  readonly vertices: Float64Array;
  readonly triangles: Uint32Array;
  /** Number of vertices on cube edges (all of them: polygons are fanned without extra vertices). */
  readonly edgeVertexCount: number;
}

/**
 * Surface mesh of a binary mask (x fastest) with voxel spacing in mm; the mask is treated as padded with
 * zeros so the surface is closed. Vertices on shared cube edges are shared.
 */
export function marchingCubes(
  mask: Uint8Array,
  dims: readonly [number, number, number],
  spacing: readonly number[],
): Mesh {
  const [nx, ny, nz] = dims;
  const at = (x: number, y: number, z: number) =>
    x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz ? 0 : (mask[x + nx * (y + ny * z)] ?? 0);
  const verts: number[] = [];
  const tris: number[] = [];
  const bigPolys: number[][] = [];
  const vertexIds = new Map<number, number>();
  // Global edge key: the lower corner voxel (shifted by the padding) times 3 plus the axis.
  const px = nx + 2;
  const py = ny + 2;
  const vertexOf = (x: number, y: number, z: number, e: number): number => {
    const [a = 0, b = 0] = edges[e] ?? [];
    const c = corner(a);
    const axis = (b ^ a) === 1 ? 0 : (b ^ a) === 2 ? 1 : 2;
    const lx = x + c[0];
    const ly = y + c[1];
    const lz = z + c[2];
    const key = (lx + 1 + px * (ly + 1 + py * (lz + 1))) * 3 + axis;
    let id = vertexIds.get(key);
    if (id === undefined) {
      id = verts.length / 3;
      vertexIds.set(key, id);
      verts.push(
        (lx + (axis === 0 ? 0.5 : 0)) * (spacing[0] ?? 1),
        (ly + (axis === 1 ? 0.5 : 0)) * (spacing[1] ?? 1),
        (lz + (axis === 2 ? 0.5 : 0)) * (spacing[2] ?? 1),
      );
    }
    return id;
  };
  for (let z = -1; z < nz; z++) {
    for (let y = -1; y < ny; y++) {
      for (let x = -1; x < nx; x++) {
        let config = 0;
        for (let c = 0; c < 8; c++)
          if (at(x + (c & 1), y + ((c >> 1) & 1), z + ((c >> 2) & 1))) config |= 1 << c;
        if (config === 0 || config === 255) continue;
        for (const poly of polygonTable[config] ?? []) {
          const ids = poly.map((e) => vertexOf(x, y, z, e));
          if (ids.length === 3) {
            tris.push(...ids);
            continue;
          }
          bigPolys.push(ids);
        }
      }
    }
  }
  const edgeVertexCount = verts.length / 3;
  // The fan is chosen in voxel-index space, like a fixed triangle table: independent of the spacing.
  const [s0 = 1, s1 = 1, s2 = 1] = spacing;
  const pt = (id: number): Vec3 => [
    (verts[3 * id] ?? 0) / s0,
    (verts[3 * id + 1] ?? 0) / s1,
    (verts[3 * id + 2] ?? 0) / s2,
  ];
  const triArea = (a: number, b: number, c: number) => {
    const n = cross(sub(pt(b), pt(a)), sub(pt(c), pt(a)));
    return Math.sqrt(dot(n, n));
  };
  // Larger (generally non-planar) polygons are fanned from the vertex that gives the largest area.
  // (Fanning around the centroid gave areas ~1 % below the IBSI consensus; this choice matches it.)
  for (const ids of bigPolys) {
    let best = 0;
    let bestArea = -1;
    for (let r = 0; r < ids.length; r++) {
      let a = 0;
      for (let k = 1; k + 1 < ids.length; k++)
        a += triArea(ids[r] ?? 0, ids[(r + k) % ids.length] ?? 0, ids[(r + k + 1) % ids.length] ?? 0);
      if (a > bestArea + 1e-12) {
        bestArea = a;
        best = r;
      }
    }
    for (let k = 1; k + 1 < ids.length; k++) {
      tris.push(ids[best] ?? 0, ids[(best + k) % ids.length] ?? 0, ids[(best + k + 1) % ids.length] ?? 0);
    }
  }
  return { vertices: Float64Array.from(verts), triangles: Uint32Array.from(tris), edgeVertexCount };
}

/** Enclosed volume (mm³, divergence theorem) and surface area (mm²) of a closed, outward-oriented mesh. */
export function meshVolumeArea(m: Mesh): { volume: number; area: number } {
  let vol = 0;
  let area = 0;
  const v = m.vertices;
  for (let t = 0; t < m.triangles.length; t += 3) {
    const a = 3 * (m.triangles[t] ?? 0);
    const b = 3 * (m.triangles[t + 1] ?? 0);
    const c = 3 * (m.triangles[t + 2] ?? 0);
    const A: Vec3 = [v[a] ?? 0, v[a + 1] ?? 0, v[a + 2] ?? 0];
    const B: Vec3 = [v[b] ?? 0, v[b + 1] ?? 0, v[b + 2] ?? 0];
    const C: Vec3 = [v[c] ?? 0, v[c + 1] ?? 0, v[c + 2] ?? 0];
    vol += dot(A, cross(B, C)) / 6;
    const n = cross(sub(B, A), sub(C, A));
    area += Math.sqrt(dot(n, n)) / 2;
  }
  return { volume: vol, area };
}
