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

  /** From (byte index, bit mask) pairs, as aggregated in SQL. */
  static fromBytes(byteIndex: ArrayLike<number>, masks: ArrayLike<number>, rowCount: number): RecordSet {
    let maxByte = Math.ceil(rowCount / 8) - 1;
    for (let i = 0; i < byteIndex.length; i++) if (byteIndex[i]! > maxByte) maxByte = byteIndex[i]!;
    const bits = new Uint8Array(maxByte + 1);
    let size = 0;
    for (let i = 0; i < byteIndex.length; i++) {
      bits[byteIndex[i]!]! |= masks[i]!;
    }
    for (const b of bits) size += POPCOUNT[b]!;
    return new RecordSet(bits, size);
  }

  /** The records in any of the sets. */
  static union(sets: RecordSet[]): RecordSet {
    const len = Math.max(...sets.map((s) => s.bits.length));
    const bits = new Uint8Array(len);
    for (const s of sets) for (let i = 0; i < s.bits.length; i++) bits[i]! |= s.bits[i]!;
    let size = 0;
    for (const b of bits) size += POPCOUNT[b]!;
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
