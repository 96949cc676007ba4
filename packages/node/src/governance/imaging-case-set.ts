/**
 * The image cases a validate-imaging release actually used, as a row set of the node's privacy ledger: each
 * case is keyed by its pseudonymised patient and image series (the store's own de-identified identifiers),
 * in a namespace of its own (`imaging:cases`), so that two tasks whose case sets differ by one case (a series
 * dropped by the selection, a structure missing, a body part) are caught by the pairwise and linear rules
 * like two tabular selections differing by one row. The cohort table's selection is booked apart, by the
 * dataset it was read from.
 */
import { createHash } from 'node:crypto';
import type { AuditedDataset } from './privacy-ledger.js';
import { RecordSet } from './record-set.js';

/** The ledger root of image cases at this node. */
export const IMAGING_CASES_ROOT = 'imaging:cases';

/** One case: the pseudonymised patient and the image series used. */
export interface BookedCase {
  readonly patient: string;
  readonly series: string;
}

export class ImagingCaseSet implements AuditedDataset {
  readonly version: string;
  readonly lineage = { root: IMAGING_CASES_ROOT };
  readonly #keys: string[];

  constructor(cases: readonly BookedCase[]) {
    this.#keys = [...new Set(cases.map((c) => `${c.patient}\u001f${c.series}`))].sort();
    this.version = createHash('sha256').update(this.#keys.join('\u001e')).digest('hex');
  }

  get size(): number {
    return this.#keys.length;
  }

  async rowKeys(): Promise<{ rowids: number[]; keys: string[] }> {
    return { rowids: this.#keys.map((_, i) => i), keys: [...this.#keys] };
  }

  /** Every case of the set was used (by the counts and every released statistic). */
  async usage(): Promise<Map<string, RecordSet>> {
    if (this.#keys.length === 0) return new Map();
    const all = RecordSet.fromRowIds(
      this.#keys.map((_, i) => i),
      this.#keys.length,
    );
    return new Map([['#', all]]);
  }
}
