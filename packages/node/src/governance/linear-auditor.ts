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

/** One elimination modulo `prime`: RREF rows, dense over the atoms (values mod prime). */
export interface FieldState {
  prime: number;
  /** Each row's values for atoms 0..atoms-1. */
  rows: Uint32Array[];
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

/**
 * One field's RREF. Rows are dense typed arrays over the atoms (the reduced rows of realistic selections
 * fill in to a good share of the atoms, where a typed array beats a map by far); `nnz` counts each row's
 * non-zero entries, so a row equal to a unit vector is seen at once.
 */
class Field {
  cap: number;
  /** While a batch is open: rows before its first change, by row index (see LinearAuditor.begin). */
  saved: Map<number, Uint32Array> | null = null;
  readonly pivotRow = new Map<number, number>();
  readonly nnz: number[];
  /** Number of rows with a non-zero entry, per atom (the fill-in a pivot there would cause). */
  colCount: Int32Array;

  constructor(
    readonly prime: number,
    readonly rows: Uint32Array[],
    readonly pivotOf: number[],
    atoms: number,
  ) {
    this.cap = Math.max(64, atoms);
    for (let r = 0; r < rows.length; r++) if (rows[r]!.length < this.cap) rows[r] = grow(rows[r]!, this.cap);
    this.nnz = rows.map((row) => {
      let n = 0;
      for (let i = 0; i < row.length; i++) if (row[i] !== 0) n++;
      return n;
    });
    pivotOf.forEach((a, r) => {
      this.pivotRow.set(a, r);
    });
    this.colCount = new Int32Array(this.cap);
    for (const row of rows) for (let i = 0; i < row.length; i++) if (row[i] !== 0) this.colCount[i]!++;
  }

  ensure(atoms: number): void {
    if (atoms <= this.cap) return;
    while (this.cap < atoms) this.cap *= 2;
    for (let r = 0; r < this.rows.length; r++) this.rows[r] = grow(this.rows[r]!, this.cap);
    const counts = new Int32Array(this.cap);
    counts.set(this.colCount);
    this.colCount = counts;
  }

  /** Copies the column of atom a into b (a fresh atom: all zero before). */
  copyColumn(a: number, b: number): void {
    if (this.colCount[a] === 0) return;
    this.colCount[b] = this.colCount[a]!;
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r]!;
      if (row[a] !== 0) {
        row[b] = row[a]!;
        this.nnz[r]!++;
      }
    }
  }

  clearColumn(b: number): void {
    if (this.colCount[b] === 0) return;
    this.colCount[b] = 0;
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r]!;
      if (row[b] !== 0) {
        row[b] = 0;
        this.nnz[r]!--;
      }
    }
  }
}

function grow(a: Uint32Array, n: number): Uint32Array {
  const out = new Uint32Array(n);
  out.set(a.subarray(0, Math.min(a.length, n)));
  return out;
}

/** A release reduced against one field, not yet applied. */
interface Pending {
  field: Field;
  /** The reduced vector (null: nothing new) and its non-zero atoms. */
  v: Uint32Array | null;
  support: number[];
  pivot: number;
  holders: number[];
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
  private readonly atomSize: number[];
  private readonly fields: Field[];

  constructor(state: AuditorState) {
    this.atomOf = state.atomOf;
    this.atomSize = state.atomSize;
    this.fields = state.fields.map((f) => new Field(f.prime, f.rows, f.pivotOf, state.atomSize.length));
  }

  static empty(primes: number[]): LinearAuditor {
    return new LinearAuditor({
      atomOf: new Int32Array(0),
      atomSize: [0],
      fields: primes.map((prime) => ({ prime, rows: [], pivotOf: [] })),
    });
  }

  /** The state to persist (rows cut to the atoms in use). */
  state(): AuditorState {
    const atoms = this.atomSize.length;
    return {
      atomOf: this.atomOf,
      atomSize: this.atomSize,
      fields: this.fields.map((f) => ({
        prime: f.prime,
        rows: f.rows.map((r) => r.subarray(0, atoms)),
        pivotOf: f.pivotOf,
      })),
    };
  }

  /** The state when the open batch began (see {@link begin}). */
  private batch: {
    atomSize: number[];
    /** Rows moved to a new atom in the batch, with the atom they left, in order. */
    moves: number[];
    fields: Array<{ rows: number; nnz: number[]; colCount: Int32Array }>;
  } | null = null;

  /**
   * Opens a batch: several releases committed one after the other (the cells of one release on one
   * namespace), which {@link rollback} undoes together when a later one is refused. Cost: a copy of the
   * column counts; rows are copied only when a commit changes them.
   */
  begin(): void {
    if (this.batch) throw new Error('a batch is open already');
    this.batch = {
      atomSize: [...this.atomSize],
      moves: [],
      fields: this.fields.map((f) => ({
        rows: f.rows.length,
        nnz: [...f.nnz],
        colCount: f.colCount.slice(),
      })),
    };
    for (const f of this.fields) f.saved = new Map();
  }

