/**
 * Encodes small ONNX models from TypeScript, for tests that must know a model's exact outputs: a logistic
 * regression (MatMul + Add + Sigmoid), a convolution with fixed weights, a threshold segmenter, and any graph
 * given as nodes. Encoded with the same protobuf schema the runtime decodes with; onnxruntime runs the result,
 * and python's `onnx.checker` (full check) accepts it: scripts/check-builder-with-onnx.sh.
 */
import { elementTypeCode, type OnnxElementType } from '../element-types.js';
import { modelProtoType } from '../onnx-schema.js';

export interface TensorSpec {
  readonly name: string;
  readonly type: 'float32' | 'float64' | 'int64' | 'int32' | 'uint8';
  readonly dims: readonly number[];
  readonly values: readonly number[];
}

export type AttributeSpec =
  | { readonly f: number }
  | { readonly i: number }
  | { readonly s: string }
  | { readonly floats: readonly number[] }
  | { readonly ints: readonly number[] }
  | { readonly t: TensorSpec };

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, AttributeSpec>>;
}

export interface ValueSpec {
  readonly name: string;
  readonly type: OnnxElementType;
  /** Sizes, symbolic names, or null for an unknown dimension. */
  readonly shape: readonly (number | string | null)[];
}

export interface GraphSpec {
  readonly name?: string;
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly initializers?: readonly TensorSpec[];
  readonly nodes: readonly NodeSpec[];
  /** ai.onnx operator set version (default 17). */
  readonly opset?: number;
  /** Extra operator-set imports, e.g. a custom domain to test refusals. */
  readonly extraOpsets?: readonly { domain: string; version: number }[];
  readonly irVersion?: number;
}

function rawBytes(t: TensorSpec): Uint8Array {
  const n = t.values.length;
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (n !== expected) throw new Error(`tensor ${t.name}: ${n} values for dims [${t.dims.join(', ')}]`);
  const array =
    t.type === 'float32'
      ? Float32Array.from(t.values)
      : t.type === 'float64'
        ? Float64Array.from(t.values)
        : t.type === 'int64'
          ? BigInt64Array.from(t.values.map((v) => BigInt(v)))
          : t.type === 'int32'
            ? Int32Array.from(t.values)
            : Uint8Array.from(t.values);
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength); // little-endian on every supported host
}

function tensorObject(t: TensorSpec): Record<string, unknown> {
  return { name: t.name, dims: [...t.dims], dataType: elementTypeCode(t.type), rawData: rawBytes(t) };
}

function attributeObject(name: string, a: AttributeSpec): Record<string, unknown> {
  if ('f' in a) return { name, type: 1, f: a.f };
  if ('i' in a) return { name, type: 2, i: a.i };
  if ('s' in a) return { name, type: 3, s: new TextEncoder().encode(a.s) };
  if ('t' in a) return { name, type: 4, t: tensorObject(a.t) };
  if ('floats' in a) return { name, type: 6, floats: [...a.floats] };
  return { name, type: 7, ints: [...a.ints] };
}

function valueObject(v: ValueSpec): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: elementTypeCode(v.type),
        shape: {
          dim: v.shape.map((d) =>
            typeof d === 'number' ? { dimValue: d } : d === null ? {} : { dimParam: d },
          ),
        },
      },
    },
  };
}

