/**
 * The ONNX protobuf schema (`onnx.proto`, IR version 10), the subset of messages a model file holds, as a
 * protobufjs JSON descriptor. Decoded and encoded with protobufjs (maintained, no native code, has a
 * recursion limit on nested messages; the `onnx-proto` npm package was last published years ago and pins
 * protobufjs 6). Field numbers are those of the ONNX specification; fields this subset leaves out are skipped
 * by the decoder, never misread. Written out here by hand (not generated) so the build needs no protoc.
 */
import { createRequire } from 'node:module';
import type protobufType from 'protobufjs/light.js';

const str = (id: number) => ({ type: 'string', id });
const rep = (type: string, id: number) => ({ rule: 'repeated', type, id });
const one = (type: string, id: number) => ({ type, id });

const DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: { fields: { key: str(1), value: str(2) } },
        OperatorSetIdProto: { fields: { domain: str(1), version: one('int64', 2) } },
        TensorShapeProto: {
          fields: { dim: rep('Dimension', 1) },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: one('int64', 1), dimParam: str(2), denotation: str(3) },
            },
          },
        },
        TypeProto: {
          oneofs: {
            value: { oneof: ['tensorType', 'sequenceType', 'mapType', 'sparseTensorType', 'optionalType'] },
          },
          fields: {
            tensorType: one('Tensor', 1),
            sequenceType: one('Sequence', 4),
            mapType: one('Map', 5),
            denotation: str(6),
            sparseTensorType: one('SparseTensor', 8),
            optionalType: one('Optional', 9),
          },
          nested: {
            Tensor: { fields: { elemType: one('int32', 1), shape: one('TensorShapeProto', 2) } },
            Sequence: { fields: { elemType: one('TypeProto', 1) } },
            Map: { fields: { keyType: one('int32', 1), valueType: one('TypeProto', 2) } },
            SparseTensor: { fields: { elemType: one('int32', 1), shape: one('TensorShapeProto', 2) } },
            Optional: { fields: { elemType: one('TypeProto', 1) } },
          },
        },
        ValueInfoProto: { fields: { name: str(1), type: one('TypeProto', 2), docString: str(3) } },
        TensorProto: {
          fields: {
            dims: rep('int64', 1),
            dataType: one('int32', 2),
            floatData: rep('float', 4),
            int32Data: rep('int32', 5),
            stringData: rep('bytes', 6),
            int64Data: rep('int64', 7),
            name: str(8),
            rawData: one('bytes', 9),
            doubleData: rep('double', 10),
            uint64Data: rep('uint64', 11),
            docString: str(12),
            externalData: rep('StringStringEntryProto', 13),
            dataLocation: one('int32', 14),
          },
        },
        SparseTensorProto: {
          fields: { values: one('TensorProto', 1), indices: one('TensorProto', 2), dims: rep('int64', 3) },
        },
        AttributeProto: {
          fields: {
            name: str(1),
            f: one('float', 2),
            i: one('int64', 3),
            s: one('bytes', 4),
            t: one('TensorProto', 5),
            g: one('GraphProto', 6),
            floats: rep('float', 7),
            ints: rep('int64', 8),
            strings: rep('bytes', 9),
            tensors: rep('TensorProto', 10),
            graphs: rep('GraphProto', 11),
            docString: str(13),
            type: one('int32', 20),
            refAttrName: str(21),
            sparseTensor: one('SparseTensorProto', 22),
            sparseTensors: rep('SparseTensorProto', 23),
          },
        },
        NodeProto: {
          fields: {
            input: rep('string', 1),
            output: rep('string', 2),
            name: str(3),
            opType: str(4),
            attribute: rep('AttributeProto', 5),
            docString: str(6),
            domain: str(7),
          },
        },
        GraphProto: {
          fields: {
            node: rep('NodeProto', 1),
            name: str(2),
            initializer: rep('TensorProto', 5),
            docString: str(10),
            input: rep('ValueInfoProto', 11),
            output: rep('ValueInfoProto', 12),
            valueInfo: rep('ValueInfoProto', 13),
            sparseInitializer: rep('SparseTensorProto', 15),
          },
        },
        FunctionProto: {
          fields: {
            name: str(1),
            input: rep('string', 4),
            output: rep('string', 5),
            attribute: rep('string', 6),
            node: rep('NodeProto', 7),
            docString: str(8),
            opsetImport: rep('OperatorSetIdProto', 9),
            domain: str(10),
          },
        },
        ModelProto: {
          fields: {
            irVersion: one('int64', 1),
            producerName: str(2),
            producerVersion: str(3),
            domain: str(4),
            modelVersion: one('int64', 5),
            docString: str(6),
            graph: one('GraphProto', 7),
            opsetImport: rep('OperatorSetIdProto', 8),
            metadataProps: rep('StringStringEntryProto', 14),
            functions: rep('FunctionProto', 25),
          },
        },
      },
    },
  },
};

let modelProto: protobufType.Type | undefined;

/**
 * The ModelProto message type (decode / encode / toObject), built on first use: protobufjs (a CommonJS
 * package, required synchronously here) is loaded only by what reads or writes an ONNX file, not by every
 * process that imports this package for its limits or types (`fedhub simulate`, a node, the hub).
 */
export function modelProtoType(): protobufType.Type {
  if (!modelProto) {
    const protobuf = createRequire(import.meta.url)('protobufjs/light.js') as typeof protobufType;
    modelProto = protobuf.Root.fromJSON(DESCRIPTOR).lookupType('onnx.ModelProto');
  }
  return modelProto;
}

/** TensorProto.DataLocation.EXTERNAL: the tensor's bytes live in another file. */
export const DATA_LOCATION_EXTERNAL = 1;

// Plain-object views of the decoded messages (what `toObject` with `longs: Number` returns).
export interface StringStringEntry {
  key?: string;
  value?: string;
}
export interface OperatorSetId {
  domain?: string;
  version?: number;
}
export interface Dimension {
  dimValue?: number;
  dimParam?: string;
}
export interface TypeProtoObject {
  tensorType?: { elemType?: number; shape?: { dim?: Dimension[] } };
  sequenceType?: unknown;
  mapType?: unknown;
  sparseTensorType?: unknown;
  optionalType?: unknown;
}
export interface ValueInfo {
  name?: string;
  type?: TypeProtoObject;
}
export interface TensorObject {
  dims?: number[];
  dataType?: number;
  name?: string;
  externalData?: StringStringEntry[];
  dataLocation?: number;
}
export interface SparseTensorObject {
  values?: TensorObject;
  indices?: TensorObject;
}
export interface AttributeObject {
  name?: string;
  t?: TensorObject;
  g?: GraphObject;
  tensors?: TensorObject[];
  graphs?: GraphObject[];
  sparseTensor?: SparseTensorObject;
  sparseTensors?: SparseTensorObject[];
}
export interface NodeObject {
  input?: string[];
  output?: string[];
  opType?: string;
  domain?: string;
  attribute?: AttributeObject[];
}
export interface GraphObject {
  node?: NodeObject[];
  name?: string;
  initializer?: TensorObject[];
  input?: ValueInfo[];
  output?: ValueInfo[];
  sparseInitializer?: SparseTensorObject[];
}
export interface FunctionObject {
  name?: string;
  domain?: string;
  node?: NodeObject[];
}
export interface ModelObject {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  graph?: GraphObject;
  opsetImport?: OperatorSetId[];
  metadataProps?: StringStringEntry[];
  functions?: FunctionObject[];
}
