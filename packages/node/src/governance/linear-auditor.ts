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
 * - Rows are dense over the atoms (`dense-field.ts`: selections, whose reduced rows fill in) or sparse
 *   (`sparse-field.ts`: the cells of validations, small sets whose reduced rows stay sparse while the atoms
 *   approach the records); the representation is chosen per auditor, the mathematics is the same.
 *
 * Pure code, no I/O: the ledger persists {@link AuditorState} in its SQLite file.
 */

import { DenseField } from './dense-field.js';
import type { Determined, EliminationField, FieldState } from './elimination-field.js';
import { SparseField } from './sparse-field.js';

export type { Determined, FieldState } from './elimination-field.js';
export { invMod, isPrime, mulMod, primeFrom } from './modular.js';

/** How an auditor keeps its rows: dense typed arrays over the atoms, or sparse rows. */
export type Representation = 'dense' | 'sparse';

export interface AuditorState {
  /** Atom of each stable row index; 0 is the atom of rows no release has used. */
  atomOf: Int32Array;
  /** Number of rows per atom (atom 0: unused rows, size not kept). */
  atomSize: number[];
  fields: FieldState[];
}

function field(f: FieldState, atoms: number, as: Representation | undefined): EliminationField {
  if ('sparse' in f) {
    if (as !== 'dense') return new SparseField(f.prime, f.sparse, f.pivotOf, atoms);
    const rows = f.sparse.map((row) => {
      const dense = new Uint32Array(atoms);
      row.atoms.forEach((a, k) => {
        dense[a] = row.values[k]!;
      });
      return dense;
    });
    return new DenseField(f.prime, rows, f.pivotOf, atoms);
  }
  return as === 'sparse'
    ? SparseField.fromDense(f.prime, f.rows, f.pivotOf, atoms)
    : new DenseField(f.prime, f.rows, f.pivotOf, atoms);
}

export class LinearAuditor {
  private atomOf: Int32Array;
  private readonly atomSize: number[];
  private readonly fields: EliminationField[];
  /** Scratch over the atoms for {@link propose}: rows of the release per atom, new atom of a split one. */
  private count = new Int32Array(0);
  private movedTo = new Int32Array(0);

  /**
   * @param as the representation of the rows (default: the state's own); a state of the other one is
   *   converted (a snapshot of a cell namespace written with dense rows loads as sparse).
   */
  constructor(state: AuditorState, as?: Representation) {
    this.atomOf = state.atomOf;
    this.atomSize = state.atomSize;
    this.fields = state.fields.map((f) => field(f, state.atomSize.length, as));
  }

  static empty(primes: number[], as: Representation = 'dense'): LinearAuditor {
    return new LinearAuditor({
      atomOf: new Int32Array(0),
      atomSize: [0],
      fields: primes.map((prime) =>
        as === 'sparse' ? { prime, sparse: [], pivotOf: [] } : { prime, rows: [], pivotOf: [] },
      ),
    });
  }

  /** The state to persist (rows cut to the atoms in use). */
  state(): AuditorState {
    const atoms = this.atomSize.length;
    return {
      atomOf: this.atomOf,
      atomSize: this.atomSize,
      fields: this.fields.map((f) => f.state(atoms)),
    };
  }

  /** Bytes the auditor holds: its atoms and both fields' rows with their indices. */
  bytes(): number {
    return this.atomOf.byteLength + 8 * this.atomSize.length + this.fields.reduce((n, f) => n + f.bytes(), 0);
  }

  /** The state when the open batch began (see {@link begin}). */
  private batch: {
    atomSize: number[];
    /** Rows moved to a new atom in the batch, with the atom they left, in order. */
    moves: number[];
  } | null = null;

  /**
   * Opens a batch: several releases committed one after the other (the cells of one release on one
   * namespace), which {@link rollback} undoes together when a later one is refused. Cost: a copy of the
   * atom sizes (and of the dense fields' column counts); rows are saved only when a commit changes them.
   */
  begin(): void {
    if (this.batch) throw new Error('a batch is open already');
    this.batch = { atomSize: [...this.atomSize], moves: [] };
    for (const f of this.fields) f.begin();
  }

  /** Closes the batch, keeping what was committed in it. */
  end(): void {
    this.batch = null;
    for (const f of this.fields) f.end();
  }

  /** Undoes every commit of the open batch (no proposal may be pending) and closes it. */
  rollback(): void {
    const b = this.batch;
    if (!b) throw new Error('no batch is open');
    for (let k = b.moves.length - 2; k >= 0; k -= 2) this.atomOf[b.moves[k]!] = b.moves[k + 1]!;
    const atomsBefore = b.atomSize.length;
    this.atomSize.length = 0;
    this.atomSize.push(...b.atomSize);
    for (const f of this.fields) f.rollback(atomsBefore);
    this.end();
  }

  /** Number of atoms (groups of rows no release separates) and of independent releases. */
  get size(): { atoms: number; rank: number } {
    return { atoms: this.atomSize.length - 1, rank: this.fields[0]?.rank ?? 0 };
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
    //    Scratch arrays over the atoms, kept between releases and cleared at the atoms touched: a cell
    //    touches a few hundred of 100,000 atoms, and a fresh array per cell would cost more than it.
    if (this.count.length < atomsBefore) {
      this.count = new Int32Array(2 * atomsBefore);
      this.movedTo = new Int32Array(2 * atomsBefore).fill(-1);
    }
    const count = this.count;
    const movedTo = this.movedTo;
    const touched: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const a = atomOf[rows[i]!]!;
      if (count[a] === 0) touched.push(a);
      count[a]!++;
    }
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
    for (const a of touched) {
      count[a] = 0;
      movedTo[a] = -1;
    }

    // 2. per field: reduce and look for determined groups before changing anything
    const pending = this.fields.map((f) => f.reduce(atoms));
    let worst: Determined | null = null;
    for (const p of pending) {
      const hit = p.determined(atomSize, minGroup);
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
        for (const p of pending) p.commit();
      },
      abort: () => {
        once();
        for (const f of this.fields) f.clearColumns(atomsBefore, atomSize.length);
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