/** The ModelProto of `spec` as plain objects (tests may alter it before {@link encodeModelObject}). */
export function modelObject(spec: GraphSpec): Record<string, unknown> {
  return {
    irVersion: spec.irVersion ?? 8,
    producerName: 'fedhub-test-builder',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }, ...(spec.extraOpsets ?? [])],
    graph: {
      name: spec.name ?? 'graph',
      node: spec.nodes.map((n, k) => ({
        name: `${n.op}_${k}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes ?? {}).map(([name, a]) => attributeObject(name, a)),
      })),
      initializer: (spec.initializers ?? []).map(tensorObject),
      input: spec.inputs.map(valueObject),
      output: spec.outputs.map(valueObject),
    },
  };
}

/** Encodes a ModelProto given as plain objects. */
export function encodeModelObject(model: Record<string, unknown>): Uint8Array {
  const type = modelProtoType();
  return type.encode(type.fromObject(model)).finish();
}

/** Encodes `spec` as an ONNX file. */
export function buildOnnxModel(spec: GraphSpec): Uint8Array {
  return encodeModelObject(modelObject(spec));
}

export interface LogisticSpec {
  readonly coefficients: readonly number[];
  readonly intercept: number;
  readonly input?: string;
  readonly output?: string;
  readonly type?: 'float32' | 'float64';
}

/** p = sigmoid(x W + b) for x of shape [N, k]: output [N, 1]. */
export function logisticRegressionModel(spec: LogisticSpec): Uint8Array {
  const input = spec.input ?? 'x';
  const output = spec.output ?? 'p';
  const type = spec.type ?? 'float32';
  const k = spec.coefficients.length;
  return buildOnnxModel({
    name: 'logistic',
    inputs: [{ name: input, type, shape: ['N', k] }],
    outputs: [{ name: output, type, shape: ['N', 1] }],
    initializers: [
      { name: 'W', type, dims: [k, 1], values: spec.coefficients },
      { name: 'b', type, dims: [1], values: [spec.intercept] },
    ],
    nodes: [
      { op: 'MatMul', inputs: [input, 'W'], outputs: ['xw'] },
      { op: 'Add', inputs: ['xw', 'b'], outputs: ['eta'] },
      { op: 'Sigmoid', inputs: ['eta'], outputs: [output] },
    ],
  });
}

/**
 * A 3x3 mean filter (Conv, fixed weights 1/9, padding 1) over [N, 1, H, W] followed by a global max pool:
 * output `score` [N, 1, 1, 1] is the brightest 3x3 neighbourhood's mean, which detects a bright disc.
 */
export function meanFilterDetectorModel(height: number, width: number): Uint8Array {
  return buildOnnxModel({
    name: 'mean-filter-detector',
    inputs: [{ name: 'image', type: 'float32', shape: ['N', 1, height, width] }],
    outputs: [{ name: 'score', type: 'float32', shape: ['N', 1, 1, 1] }],
    initializers: [{ name: 'kernel', type: 'float32', dims: [1, 1, 3, 3], values: new Array(9).fill(1 / 9) }],
    nodes: [
      {
        op: 'Conv',
        inputs: ['image', 'kernel'],
        outputs: ['smoothed'],
        attributes: { pads: { ints: [1, 1, 1, 1] }, kernel_shape: { ints: [3, 3] } },
      },
      { op: 'GlobalMaxPool', inputs: ['smoothed'], outputs: ['score'] },
    ],
  });
}

/** mask = uint8(image > threshold) for [N, 1, H, W] (or any shape): a thresholding segmenter. */
export function thresholdSegmenterModel(threshold: number): Uint8Array {
  return buildOnnxModel({
    name: 'threshold-segmenter',
    inputs: [{ name: 'image', type: 'float32', shape: ['N', 1, 'H', 'W'] }],
    outputs: [{ name: 'mask', type: 'uint8', shape: ['N', 1, 'H', 'W'] }],
    initializers: [{ name: 'threshold', type: 'float32', dims: [], values: [threshold] }],
    nodes: [
      { op: 'Greater', inputs: ['image', 'threshold'], outputs: ['above'] },
      {
        op: 'Cast',
        inputs: ['above'],
        outputs: ['mask'],
        attributes: { to: { i: elementTypeCode('uint8') } },
      },
    ],
  });
}

/**
 * A model with a small input and output whose intermediate tensor is large: x [1, 1] expanded to [n, n]
 * float32 (4 n^2 bytes), then summed to [1, 1] (= x n^2). The element caps on inputs and outputs do not see
 * the intermediate; the runner's memory cap does.
 */
export function intermediateBlowUpModel(n: number): Uint8Array {
  return buildOnnxModel({
    inputs: [{ name: 'x', type: 'float32', shape: [1, 1] }],
    outputs: [{ name: 'y', type: 'float32', shape: [1, 1] }],
    initializers: [{ name: 'shape', type: 'int64', dims: [2], values: [n, n] }],
    nodes: [
      { op: 'Expand', inputs: ['x', 'shape'], outputs: ['big'] },
      { op: 'ReduceSum', inputs: ['big'], outputs: ['y'], attributes: { keepdims: { i: 1 } } },
    ],
  });
}
