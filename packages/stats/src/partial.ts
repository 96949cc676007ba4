import { StatsError, StatsErrorCode } from './errors.js';

/**
 * Every local partial is a flat Float64Array that is summed element-wise across nodes (so it can be
 * secure-aggregated), described by a layout: named fields with shapes, laid out one after another.
 */

/** One named block of a partial; `shape` [] is a scalar, [p] a vector, [r, c] a row-major matrix. */
export interface PartialField {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Layout of a flat partial: a kind tag (e.g. `glm`) and its fields in order. */
export interface PartialLayout {
  readonly kind: string;
  readonly fields: readonly PartialField[];
}

/** Number of elements of a field. */
export function fieldSize(field: PartialField): number {
  return field.shape.reduce((a, b) => a * b, 1);
}

/** Total length of the flat vector described by a layout. */
export function layoutSize(layout: PartialLayout): number {
  return layout.fields.reduce((s, f) => s + fieldSize(f), 0);
}

/** Start offset of each field in the flat vector, by name. */
export function layoutOffsets(layout: PartialLayout): Record<string, number> {
  const out: Record<string, number> = {};
  let o = 0;
  for (const f of layout.fields) {
    out[f.name] = o;
    o += fieldSize(f);
  }
  return out;
}

/** Packs named values (numbers or arrays of the field's size) into one flat Float64Array. */
export function flattenPartial(
  layout: PartialLayout,
  values: Readonly<Record<string, number | ArrayLike<number>>>,
): Float64Array {
  const out = new Float64Array(layoutSize(layout));
  let o = 0;
  for (const f of layout.fields) {
    const v = values[f.name];
    const size = fieldSize(f);
    if (v === undefined) {
      throw new StatsError(
        StatsErrorCode.LayoutMismatch,
        `partial '${layout.kind}': missing field '${f.name}'`,
      );
    }
    if (typeof v === 'number') {
      if (size !== 1) {
        throw new StatsError(
          StatsErrorCode.LayoutMismatch,
          `partial '${layout.kind}': field '${f.name}' needs ${size} values`,
        );
      }
      out[o] = v;
    } else {
      if (v.length !== size) {
        throw new StatsError(
          StatsErrorCode.LayoutMismatch,
          `partial '${layout.kind}': field '${f.name}' has ${v.length} values, expected ${size}`,
        );
      }
      for (let i = 0; i < size; i++) out[o + i] = v[i]!;
    }
    o += size;
  }
  return out;
}

/** Splits a flat partial into named views (subarrays sharing the buffer). */
export function unflattenPartial(layout: PartialLayout, flat: Float64Array): Record<string, Float64Array> {
  if (flat.length !== layoutSize(layout)) {
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      `partial '${layout.kind}': length ${flat.length}, layout needs ${layoutSize(layout)}`,
    );
  }
  const out: Record<string, Float64Array> = {};
  let o = 0;
  for (const f of layout.fields) {
    const size = fieldSize(f);
    out[f.name] = flat.subarray(o, o + size);
    o += size;
  }
  return out;
}

/** Element-wise sum of equally long partials: what (secure) aggregation computes. */
export function sumPartials(parts: readonly Float64Array[]): Float64Array {
  if (parts.length === 0) throw new StatsError(StatsErrorCode.InvalidArgument, 'sumPartials: no partials');
  const n = parts[0]!.length;
  const out = new Float64Array(n);
  parts.forEach((p, k) => {
    if (p.length !== n) {
      throw new StatsError(
        StatsErrorCode.LayoutMismatch,
        `sumPartials: partial ${k} has length ${p.length}, expected ${n}`,
      );
    }
    for (let i = 0; i < n; i++) out[i]! += p[i]!;
  });
  return out;
}
