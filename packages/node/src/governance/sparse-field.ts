/**
 * A field of the linear auditor with sparse rows, for the cells of validations (docs/adr/0008, "Cost"):
 * cells are small sets (score groups of a partition of a selection) and their reduced rows stay far
 * sparser than the atoms, which approach the records once several models have cut them. Each row keeps
 * its non-zero entries as parallel typed arrays (atoms increasing, values mod prime) with room to grow;
 * a column index (the rows holding each atom) gives the fill-in count of a pivot, the rows to update,
 * and the rows to extend when an atom splits, without a pass over every row.
 *
 * Same mathematics as the dense field: RREF, least-fill pivot (ties: the smallest atom), the check of
 * the would-be non-zero counts before anything changes, rollback of a batch.
 */
import type { Determined, EliminationField, FieldProposal, FieldState } from './elimination-field.js';
import { leastFill } from './elimination-field.js';
import { invMod, mulMod } from './modular.js';

/** Bytes counted per row beside its arrays (two typed arrays and their slots in the row lists). */
const ROW_OVERHEAD = 200;

export class SparseField implements EliminationField {
  /** Atoms of each row's non-zero entries, increasing; values at the same positions; entries in use. */
  private readonly idx: Int32Array[] = [];
  private readonly val: Uint32Array[] = [];
  private readonly len: number[] = [];
  private readonly pivotRow = new Map<number, number>();
  /** Rows with a non-zero entry at each atom (unordered; undefined: none). */
  private cols: Array<number[] | undefined> = [];
  /** Number of entries in the column lists (= non-zero entries of all rows). */
  private entries = 0;
  /** Scratch for reductions: the accumulated vector and which atoms it has touched. */
  private acc = new Uint32Array(64);
  private seen = new Uint8Array(64);
  /** While a batch is open: rows before their first change in it, and the rank at its start. */
  private saved: Map<number, { idx: Int32Array; val: Uint32Array; len: number }> | null = null;
  private rowsBefore = 0;

  constructor(
    readonly prime: number,
    rows: Array<{ atoms: Int32Array; values: Uint32Array }>,
    private readonly pivotOf: number[],
    atoms: number,
  ) {
    this.ensure(atoms);
    rows.forEach((row, r) => {
      this.idx.push(row.atoms.slice());
      this.val.push(row.values.slice());
      this.len.push(row.atoms.length);
      for (const a of row.atoms) this.addTo(a, r);
    });
    pivotOf.forEach((a, r) => {
      this.pivotRow.set(a, r);
    });
  }

  /** From dense rows (a snapshot written before the sparse representation). */
  static fromDense(prime: number, rows: Uint32Array[], pivotOf: number[], atoms: number): SparseField {
    const sparse = rows.map((row) => {
      const at: number[] = [];
      for (let a = 0; a < Math.min(atoms, row.length); a++) if (row[a] !== 0) at.push(a);
      return { atoms: Int32Array.from(at), values: Uint32Array.from(at, (a) => row[a]!) };
    });
    return new SparseField(prime, sparse, pivotOf, atoms);
  }

  get rank(): number {
    return this.idx.length;
  }

  private colCount(a: number): number {
    return this.cols[a]?.length ?? 0;
  }

  private addTo(a: number, r: number): void {
    const c = this.cols[a];
    if (c) c.push(r);
    else this.cols[a] = [r];
    this.entries++;
  }

  private removeFrom(a: number, r: number): void {
    const c = this.cols[a]!;
    const k = c.lastIndexOf(r);
    c[k] = c[c.length - 1]!;
    c.pop();
    if (c.length === 0) this.cols[a] = undefined;
    this.entries--;
  }

