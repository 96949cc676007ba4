/**
 * Exact query auditing for sums and counts (Chin 1986; Kleinberg, Papadimitriou & Raghavan 2000): the
 * released row sets are 0/1 incidence vectors over the stable row ids of one ledger namespace; a release is
 * refused when, together with every earlier release, some unit vector e_i (the value of one row), or more
 * generally the indicator of a group of fewer than `minGroup` rows that no release ever separates, lies in
 * their linear span. See docs/adr/0008-exact-query-auditing.md.
 *
 * How:
 * - Rows are grouped into atoms: rows that every release so far either contains together or leaves out
 *   together share an atom (their columns of the incidence matrix are equal). A vector of the row space is
 *   constant on each atom, so e_i can only be in the span when row i is alone in its atom; the elimination
 *   runs over atoms (usually far fewer than rows). A new release splits the atoms it cuts.
 * - The span is kept as a reduced row echelon form (RREF) over the atoms: every pivot column is zero in all
 *   other rows. Then e_a is in the span iff some RREF row equals e_a (any combination giving e_a must use
 *   row r with the coefficient of the pivot of r, so only the row whose pivot is a, with coefficient 1).
 *   Adding a release reduces its vector against the rows whose pivots it meets, and, if something is left,
 *   makes it a row and eliminates its pivot from the other rows; only the rows touched can become singletons.
 * - Arithmetic is exact modulo two secret primes in [2^30, 2^31) (chosen at random when the ledger is
 *   created), in two independent eliminations; a release is refused when either finds a determined group.
 *   Reduction modulo p can only err where p divides a non-zero integer minor of the 0/1 incidence matrix
 *   (at most ~0.5 k log2 k bits for k releases): see the ADR for the bound.
 *
 * Pure code, no I/O: the ledger persists {@link AuditorState} in its SQLite file.
 */

/** One elimination modulo `prime`: RREF rows as sparse maps atom -> value (mod prime). */
export interface FieldState {
  prime: number;
  rows: Array<Map<number, number>>;
  /** Pivot atom of each row. */
  pivotOf: number[];
}

export interface AuditorState {
  /** Atom of each stable row index; 0 is the atom of rows no release has used. */
  atomOf: Int32Array;
  /** Number of rows per atom (atom 0: unused rows, size not kept). */
  atomSize: number[];
  fields: FieldState[];
}

/** A determined group: a set of rows whose total the releases determine. */
export interface Determined {
  /** Number of rows in the group (1: a single row's value). */
  rows: number;
}

/** What applying one release changed, for the ledger to persist. */
export interface AuditDelta {
  /** Rows (per field) created or changed. */
  changedRows: Array<Set<number>>;
}

/** Draft of a state: copy-on-write over the committed one, so a refused release leaves it untouched. */
class FieldDraft {
  readonly rows: Array<Map<number, number>>;
  readonly pivotOf: number[];
  /** Row of each pivot atom (-1: not a pivot). */
  readonly pivotRow: Map<number, number>;
  /** Rows with a non-zero entry in each atom's column. */
  readonly colRows: Array<Set<number> | undefined>;
  private readonly ownRows = new Set<number>();
  private readonly ownCols = new Set<number>();
  readonly changed = new Set<number>();

  constructor(
    readonly prime: number,
    base: FieldIndex,
  ) {
    this.rows = base.rows.slice();
    this.pivotOf = base.pivotOf.slice();
    this.pivotRow = new Map(base.pivotRow);
    this.colRows = base.colRows.slice();
  }

  row(r: number): Map<number, number> {
    if (!this.ownRows.has(r)) {
      this.rows[r] = new Map(this.rows[r]);
      this.ownRows.add(r);
    }
    this.changed.add(r);
    return this.rows[r]!;
  }

  col(a: number): Set<number> {
    if (!this.ownCols.has(a)) {
      this.colRows[a] = new Set(this.colRows[a]);
      this.ownCols.add(a);
    }
    return this.colRows[a]!;
  }
}

/** A field's state with the indexes derived from it (rebuilt on load). */
class FieldIndex {
  constructor(
    readonly prime: number,
    readonly rows: Array<Map<number, number>>,
    readonly pivotOf: number[],
    readonly pivotRow: Map<number, number>,
    readonly colRows: Array<Set<number> | undefined>,
  ) {}

