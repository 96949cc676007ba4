/**
 * Reads an ONNX file as untrusted bytes: size cap first, then a protobuf decode (no onnxruntime involved),
 * then the checks a node makes before it lets onnxruntime see the file: a graph is present, no tensor keeps
 * its bytes in an external file (onnxruntime would open a path the model names), every operator comes from
 * the standard domains, no model-local functions. Returns the signature the registry stores and nodes check
 * feeds against.
 */
import { FedhubError } from '@fedhub/protocol';
import { elementTypeName, type OnnxElementType } from './element-types.js';
import { DEFAULT_ONNX_LIMITS, type OnnxLimits } from './limits.js';
import {
  type AttributeObject,
  DATA_LOCATION_EXTERNAL,
  type GraphObject,
  type ModelObject,
  modelProtoType,
  type TensorObject,
  type ValueInfo,
} from './onnx-schema.js';

/** Operator domains a model may use: the ONNX standard operators and the ONNX-ML operators. */
export const ALLOWED_DOMAINS: readonly string[] = ['', 'ai.onnx', 'ai.onnx.ml'];

/** One input or output of the graph. `shape` entries: a fixed size, a symbolic name, or null (unknown). */
export interface OnnxTensorInfo {
  readonly name: string;
  /** 'tensor' for dense tensors; sequences, maps (e.g. a ZipMap of class probabilities), optionals, sparse. */
  readonly kind: 'tensor' | 'sequence' | 'map' | 'optional' | 'sparse';
  /** The element type of a dense tensor; null for other kinds or an element type the runtime lacks. */
  readonly elementType: OnnxElementType | null;
  /** null when the model does not declare a shape. */
  readonly shape: readonly (number | string | null)[] | null;
}

export interface OnnxModelInfo {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producer: { readonly name: string; readonly version: string };
  readonly inputs: readonly OnnxTensorInfo[];
  readonly outputs: readonly OnnxTensorInfo[];
  /** Distinct operators the graph (and its subgraphs) use, `domain:OpType` with '' shown as `ai.onnx`. */
  readonly operators: readonly string[];
  readonly nodeCount: number;
  readonly byteLength: number;
}

function invalid(reason: string, details: Record<string, unknown> = {}): FedhubError {
  return new FedhubError('FH_ERR_MODEL_INVALID', `The ONNX model is invalid: ${reason}`, {
    reason,
    ...details,
  });
}

function decode(bytes: Uint8Array): ModelObject {
  const type = modelProtoType();
  try {
    const message = type.decode(bytes);
    return type.toObject(message, { longs: Number, defaults: false, arrays: true }) as ModelObject;
  } catch {
    throw invalid('the file is not an ONNX ModelProto (protobuf decoding failed)');
  }
}

function isExternal(t: TensorObject | undefined): boolean {
  return t !== undefined && (t.dataLocation === DATA_LOCATION_EXTERNAL || (t.externalData?.length ?? 0) > 0);
}

function tensorInfo(v: ValueInfo): OnnxTensorInfo {
  const name = v.name ?? '';
  const t = v.type;
  if (t?.tensorType) {
    const dims = t.tensorType.shape?.dim;
    return {
      name,
      kind: 'tensor',
      elementType: elementTypeName(t.tensorType.elemType),
      shape: t.tensorType.shape
        ? (dims ?? []).map((d) =>
            d.dimValue !== undefined
              ? d.dimValue
              : d.dimParam !== undefined && d.dimParam !== ''
                ? d.dimParam
                : null,
          )
        : null,
    };
  }
  const kind = t?.sequenceType ? 'sequence' : t?.mapType ? 'map' : t?.optionalType ? 'optional' : 'sparse';
  return { name, kind, elementType: null, shape: null };
}

interface Walk {
  operators: Set<string>;
  nodes: number;
}

function walkGraph(g: GraphObject, where: string, acc: Walk, depth: number): void {
  if (depth > 16) throw invalid('subgraphs are nested more than 16 deep', { where });
  for (const t of g.initializer ?? []) {
    if (isExternal(t))
      throw invalid('a tensor keeps its data in an external file', { where, tensor: t.name ?? '' });
  }
  for (const s of g.sparseInitializer ?? []) {
    if (isExternal(s.values) || isExternal(s.indices)) {
      throw invalid('a sparse tensor keeps its data in an external file', { where });
    }
  }
  for (const node of g.node ?? []) {
    acc.nodes += 1;
    const domain = node.domain ?? '';
    const op = node.opType ?? '';
    if (!ALLOWED_DOMAINS.includes(domain)) {
      throw new FedhubError(
        'FH_ERR_MODEL_UNSUPPORTED_OP',
        `The ONNX model uses operator ${op} of domain "${domain}"; only the standard domains (ai.onnx, ai.onnx.ml) are allowed`,
        { where, operator: op, domain },
      );
    }
    acc.operators.add(`${domain === '' ? 'ai.onnx' : domain}:${op}`);
    for (const a of node.attribute ?? []) walkAttribute(a, `${where}/${op}`, acc, depth);
  }
}

