/**
 * One elimination of the linear auditor modulo one prime (see linear-auditor.ts and
 * docs/adr/0008-exact-query-auditing.md): the reduced row echelon form of the released sets over the atoms.
 * Two representations of its rows share this contract: dense typed arrays over the atoms
 * (`dense-field.ts`, for selections, whose reduced rows fill in to a good share of the atoms) and sorted
 * sparse rows with a column index (`sparse-field.ts`, for the cells of validations: small sets, sparse
 * reduced rows, atoms approaching the records).
 */

/** A determined group: a set of rows whose total the releases determine. */
export interface Determined {
  /** Number of rows in the group (1: a single row's value). */
  rows: number;
}

/** One field's persisted rows: dense over the atoms, or sparse (sorted atoms with their values). */
export type FieldState =
  | {
      prime: number;
      /** Each row's values for atoms 0..atoms-1. */
      rows: Uint32Array[];
      /** Pivot atom of each row. */
      pivotOf: number[];
    }
  | {
      prime: number;
      /** Each row's non-zero entries: atoms in increasing order, values mod prime (same length). */
      sparse: Array<{ atoms: Int32Array; values: Uint32Array }>;
      pivotOf: number[];
    };

/** A release's vector reduced against one field, not yet applied. */
export interface FieldProposal {
  /** The smallest group of fewer than minGroup rows that committing would determine (null: none). */
  determined(atomSize: number[], minGroup: number): Determined | null;
  commit(): void;
}

export interface EliminationField {
  readonly prime: number;
  /** Number of rows (the rank). */
  readonly rank: number;
  /** Makes room for atoms 0..atoms-1. */
  ensure(atoms: number): void;
  /** Copies the column of atom a into b (a fresh atom, larger than every atom in use: all zero before). */
  copyColumn(a: number, b: number): void;
  /** Zeroes the columns of atoms from..to-1 (fresh atoms of a proposal that is aborted). */
  clearColumns(from: number, to: number): void;
  /** Reduces the 0/1 vector of these atoms (distinct) against the rows; changes nothing. */
  reduce(atoms: number[]): FieldProposal;
  /** Opens a batch (see LinearAuditor.begin). */
  begin(): void;
  end(): void;
  /** Undoes the commits of the open batch; atoms from atomsBefore on are gone again. */
  rollback(atomsBefore: number): void;
  /** The rows to persist, over atoms 0..atoms-1. */
  state(atoms: number): FieldState;
  /** Bytes held by the rows and their indices (typed arrays' lengths, column lists, per-row overhead). */
  bytes(): number;
}

/** Pivot rule shared by both representations: the atom of the support held by the fewest rows (least fill-in). */
export function leastFill(support: ArrayLike<number>, colCount: (atom: number) => number): number {
  let pivot = support[0]!;
  let best = colCount(pivot);
  for (let k = 1; k < support.length && best > 0; k++) {
    const c = colCount(support[k]!);
    if (c < best) {
      best = c;
      pivot = support[k]!;
    }
  }
  return pivot;
}
