import { FedhubError } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { inspectOnnxModel } from './inspect.js';
import { onnxLimits } from './limits.js';
import {
  buildOnnxModel,
  encodeModelObject,
  logisticRegressionModel,
  modelObject,
  thresholdSegmenterModel,
} from './test-support/onnx-builder.js';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof FedhubError ? e.code : `not coded: ${String(e)}`;
  }
  return 'no error';
}

describe('inspectOnnxModel', () => {
  it('reads the signature, opsets and operators of a logistic model', () => {
    const bytes = logisticRegressionModel({ coefficients: [0.5, -1, 2], intercept: 0.1 });
    const info = inspectOnnxModel(bytes);
    expect(info.inputs).toEqual([{ name: 'x', kind: 'tensor', elementType: 'float32', shape: ['N', 3] }]);
    expect(info.outputs).toEqual([{ name: 'p', kind: 'tensor', elementType: 'float32', shape: ['N', 1] }]);
    expect(info.opsets).toEqual([{ domain: '', version: 17 }]);
    expect(info.operators).toEqual(['ai.onnx:Add', 'ai.onnx:MatMul', 'ai.onnx:Sigmoid']);
    expect(info.nodeCount).toBe(3);
    expect(info.byteLength).toBe(bytes.byteLength);
  });

  it('keeps symbolic and unknown dimensions apart', () => {
    const info = inspectOnnxModel(thresholdSegmenterModel(0.5));
    expect(info.inputs[0]?.shape).toEqual(['N', 1, 'H', 'W']);
    expect(info.outputs[0]?.elementType).toBe('uint8');
  });

  it('refuses a file over the size cap before decoding it', () => {
    const bytes = logisticRegressionModel({ coefficients: [1], intercept: 0 });
    expect(codeOf(() => inspectOnnxModel(bytes, onnxLimits({ maxModelBytes: bytes.byteLength - 1 })))).toBe(
      'FH_ERR_MODEL_TOO_LARGE',
    );
  });

  it('refuses bytes that are not a model, and an empty file', () => {
    expect(codeOf(() => inspectOnnxModel(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f])))).toBe(
      'FH_ERR_MODEL_INVALID',
    );
    expect(codeOf(() => inspectOnnxModel(new TextEncoder().encode('this is a CSV,not,a,model\n1,2,3')))).toBe(
      'FH_ERR_MODEL_INVALID',
    );
    expect(codeOf(() => inspectOnnxModel(new Uint8Array(0)))).toBe('FH_ERR_MODEL_INVALID');
  });

  it('refuses a model without a graph', () => {
    const m = modelObject({ inputs: [], outputs: [], nodes: [] });
    delete m.graph;
    expect(codeOf(() => inspectOnnxModel(encodeModelObject(m)))).toBe('FH_ERR_MODEL_INVALID');
  });

  it('refuses an initializer whose data live in an external file', () => {
    const m = modelObject({
      inputs: [{ name: 'x', type: 'float32', shape: [1] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1] }],
      initializers: [{ name: 'w', type: 'float32', dims: [1], values: [2] }],
      nodes: [{ op: 'Mul', inputs: ['x', 'w'], outputs: ['y'] }],
    }) as { graph: { initializer: Record<string, unknown>[] } };
    const init = m.graph.initializer[0] as Record<string, unknown>;
    delete init.rawData;
    init.dataLocation = 1;
    init.externalData = [{ key: 'location', value: '/etc/passwd' }];
    expect(codeOf(() => inspectOnnxModel(encodeModelObject(m)))).toBe('FH_ERR_MODEL_INVALID');
  });

  it('refuses an external tensor hidden in a Constant node inside an If branch', () => {
    const branch = (value: number) => ({
      g: {
        name: `b${value}`,
        node: [
          {
            opType: 'Constant',
            output: ['c'],
            attribute: [
              { name: 'value', type: 4, t: { name: 'c', dataType: 1, dims: [1], dataLocation: value } },
            ],
          },
        ],
        output: [{ name: 'c', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }] } } } }],
      },
    });
    const m = modelObject({
      inputs: [{ name: 'cond', type: 'bool', shape: [] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1] }],
      nodes: [{ op: 'If', inputs: ['cond'], outputs: ['y'] }],
    }) as { graph: { node: { attribute: unknown[] }[] } };
    (m.graph.node[0] as { attribute: unknown[] }).attribute = [
      { name: 'then_branch', type: 5, ...branch(0) },
      { name: 'else_branch', type: 5, ...branch(1) },
    ];
    expect(codeOf(() => inspectOnnxModel(encodeModelObject(m)))).toBe('FH_ERR_MODEL_INVALID');
  });

  it('refuses operators of a non-standard domain and foreign operator-set imports', () => {
    const custom = buildOnnxModel({
      inputs: [{ name: 'x', type: 'float32', shape: [1] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1] }],
      nodes: [{ op: 'Gelu', domain: 'com.microsoft', inputs: ['x'], outputs: ['y'] }],
    });
    expect(codeOf(() => inspectOnnxModel(custom))).toBe('FH_ERR_MODEL_UNSUPPORTED_OP');
    const imported = buildOnnxModel({
      inputs: [{ name: 'x', type: 'float32', shape: [1] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1] }],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
      extraOpsets: [{ domain: 'com.example.evil', version: 1 }],
    });
    expect(codeOf(() => inspectOnnxModel(imported))).toBe('FH_ERR_MODEL_UNSUPPORTED_OP');
    const ml = buildOnnxModel({
      inputs: [{ name: 'x', type: 'float32', shape: ['N', 2] }],
      outputs: [{ name: 'y', type: 'float32', shape: ['N', 2] }],
      nodes: [
        {
          op: 'Normalizer',
          domain: 'ai.onnx.ml',
          inputs: ['x'],
          outputs: ['y'],
          attributes: { norm: { s: 'L1' } },
        },
      ],
      extraOpsets: [{ domain: 'ai.onnx.ml', version: 3 }],
    });
    expect(inspectOnnxModel(ml).operators).toEqual(['ai.onnx.ml:Normalizer']);
  });

  it('lists only true inputs when initializers are also graph inputs (IR < 4 style)', () => {
    const m = modelObject({
      inputs: [
        { name: 'x', type: 'float32', shape: [1] },
        { name: 'w', type: 'float32', shape: [1] },
      ],
      outputs: [{ name: 'y', type: 'float32', shape: [1] }],
      initializers: [{ name: 'w', type: 'float32', dims: [1], values: [3] }],
      nodes: [{ op: 'Mul', inputs: ['x', 'w'], outputs: ['y'] }],
    });
    expect(inspectOnnxModel(encodeModelObject(m)).inputs.map((i) => i.name)).toEqual(['x']);
  });
});