  static of(f: FieldState): FieldIndex {
    const pivotRow = new Map<number, number>();
    const colRows: Array<Set<number> | undefined> = [];
    f.pivotOf.forEach((a, r) => {
      pivotRow.set(a, r);
    });
    f.rows.forEach((row, r) => {
      for (const a of row.keys()) {
        let s = colRows[a];
        if (!s) {
          s = new Set();
          colRows[a] = s;
        }
        s.add(r);
      }
    });
    return new FieldIndex(f.prime, f.rows, f.pivotOf, pivotRow, colRows);
  }
}

/** (a * b) mod p for 0 <= a, b < p < 2^31, exact in doubles (no product above 2^48). */
export function mulMod(a: number, b: number, p: number): number {
  const hi = Math.floor(b / 65536);
  const lo = b - hi * 65536;
  return (((a * hi) % p) * 65536 + a * lo) % p;
}

export function invMod(a: number, p: number): number {
  // extended Euclid; all values stay below p
  let [r0, r1] = [p, a % p];
  let [t0, t1] = [0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  if (r0 !== 1) throw new RangeError(`${a} has no inverse modulo ${p}`);
  return ((t0 % p) + p) % p;
}

export class LinearAuditor {
  private atomOf: Int32Array;
  private atomSize: number[];
  private fields: FieldIndex[];

  constructor(state: AuditorState) {
    this.atomOf = state.atomOf;
    this.atomSize = state.atomSize;
    this.fields = state.fields.map((f) => FieldIndex.of(f));
  }

  static empty(primes: number[]): LinearAuditor {
    return new LinearAuditor({
      atomOf: new Int32Array(0),
      atomSize: [0],
      fields: primes.map((prime) => ({ prime, rows: [], pivotOf: [] })),
    });
  }

  state(): AuditorState {
    return {
      atomOf: this.atomOf,
      atomSize: this.atomSize,
      fields: this.fields.map((f) => ({ prime: f.prime, rows: f.rows, pivotOf: f.pivotOf })),
    };
  }

  /** Number of atoms (groups of rows no release separates) and of independent releases. */
  get size(): { atoms: number; rank: number } {
    return { atoms: this.atomSize.length - 1, rank: this.fields[0]?.rows.length ?? 0 };
  }

  /**
   * Tries the release with the given stable row indices (distinct). Returns the smallest group of fewer
   * than `minGroup` rows whose total it would determine together with the earlier releases (nothing is
   * changed then), or applies it and returns null with what changed.
   */
  apply(
    rows: ArrayLike<number>,
    minGroup: number,
  ): { determined: Determined; delta: null } | { determined: null; delta: AuditDelta } {
    let maxRow = this.atomOf.length - 1;
    for (let i = 0; i < rows.length; i++) if (rows[i]! > maxRow) maxRow = rows[i]!;
    const atomOf = new Int32Array(Math.max(maxRow + 1, this.atomOf.length));
    atomOf.set(this.atomOf);
    const atomSize = this.atomSize.slice();
    const drafts = this.fields.map((f) => new FieldDraft(f.prime, f));

    // 1. split the atoms the release cuts: its rows of atom a move to a new atom a' whose column copies a's
    const inRelease = new Map<number, number>();
    for (let i = 0; i < rows.length; i++) {
      const a = atomOf[rows[i]!]!;
      inRelease.set(a, (inRelease.get(a) ?? 0) + 1);
    }
    const movedTo = new Map<number, number>();
    for (const [a, n] of inRelease) {
      if (a !== 0 && n === atomSize[a]) continue;
      const b = atomSize.length;
      atomSize.push(n);
      if (a !== 0) atomSize[a]! -= n;
      movedTo.set(a, b);
      if (a === 0) continue;
      for (const d of drafts) {
        const holders = d.colRows[a];
        if (!holders) continue;
        for (const r of holders) d.row(r).set(b, d.rows[r]!.get(a)!);
        d.colRows[b] = new Set(holders);
        // b is a copy of a column: never a pivot, so the form stays reduced
      }
    }
    for (let i = 0; i < rows.length; i++) {
      const b = movedTo.get(atomOf[rows[i]!]!);
      if (b !== undefined) atomOf[rows[i]!] = b;
    }
    const vectorAtoms = [...inRelease.keys()].map((a) => movedTo.get(a) ?? a);

    // 2. per field: reduce, add as a row, eliminate its pivot elsewhere, look for determined groups
    let worst: Determined | null = null;
    for (const d of drafts) {
      const hit = addRow(d, vectorAtoms, atomSize, minGroup);
      if (hit && (!worst || hit.rows < worst.rows)) worst = hit;
    }
    if (worst) return { determined: worst, delta: null };
    this.atomOf = atomOf;
    this.atomSize = atomSize;
    this.fields = drafts.map((d) => new FieldIndex(d.prime, d.rows, d.pivotOf, d.pivotRow, d.colRows));
    return { determined: null, delta: { changedRows: drafts.map((d) => d.changed) } };
  }
}

function addRow(d: FieldDraft, atoms: number[], atomSize: number[], minGroup: number): Determined | null {
  const p = d.prime;
  const v = new Map<number, number>();
  for (const a of atoms) v.set(a, 1);
  // RREF rows are zero at every other pivot, so v keeps its entry 1 at each pivot it meets
  for (const a of atoms) {
    const r = d.pivotRow.get(a);
    if (r === undefined) continue;
    for (const [b, x] of d.rows[r]!) {
      const y = ((v.get(b) ?? 0) - x + p) % p;
      if (y === 0) v.delete(b);
      else v.set(b, y);
    }
  }
  if (v.size === 0) return null; // nothing new: the span is unchanged
  // pivot: the atom whose column is in fewest rows (least fill-in), then the smallest id
  let pivot = -1;
  let best = Number.POSITIVE_INFINITY;
  for (const a of v.keys()) {
    const c = d.colRows[a]?.size ?? 0;
    if (c < best || (c === best && a < pivot)) {
      best = c;
      pivot = a;
    }
  }
  const inv = invMod(v.get(pivot)!, p);
  if (inv !== 1) for (const [b, x] of v) v.set(b, mulMod(x, inv, p));
  const newRow = d.rows.length;
  const holders = [...(d.colRows[pivot] ?? [])];
  for (const r of holders) {
    const row = d.row(r);
    const f = row.get(pivot)!;
    for (const [b, x] of v) {
      const y = (row.get(b) ?? 0) - mulMod(f, x, p);
      const z = y < 0 ? y + p : y;
      if (z === 0) {
        row.delete(b);
        d.col(b).delete(r);
      } else {
        if (!row.has(b)) d.col(b).add(r);
        row.set(b, z);
      }
    }
  }
  d.rows.push(v);
  d.pivotOf.push(pivot);
  d.pivotRow.set(pivot, newRow);
  d.changed.add(newRow);
  for (const b of v.keys()) d.col(b).add(newRow);
  let worst: Determined | null = null;
  for (const r of [...holders, newRow]) {
    const row = d.rows[r]!;
    if (row.size !== 1) continue;
    const n = atomSize[d.pivotOf[r]!]!;
    if (n < minGroup && (!worst || n < worst.rows)) worst = { rows: n };
  }
  return worst;
}

/** Whether n < 2^32 is prime (Miller-Rabin with bases 2, 7, 61: deterministic below 4,759,123,141). */
export function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (const q of [2, 3, 5, 7, 11, 13, 61]) if (n % q === 0) return n === q;
  let d = n - 1;
  let s = 0;
  while (d % 2 === 0) {
    d /= 2;
    s++;
  }
  const pow = (b: number, e: number): number => {
    let r = 1;
    let x = b % n;
    while (e > 0) {
      if (e % 2 === 1) r = mulMod(r, x, n);
      x = mulMod(x, x, n);
      e = Math.floor(e / 2);
    }
    return r;
  };
  for (const a of [2, 7, 61]) {
    let x = pow(a, d);
    if (x === 1 || x === n - 1) continue;
    let composite = true;
    for (let i = 1; i < s; i++) {
      x = mulMod(x, x, n);
      if (x === n - 1) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

/** The first prime at or after `start` (start in [2^30, 2^31 - 2^20)). */
export function primeFrom(start: number): number {
  let n = Math.floor(start) | 1;
  while (!isPrime(n)) n += 2;
  return n;
}
