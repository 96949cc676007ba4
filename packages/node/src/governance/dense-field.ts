/**
 * A field of the linear auditor with dense rows: typed arrays over the atoms (the reduced rows of
 * realistic selections fill in to a good share of the atoms, where a typed array beats a map by far);
 * `nnz` counts each row's non-zero entries, so a row equal to a unit vector is seen at once.
 */
import {
  type Determined,
  type EliminationField,
  type FieldProposal,
  type FieldState,
  leastFill,
} from './elimination-field.js';
import { invMod, mulMod } from './modular.js';

export class DenseField implements EliminationField {
  private cap: number;
  /** While a batch is open: rows before its first change, by row index, and the counts at its start. */
  private saved: Map<number, Uint32Array> | null = null;
  private batch: { rows: number; nnz: number[]; colCount: Int32Array } | null = null;
  private readonly pivotRow = new Map<number, number>();
  private readonly nnz: number[];
  /** Number of rows with a non-zero entry, per atom (the fill-in a pivot there would cause). */
  private colCount: Int32Array;

  constructor(
    readonly prime: number,
    private readonly rows: Uint32Array[],
    private readonly pivotOf: number[],
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

  get rank(): number {
    return this.rows.length;
  }

  ensure(atoms: number): void {
    if (atoms <= this.cap) return;
    while (this.cap < atoms) this.cap *= 2;
    for (let r = 0; r < this.rows.length; r++) this.rows[r] = grow(this.rows[r]!, this.cap);
    const counts = new Int32Array(this.cap);
    counts.set(this.colCount);
    this.colCount = counts;
  }

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

  clearColumns(from: number, to: number): void {
    for (let b = from; b < to; b++) {
      if (this.colCount[b] === 0) continue;
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

  begin(): void {
    this.batch = { rows: this.rows.length, nnz: [...this.nnz], colCount: this.colCount.slice() };
    this.saved = new Map();
  }

  end(): void {
    this.batch = null;
    this.saved = null;
  }

  rollback(atomsBefore: number): void {
    const b = this.batch;
    if (!b) throw new Error('no batch is open');
    for (let r = b.rows; r < this.rows.length; r++) this.pivotRow.delete(this.pivotOf[r]!);
    this.rows.length = b.rows;
    this.pivotOf.length = b.rows;
    // rows from before the batch that a commit changed (rows made in the batch are gone)
    for (const [r, saved] of this.saved ?? [])
      if (r < b.rows) this.rows[r] = saved.length < this.cap ? grow(saved, this.cap) : saved;
    // columns of atoms made in the batch: zero again (copies of split atoms' columns)
    for (const row of this.rows) row.fill(0, atomsBefore);
    this.nnz.length = 0;
    this.nnz.push(...b.nnz);
    this.colCount.fill(0);
    this.colCount.set(b.colCount.subarray(0, Math.min(b.colCount.length, this.colCount.length)));
    this.end();
  }

  state(atoms: number): FieldState {
    return { prime: this.prime, rows: this.rows.map((r) => r.subarray(0, atoms)), pivotOf: this.pivotOf };
  }

  bytes(): number {
    return this.rows.length * (4 * this.cap + 64) + 4 * this.cap;
  }

  reduce(atoms: number[]): FieldProposal {
    const p = this.prime;
    const v = new Uint32Array(this.cap);
    for (const a of atoms) v[a] = 1;
    // RREF rows are zero at every other pivot, so v keeps its entry 1 at each pivot it meets
    let touched = false;
    for (const a of atoms) {
      const r = this.pivotRow.get(a);
      if (r === undefined) continue;
      touched = true;
      const row = this.rows[r]!;
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
    if (support.length === 0) return { determined: () => null, commit: () => {} };
    const pivot = leastFill(support, (a) => this.colCount[a]!);
    const holders: number[] = [];
    if (this.colCount[pivot] !== 0)
      for (let r = 0; r < this.rows.length; r++) if (this.rows[r]![pivot] !== 0) holders.push(r);
    const inv = invMod(v[pivot]!, p);
    if (inv !== 1) for (const b of support) v[b] = mulMod(v[b]!, inv, p);
    return {
      determined: (atomSize, minGroup) => this.determinedBy(v, support, pivot, holders, atomSize, minGroup),
      commit: () => this.commit(v, support, pivot, holders),
    };
  }

  /** The smallest determined group of fewer than minGroup rows the pending row would create, if any. */
  private determinedBy(
    v: Uint32Array,
    support: number[],
    pivot: number,
    holders: number[],
    atomSize: number[],
    minGroup: number,
  ): Determined | null {
    let worst: Determined | null = null;
    const consider = (atom: number) => {
      const n = atomSize[atom]!;
      if (n < minGroup && (!worst || n < worst.rows)) worst = { rows: n };
    };
    if (support.length === 1) consider(pivot);
    const p = this.prime;
    for (const r of holders) {
      const row = this.rows[r]!;
      const c = row[pivot]!;
      let nnz = this.nnz[r]!;
      for (const b of support) {
        const x = row[b]!;
        const y = x - mulMod(c, v[b]!, p);
        const z = y < 0 ? y + p : y;
        if (x === 0 && z !== 0) nnz++;
        else if (x !== 0 && z === 0) nnz--;
      }
      if (nnz === 1) consider(this.pivotOf[r]!);
    }
    return worst;
  }

  private commit(v: Uint32Array, support: number[], pivot: number, holders: number[]): void {
    const p = this.prime;
    for (const r of holders) {
      const row = this.rows[r]!;
      if (this.saved && !this.saved.has(r)) this.saved.set(r, row.slice());
      const c = row[pivot]!;
      let nnz = this.nnz[r]!;
      for (const b of support) {
        const x = row[b]!;
        const y = x - mulMod(c, v[b]!, p);
        const z = y < 0 ? y + p : y;
        if (x === 0 && z !== 0) {
          nnz++;
          this.colCount[b]!++;
        } else if (x !== 0 && z === 0) {
          nnz--;
          this.colCount[b]!--;
        }
        row[b] = z;
      }
      this.nnz[r] = nnz;
    }
    this.pivotRow.set(pivot, this.rows.length);
    this.rows.push(v);
    this.pivotOf.push(pivot);
    this.nnz.push(support.length);
    for (const b of support) this.colCount[b]!++;
  }
}

function grow(a: Uint32Array, n: number): Uint32Array {
  const out = new Uint32Array(n);
  out.set(a.subarray(0, Math.min(a.length, n)));
  return out;
}