function walkAttribute(a: AttributeObject, where: string, acc: Walk, depth: number): void {
  const tensors = [a.t, ...(a.tensors ?? []), a.sparseTensor?.values, a.sparseTensor?.indices];
  for (const s of a.sparseTensors ?? []) tensors.push(s.values, s.indices);
  if (tensors.some(isExternal))
    throw invalid('an attribute tensor keeps its data in an external file', { where });
  for (const sub of [a.g, ...(a.graphs ?? [])])
    if (sub) walkGraph(sub, `${where}.${a.name ?? ''}`, acc, depth + 1);
}

/**
 * Checks an ONNX file and reads its signature. Throws FH_ERR_MODEL_TOO_LARGE, FH_ERR_MODEL_INVALID or
 * FH_ERR_MODEL_UNSUPPORTED_OP; never passes the bytes to onnxruntime.
 */
export function inspectOnnxModel(bytes: Uint8Array, limits: OnnxLimits = DEFAULT_ONNX_LIMITS): OnnxModelInfo {
  if (bytes.byteLength > limits.maxModelBytes) {
    throw new FedhubError(
      'FH_ERR_MODEL_TOO_LARGE',
      `The ONNX model is ${bytes.byteLength} bytes, over the limit of ${limits.maxModelBytes}`,
      { bytes: bytes.byteLength, limit: limits.maxModelBytes },
    );
  }
  if (bytes.byteLength === 0) throw invalid('the file is empty');
  const model = decode(bytes);
  const graph = model.graph;
  if (!graph || (graph.node?.length ?? 0) === 0) throw invalid('the model has no graph (or an empty one)');
  const opsets = (model.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: o.version ?? 0 }));
  if (!opsets.some((o) => o.domain === '' || o.domain === 'ai.onnx')) {
    throw invalid('the model imports no ai.onnx operator set');
  }
  const foreign = opsets.find((o) => !ALLOWED_DOMAINS.includes(o.domain));
  if (foreign) {
    throw new FedhubError(
      'FH_ERR_MODEL_UNSUPPORTED_OP',
      `The ONNX model imports operator set "${foreign.domain}"; only the standard domains (ai.onnx, ai.onnx.ml) are allowed`,
      { domain: foreign.domain },
    );
  }
  if ((model.functions?.length ?? 0) > 0) {
    throw new FedhubError(
      'FH_ERR_MODEL_UNSUPPORTED_OP',
      'The ONNX model defines model-local functions; only standard operators are allowed',
      { functions: model.functions?.length },
    );
  }
  const acc: Walk = { operators: new Set(), nodes: 0 };
  walkGraph(graph, graph.name || 'graph', acc, 0);
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(tensorInfo);
  const outputs = (graph.output ?? []).map(tensorInfo);
  if (inputs.length === 0 || outputs.length === 0)
    throw invalid('the graph declares no inputs or no outputs');
  return {
    irVersion: model.irVersion ?? 0,
    opsets,
    producer: { name: model.producerName ?? '', version: model.producerVersion ?? '' },
    inputs,
    outputs,
    operators: [...acc.operators].sort(),
    nodeCount: acc.nodes,
    byteLength: bytes.byteLength,
  };
}

/**
 * The number of weights a model holds: the elements of its main graph's initializers (dense; a sparse
 * initializer counts its stored values). Used by the node's run-size estimate (a dense network does about
 * 2 x parameters operations per case). Decodes the file: call it on bytes that passed {@link inspectOnnxModel}.
 */
export function onnxParameterCount(bytes: Uint8Array): number {
  const graph = decode(bytes).graph;
  let n = 0;
  for (const t of graph?.initializer ?? []) n += (t.dims ?? []).reduce((a, d) => a * Number(d), 1);
  for (const s of graph?.sparseInitializer ?? [])
    n += (s.values?.dims ?? []).reduce((a, d) => a * Number(d), 1);
  return n;
}