  /** Row r's value at atom a (0 where it has none). */
  private at(r: number, a: number): number {
    const idx = this.idx[r]!;
    let lo = 0;
    let hi = this.len[r]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = idx[mid]!;
      if (x === a) return this.val[r]![mid]!;
      if (x < a) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  ensure(atoms: number): void {
    if (atoms <= this.acc.length) return;
    let cap = this.acc.length;
    while (cap < atoms) cap *= 2;
    const acc = new Uint32Array(cap);
    acc.set(this.acc);
    this.acc = acc;
    const seen = new Uint8Array(cap);
    seen.set(this.seen);
    this.seen = seen;
  }

  copyColumn(a: number, b: number): void {
    const holders = this.cols[a];
    if (!holders) return;
    // b is larger than every atom in use: appending keeps each row sorted
    for (const r of holders) {
      const n = this.len[r]!;
      if (n === this.idx[r]!.length) {
        const cap = Math.max(4, n * 2);
        const idx = new Int32Array(cap);
        idx.set(this.idx[r]!);
        const val = new Uint32Array(cap);
        val.set(this.val[r]!);
        this.idx[r] = idx;
        this.val[r] = val;
      }
      this.val[r]![n] = this.at(r, a);
      this.idx[r]![n] = b;
      this.len[r] = n + 1;
    }
    this.cols[b] = holders.slice();
    this.entries += holders.length;
  }

  clearColumns(from: number, to: number): void {
    for (let b = from; b < to; b++) {
      const holders = this.cols[b];
      if (!holders) continue;
      // fresh atoms sit at the end of each row
      for (const r of holders) this.truncate(r, from);
      this.entries -= holders.length;
      this.cols[b] = undefined;
    }
  }

  /** Drops row r's entries at atoms from `from` on (the last ones). */
  private truncate(r: number, from: number): void {
    const idx = this.idx[r]!;
    let n = this.len[r]!;
    while (n > 0 && idx[n - 1]! >= from) n--;
    this.len[r] = n;
  }

  begin(): void {
    this.saved = new Map();
    this.rowsBefore = this.idx.length;
  }

  end(): void {
    this.saved = null;
  }

  rollback(atomsBefore: number): void {
    const saved = this.saved;
    if (!saved) throw new Error('no batch is open');
    // rows made in the batch: out of the column lists, then gone
    for (let r = this.rowsBefore; r < this.idx.length; r++) {
      this.pivotRow.delete(this.pivotOf[r]!);
      const idx = this.idx[r]!;
      for (let k = 0; k < this.len[r]!; k++) if (idx[k]! < atomsBefore) this.removeFrom(idx[k]!, r);
    }
    this.idx.length = this.val.length = this.len.length = this.pivotOf.length = this.rowsBefore;
    // rows changed in the batch: their entries now out of the column lists, their saved ones back in
    for (const [r, s] of saved) {
      if (r >= this.rowsBefore) continue;
      const idx = this.idx[r]!;
      for (let k = 0; k < this.len[r]!; k++) if (idx[k]! < atomsBefore) this.removeFrom(idx[k]!, r);
      this.idx[r] = s.idx;
      this.val[r] = s.val;
      this.len[r] = s.len;
      for (let k = 0; k < s.len; k++) if (s.idx[k]! < atomsBefore) this.addTo(s.idx[k]!, r);
    }
    // columns of atoms made in the batch (copies of split atoms' columns): gone
    for (let r = 0; r < this.idx.length; r++) this.truncate(r, atomsBefore);
    for (let b = atomsBefore; b < this.cols.length; b++) this.entries -= this.cols[b]?.length ?? 0;
    this.cols.length = Math.min(this.cols.length, atomsBefore);
    this.end();
  }

  state(atoms: number): FieldState {
    return {
      prime: this.prime,
      pivotOf: this.pivotOf,
      sparse: this.idx.map((idx, r) => {
        let n = this.len[r]!;
        while (n > 0 && idx[n - 1]! >= atoms) n--;
        return { atoms: idx.subarray(0, n), values: this.val[r]!.subarray(0, n) };
      }),
    };
  }

  bytes(): number {
    let b = 0;
    for (let r = 0; r < this.idx.length; r++) b += this.idx[r]!.byteLength + this.val[r]!.byteLength;
    // column lists: 8 bytes per entry (small integers in a JS array) plus a slot per atom
    return b + ROW_OVERHEAD * this.idx.length + 8 * this.entries + 8 * this.cols.length + 5 * this.acc.length;
  }

  reduce(atoms: number[]): FieldProposal {
    const p = this.prime;
    const { acc, seen } = this;
    const touched: number[] = [];
    for (const a of atoms) {
      acc[a] = 1;
      seen[a] = 1;
      touched.push(a);
    }
    // RREF rows are zero at every other pivot, so the vector keeps its entry 1 at each pivot it meets
    for (const a of atoms) {
      const r = this.pivotRow.get(a);
      if (r === undefined) continue;
      const idx = this.idx[r]!;
      const val = this.val[r]!;
      for (let k = 0, n = this.len[r]!; k < n; k++) {
        const b = idx[k]!;
        if (seen[b] === 0) {
          seen[b] = 1;
          touched.push(b);
        }
        const y = acc[b]! - val[k]!;
        acc[b] = y < 0 ? y + p : y;
      }
    }
    let m = 0;
    for (const b of touched) if (acc[b] !== 0) m++;
    const support = new Int32Array(m);
    m = 0;
    for (const b of touched) if (acc[b] !== 0) support[m++] = b;
    support.sort();
    const values = new Uint32Array(m);
    for (let k = 0; k < m; k++) values[k] = acc[support[k]!]!;
    for (const b of touched) {
      acc[b] = 0;
      seen[b] = 0;
    }
    if (m === 0) return { determined: () => null, commit: () => {} };
    const pivot = leastFill(support, (a) => this.colCount(a));
    const inv = invMod(this.valueIn(support, values, pivot), p);
    if (inv !== 1) for (let k = 0; k < m; k++) values[k] = mulMod(values[k]!, inv, p);
    const holders = this.cols[pivot]?.slice() ?? [];
    return {
      determined: (atomSize, minGroup) =>
        this.determinedBy(support, values, pivot, holders, atomSize, minGroup),
      commit: () => this.commit(support, values, pivot, holders),
    };
  }

  private valueIn(support: Int32Array, values: Uint32Array, atom: number): number {
    let lo = 0;
    let hi = support.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (support[mid] === atom) return values[mid]!;
      if (support[mid]! < atom) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** The smallest determined group of fewer than minGroup rows the pending row would create, if any. */
  private determinedBy(
    support: Int32Array,
    values: Uint32Array,
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
      const idx = this.idx[r]!;
      const val = this.val[r]!;
      const len = this.len[r]!;
      const c = this.at(r, pivot);
      // the row minus c times the new one, counted along both sorted lists
      let nnz = len;
      let i = 0;
      for (let k = 0; k < support.length; k++) {
        const b = support[k]!;
        while (i < len && idx[i]! < b) i++;
        const x = i < len && idx[i] === b ? val[i]! : 0;
        const y = x - mulMod(c, values[k]!, p);
        const z = y < 0 ? y + p : y;
        if (x === 0 && z !== 0) nnz++;
        else if (x !== 0 && z === 0) nnz--;
      }
      if (nnz === 1) consider(this.pivotOf[r]!);
    }
    return worst;
  }

  private commit(support: Int32Array, values: Uint32Array, pivot: number, holders: number[]): void {
    const p = this.prime;
    for (const r of holders) {
      const idx = this.idx[r]!;
      const val = this.val[r]!;
      const len = this.len[r]!;
      // commits never write into a row's arrays: a saved row keeps its own
      if (this.saved && !this.saved.has(r)) this.saved.set(r, { idx, val, len });
      const c = this.at(r, pivot);
      const outIdx = new Int32Array(len + support.length);
      const outVal = new Uint32Array(len + support.length);
      let n = 0;
      let i = 0;
      for (let k = 0; k < support.length; k++) {
        const b = support[k]!;
        while (i < len && idx[i]! < b) {
          outIdx[n] = idx[i]!;
          outVal[n++] = val[i++]!;
        }
        const had = i < len && idx[i] === b;
        const x = had ? val[i++]! : 0;
        const y = x - mulMod(c, values[k]!, p);
        const z = y < 0 ? y + p : y;
        if (z !== 0) {
          outIdx[n] = b;
          outVal[n++] = z;
          if (!had) this.addTo(b, r);
        } else if (had && b !== pivot) this.removeFrom(b, r);
      }
      while (i < len) {
        outIdx[n] = idx[i]!;
        outVal[n++] = val[i++]!;
      }
      // a little room to grow (atoms split later are appended)
      const keep = Math.min(outIdx.length, n + 4);
      this.idx[r] = keep < outIdx.length ? outIdx.slice(0, keep) : outIdx;
      this.val[r] = keep < outVal.length ? outVal.slice(0, keep) : outVal;
      this.len[r] = n;
    }
    // every holder's entry at the pivot is gone (c - c * 1): its column list at once, not one by one
    if (holders.length > 0) {
      this.entries -= holders.length;
      this.cols[pivot] = undefined;
    }
    const r = this.idx.length;
    this.pivotRow.set(pivot, r);
    this.idx.push(support);
    this.val.push(values);
    this.len.push(support.length);
    this.pivotOf.push(pivot);
    for (let k = 0; k < support.length; k++) this.addTo(support[k]!, r);
  }
}
