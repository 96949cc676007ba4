/** ONNX TensorProto.DataType codes and the onnxruntime tensor type names the runtime accepts. */

export const ELEMENT_TYPES = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
} as const;

export type OnnxElementType = (typeof ELEMENT_TYPES)[keyof typeof ELEMENT_TYPES];

/** The numeric element types fedhub feeds from tables and images (strings and float16 are not fed). */
export type FeedElementType = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'bool';

/** The name for an ONNX element type code, or null for one the runtime does not support (complex, bfloat16...). */
export function elementTypeName(code: number | undefined): OnnxElementType | null {
  return code !== undefined && code in ELEMENT_TYPES
    ? ELEMENT_TYPES[code as keyof typeof ELEMENT_TYPES]
    : null;
}

/** The ONNX code for an element type name. */
export function elementTypeCode(name: OnnxElementType): number {
  const hit = Object.entries(ELEMENT_TYPES).find(([, v]) => v === name);
  if (!hit) throw new Error(`unknown element type ${name}`);
  return Number(hit[0]);
}