  /** Closes the batch, keeping what was committed in it. */
  end(): void {
    this.batch = null;
    for (const f of this.fields) f.saved = null;
  }

  /** Undoes every commit of the open batch (no proposal may be pending) and closes it. */
  rollback(): void {
    const b = this.batch;
    if (!b) throw new Error('no batch is open');
    for (let k = b.moves.length - 2; k >= 0; k -= 2) this.atomOf[b.moves[k]!] = b.moves[k + 1]!;
    const atomsBefore = b.atomSize.length;
    this.atomSize.length = 0;
    this.atomSize.push(...b.atomSize);
    this.fields.forEach((f, i) => {
      const fb = b.fields[i]!;
      for (let r = fb.rows; r < f.rows.length; r++) f.pivotRow.delete(f.pivotOf[r]!);
      f.rows.length = fb.rows;
      f.pivotOf.length = fb.rows;
      // rows from before the batch that a commit changed (rows made in the batch are gone)
      for (const [r, saved] of f.saved ?? [])
        if (r < fb.rows) f.rows[r] = saved.length < f.cap ? grow(saved, f.cap) : saved;
      // columns of atoms made in the batch: zero again (copies of split atoms' columns)
      for (const row of f.rows) row.fill(0, atomsBefore);
      f.nnz.length = 0;
      f.nnz.push(...fb.nnz);
      f.colCount.fill(0);
      f.colCount.set(fb.colCount.subarray(0, Math.min(fb.colCount.length, f.colCount.length)));
    });
    this.end();
  }

  /** Number of atoms (groups of rows no release separates) and of independent releases. */
  get size(): { atoms: number; rank: number } {
    return { atoms: this.atomSize.length - 1, rank: this.fields[0]?.rows.length ?? 0 };
  }

  /**
   * Tries the release with the given stable row indices (distinct): null when it determines no group of
   * fewer than `minGroup` rows together with the earlier releases (it is then kept), else the smallest
   * group it would determine (nothing is changed).
   */
  apply(rows: ArrayLike<number>, minGroup: number): Determined | null {
    const p = this.propose(rows, minGroup);
    if (p.determined) p.abort();
    else p.commit();
    return p.determined;
  }

  /**
   * Prepares the release: `determined` as in {@link apply}; then exactly one of `commit` (keep it) or
   * `abort` (forget it) must be called before anything else uses this auditor.
   */
  propose(rows: ArrayLike<number>, minGroup: number): Proposal {
    let maxRow = this.atomOf.length - 1;
    for (let i = 0; i < rows.length; i++) if (rows[i]! > maxRow) maxRow = rows[i]!;
    if (maxRow >= this.atomOf.length) {
      const grown = new Int32Array(Math.max(maxRow + 1, this.atomOf.length * 2));
      grown.set(this.atomOf);
      this.atomOf = grown;
    }
    const atomOf = this.atomOf;
    const atomSize = this.atomSize;
    const atomsBefore = atomSize.length;

    // 1. split the atoms the release cuts: its rows of atom a move to a new atom b whose column copies a's
    //    (a copy of a column is never a pivot, so the form stays reduced). Typed arrays over the atoms:
    //    a release may hold most of the rows.
    const count = new Int32Array(atomsBefore);
    const touched: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const a = atomOf[rows[i]!]!;
      if (count[a] === 0) touched.push(a);
      count[a]!++;
    }
    const movedTo = new Int32Array(atomsBefore).fill(-1);
    /** Atom each new atom was split from. */
    const origin: number[] = [];
    const atoms: number[] = [];
    for (const a of touched) {
      const n = count[a]!;
      if (a !== 0 && n === atomSize[a]) {
        atoms.push(a);
        continue;
      }
      const b = atomSize.length;
      movedTo[a] = b;
      origin.push(a);
      atoms.push(b);
      atomSize.push(n);
      if (a !== 0) atomSize[a]! -= n;
    }
    for (const f of this.fields) {
      f.ensure(atomSize.length);
      for (let k = 0; k < origin.length; k++) if (origin[k] !== 0) f.copyColumn(origin[k]!, atomsBefore + k);
    }
    const moves = this.batch?.moves;
    for (let i = 0; i < rows.length; i++) {
      const b = movedTo[atomOf[rows[i]!]!]!;
      if (b >= 0) {
        moves?.push(rows[i]!, atomOf[rows[i]!]!);
        atomOf[rows[i]!] = b;
      }
    }

