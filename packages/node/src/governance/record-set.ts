/** A set of record positions (DuckDB row ids) as a bitset, with the operations the privacy ledger needs. */
export class RecordSet {
  constructor(
    readonly bits: Uint8Array,
    readonly size: number,
  ) {}

  /** `rowCount` sizes the bitset; row ids beyond it (after deletions) grow it. */
  static fromRowIds(rowIds: ArrayLike<number>, rowCount: number): RecordSet {
    let maxId = rowCount - 1;
    for (let i = 0; i < rowIds.length; i++) if (rowIds[i]! > maxId) maxId = rowIds[i]!;
    const bits = new Uint8Array(Math.ceil((maxId + 1) / 8));
    let size = 0;
    for (let i = 0; i < rowIds.length; i++) {
      const r = rowIds[i]!;
      const byte = r >> 3;
      const mask = 1 << (r & 7);
      if (!(bits[byte]! & mask)) {
        bits[byte]! |= mask;
        size++;
      }
    }
    return new RecordSet(bits, size);
  }

  /** Number of records in exactly one of the two sets. */
  symmetricDifference(other: RecordSet): number {
    const a = this.bits;
    const b = other.bits;
    const n = Math.max(a.length, b.length);
    let d = 0;
    for (let i = 0; i < n; i++) d += POPCOUNT[(a[i] ?? 0) ^ (b[i] ?? 0)]!;
    return d;
  }
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, i) => {
  let c = 0;
  for (let v = i; v; v >>= 1) c += v & 1;
  return c;
});