    // 2. per field: reduce and look for determined groups before changing anything
    const pending = this.fields.map((f) => reduce(f, atoms));
    let worst: Determined | null = null;
    for (const p of pending) {
      const hit = determinedBy(p, atomSize, minGroup);
      if (hit && (!worst || hit.rows < worst.rows)) worst = hit;
    }
    let done = false;
    const once = () => {
      if (done) throw new Error('a proposal is committed or aborted once');
      done = true;
    };
    return {
      determined: worst,
      commit: () => {
        once();
        for (const p of pending) commit(p);
      },
      abort: () => {
        once();
        for (const f of this.fields) for (let b = atomsBefore; b < atomSize.length; b++) f.clearColumn(b);
        for (let i = 0; i < rows.length; i++) {
          const b = atomOf[rows[i]!]!;
          if (b >= atomsBefore) atomOf[rows[i]!] = origin[b - atomsBefore]!;
        }
        for (let k = 0; k < origin.length; k++)
          if (origin[k] !== 0) atomSize[origin[k]!]! += atomSize[atomsBefore + k]!;
        atomSize.length = atomsBefore;
      },
    };
  }
}

/** A release tried on an auditor: see {@link LinearAuditor.propose}. */
export interface Proposal {
  readonly determined: Determined | null;
  commit(): void;
  abort(): void;
}

/** Reduces the release's 0/1 vector against the field's rows and picks its pivot. */
function reduce(f: Field, atoms: number[]): Pending {
  const p = f.prime;
  const v = new Uint32Array(f.cap);
  for (const a of atoms) v[a] = 1;
  // RREF rows are zero at every other pivot, so v keeps its entry 1 at each pivot it meets
  let touched = false;
  for (const a of atoms) {
    const r = f.pivotRow.get(a);
    if (r === undefined) continue;
    touched = true;
    const row = f.rows[r]!;
    for (let b = 0; b < row.length; b++) {
      const x = row[b]!;
      if (x !== 0) {
        const y = v[b]! - x;
        v[b] = y < 0 ? y + p : y;
      }
    }
  }
  const support: number[] = [];
  if (touched) {
    for (let b = 0; b < v.length; b++) if (v[b] !== 0) support.push(b);
  } else support.push(...atoms);
  if (support.length === 0) return { field: f, v: null, support, pivot: -1, holders: [] };
  // pivot: the atom of the support held by the fewest rows (least fill-in)
  let pivot = support[0]!;
  for (const a of support) if (f.colCount[a]! < f.colCount[pivot]!) pivot = a;
  const holders: number[] = [];
  if (f.colCount[pivot] !== 0)
    for (let r = 0; r < f.rows.length; r++) if (f.rows[r]![pivot] !== 0) holders.push(r);
  const inv = invMod(v[pivot]!, p);
  if (inv !== 1) for (const b of support) v[b] = mulMod(v[b]!, inv, p);
  return { field: f, v, support, pivot, holders };
}

/** The smallest determined group of fewer than minGroup rows the pending row would create, if any. */
function determinedBy(pe: Pending, atomSize: number[], minGroup: number): Determined | null {
  const { field: f, v, support, pivot } = pe;
  if (!v) return null;
  let worst: Determined | null = null;
  const consider = (atom: number) => {
    const n = atomSize[atom]!;
    if (n < minGroup && (!worst || n < worst.rows)) worst = { rows: n };
  };
  if (support.length === 1) consider(pivot);
  const p = f.prime;
  for (const r of pe.holders) {
    const row = f.rows[r]!;
    const c = row[pivot]!;
    let nnz = f.nnz[r]!;
    for (const b of support) {
      const x = row[b]!;
      const y = x - mulMod(c, v[b]!, p);
      const z = y < 0 ? y + p : y;
      if (x === 0 && z !== 0) nnz++;
      else if (x !== 0 && z === 0) nnz--;
    }
    if (nnz === 1) consider(f.pivotOf[r]!);
  }
  return worst;
}

function commit(pe: Pending): void {
  const { field: f, v, support, pivot } = pe;
  if (!v) return;
  const p = f.prime;
  for (const r of pe.holders) {
    const row = f.rows[r]!;
    if (f.saved && !f.saved.has(r)) f.saved.set(r, row.slice());
    const c = row[pivot]!;
    let nnz = f.nnz[r]!;
    for (const b of support) {
      const x = row[b]!;
      const y = x - mulMod(c, v[b]!, p);
      const z = y < 0 ? y + p : y;
      if (x === 0 && z !== 0) {
        nnz++;
        f.colCount[b]!++;
      } else if (x !== 0 && z === 0) {
        nnz--;
        f.colCount[b]!--;
      }
      row[b] = z;
    }
    f.nnz[r] = nnz;
  }
  f.pivotRow.set(pivot, f.rows.length);
  f.rows.push(v);
  f.pivotOf.push(pivot);
  f.nnz.push(support.length);
  for (const b of support) f.colCount[b]!++;
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
