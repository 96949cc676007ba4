import { FedhubError } from '@fedhub/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { onnxLimits } from './limits.js';
import { type OnnxSession, openOnnxSession, processMemoryMiB, runOnnx } from './session.js';
import {
  buildOnnxModel,
  intermediateBlowUpModel,
  logisticRegressionModel,
  meanFilterDetectorModel,
  thresholdSegmenterModel,
} from './test-support/onnx-builder.js';

const opened: OnnxSession[] = [];
async function open(bytes: Uint8Array, limits = onnxLimits()): Promise<OnnxSession> {
  const s = await openOnnxSession(bytes, limits);
  opened.push(s);
  return s;
}
afterAll(() => {
  for (const s of opened) s.close();
});

async function codeOf(p: Promise<unknown> | (() => Promise<unknown>)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e instanceof FedhubError ? e.code : `not coded: ${String(e)}`;
  }
  return 'no error';
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('openOnnxSession / runOnnx', () => {
  it('runs a float64 logistic regression to the exact probabilities', async () => {
    const beta = [0.8, -1.5, 0.03];
    const s = await open(logisticRegressionModel({ coefficients: beta, intercept: -0.4, type: 'float64' }));
    const rows = [
      [1, 0, 60],
      [0, 1, 45],
      [2.5, 0.5, 71],
      [-1, 2, 30],
    ];
    const out = await runOnnx(s, {
      x: { type: 'float64', data: Float64Array.from(rows.flat()), dims: [4, 3] },
    });
    expect(out.p?.dims).toEqual([4, 1]);
    const expected = rows.map((r) => sigmoid(-0.4 + r.reduce((a, v, k) => a + v * (beta[k] as number), 0)));
    const got = [...(out.p!.data as Float64Array)];
    for (const [i, v] of got.entries()) expect(v).toBeCloseTo(expected[i] as number, 14);
  });

  it('runs the mean-filter detector and the threshold segmenter to known outputs', async () => {
    const h = 8;
    const w = 8;
    const image = new Float32Array(h * w);
    for (let y = 2; y <= 4; y++) for (let x = 3; x <= 5; x++) image[y * w + x] = 9; // a bright 3x3 block
    const det = await open(meanFilterDetectorModel(h, w));
    const score = await runOnnx(det, { image: { type: 'float32', data: image, dims: [1, 1, h, w] } });
    expect(score.score?.data[0]).toBeCloseTo(9, 5); // the block's centre sees nine 9s
    const seg = await open(thresholdSegmenterModel(4.5));
    const mask = await runOnnx(seg, { image: { type: 'float32', data: image, dims: [1, 1, h, w] } });
    expect(mask.mask?.type).toBe('uint8');
    expect([...(mask.mask!.data as Uint8Array)]).toEqual([...image].map((v) => (v > 4.5 ? 1 : 0)));
  });

  it('refuses feeds that do not match the signature, naming the input and dimension', async () => {
    const s = await open(logisticRegressionModel({ coefficients: [1, 2], intercept: 0 }));
    const f32 = (n: number) => new Float32Array(n);
    expect(await codeOf(() => runOnnx(s, { x: { type: 'float32', data: f32(6), dims: [2, 3] } }))).toBe(
      'FH_ERR_MODEL_INPUT_MISMATCH',
    );
    expect(
      await codeOf(() => runOnnx(s, { x: { type: 'float64', data: new Float64Array(4), dims: [2, 2] } })),
    ).toBe('FH_ERR_MODEL_INPUT_MISMATCH');
    expect(await codeOf(() => runOnnx(s, { z: { type: 'float32', data: f32(4), dims: [2, 2] } }))).toBe(
      'FH_ERR_MODEL_INPUT_MISMATCH',
    );
    expect(await codeOf(() => runOnnx(s, {}))).toBe('FH_ERR_MODEL_INPUT_MISMATCH');
    expect(await codeOf(() => runOnnx(s, { x: { type: 'float32', data: f32(5), dims: [2, 2] } }))).toBe(
      'FH_ERR_MODEL_INPUT_MISMATCH',
    );
    try {
      await runOnnx(s, {
        x: { type: 'float32', data: Float32Array.from([123.456, 0, 0, 0, 0, 0]), dims: [2, 3] },
      });
    } catch (e) {
      expect((e as FedhubError).details).toEqual({ input: 'x', dimension: 1, expected: 2, given: 3 });
      expect((e as FedhubError).message).not.toContain('123.456');
    }
    // the session still works after refusals
    const ok = await runOnnx(s, { x: { type: 'float32', data: f32(2), dims: [1, 2] } });
    expect(ok.p?.data[0]).toBeCloseTo(0.5, 6);
  });

  it('refuses NaN outputs with a code that names the output only', async () => {
    const s = await open(
      buildOnnxModel({
        inputs: [{ name: 'x', type: 'float32', shape: ['N'] }],
        outputs: [{ name: 'y', type: 'float32', shape: ['N'] }],
        nodes: [{ op: 'Log', inputs: ['x'], outputs: ['y'] }],
      }),
    );
    const fine = await runOnnx(s, {
      x: { type: 'float32', data: Float32Array.from([1, Math.E]), dims: [2] },
    });
    expect([...(fine.y!.data as Float32Array)].map((v) => Math.round(v * 1e5) / 1e5)).toEqual([0, 1]);
    const err = await runOnnx(s, {
      x: { type: 'float32', data: Float32Array.from([1, -3.25]), dims: [2] },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(FedhubError);
    expect(err.code).toBe('FH_ERR_MODEL_OUTPUT_NAN');
    expect(err.details).toEqual({ output: 'y' });
    expect(JSON.stringify(err.toBody())).not.toContain('3.25');
  });

  it('refuses an input over the element cap before running', async () => {
    const s = await open(
      logisticRegressionModel({ coefficients: [1, 2], intercept: 0 }),
      onnxLimits({ maxInputElements: 10 }),
    );
    expect(
      await codeOf(() => runOnnx(s, { x: { type: 'float32', data: new Float32Array(12), dims: [6, 2] } })),
    ).toBe('FH_ERR_MODEL_TOO_LARGE');
  });

  it('refuses, at load, an operator onnxruntime does not know in the standard domain', async () => {
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', type: 'float32', shape: [1] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1] }],
      nodes: [{ op: 'NoSuchOperator', inputs: ['x'], outputs: ['y'] }],
    });
    expect(await codeOf(openOnnxSession(bytes))).toBe('FH_ERR_MODEL_UNSUPPORTED_OP');
  });

  it('refuses, at load, a graph onnxruntime finds inconsistent', async () => {
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', type: 'float32', shape: [1] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1] }],
      nodes: [{ op: 'Relu', inputs: ['not_defined_anywhere'], outputs: ['y'] }],
    });
    expect(await codeOf(openOnnxSession(bytes))).toBe('FH_ERR_MODEL_INVALID');
  });

  it('stops a run past its time limit and closes the session', async () => {
    // a large MatMul chain: seconds of work on one thread, far past a 150 ms limit
    const n = 1200;
    const nodes = Array.from({ length: 40 }, (_, k) => ({
      op: 'MatMul',
      inputs: [k === 0 ? 'x' : `m${k - 1}`, 'x'],
      outputs: [k === 39 ? 'y' : `m${k}`],
    }));
    const s = await open(
      buildOnnxModel({
        inputs: [{ name: 'x', type: 'float32', shape: [n, n] }],
        outputs: [{ name: 'y', type: 'float32', shape: [n, n] }],
        nodes,
      }),
      onnxLimits({ runTimeoutMs: 150 }),
    );
    const started = Date.now();
    expect(
      await codeOf(() => runOnnx(s, { x: { type: 'float32', data: new Float32Array(n * n), dims: [n, n] } })),
    ).toBe('FH_ERR_MODEL_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(s.closed).toBe(true);
    expect(
      await codeOf(() => runOnnx(s, { x: { type: 'float32', data: new Float32Array(n * n), dims: [n, n] } })),
    ).toBe('FH_ERR_ALGORITHM_FAILED');
  });

  // Linux only: the watchdog reads /proc (elsewhere only the heap and element caps hold)
  it.runIf(processMemoryMiB(process.pid) !== null)(
    'stops a model whose intermediate tensor exceeds the memory cap (FH_ERR_MODEL_MEMORY); a small one runs',
    async () => {
      const limits = onnxLimits({ maxRunnerRssMiB: 256 });
      const x = { x: { type: 'float32' as const, data: Float32Array.of(1), dims: [1, 1] } };
      // 1024 x 1024 floats (4 MiB) in the middle: runs, to the exact sum
      const small = await open(intermediateBlowUpModel(1024), limits);
      expect((await runOnnx(small, x)).y?.data[0]).toBe(1024 * 1024);
      // 12288 x 12288 floats (576 MiB) in the middle, input and output one number each: killed
      const big = await open(intermediateBlowUpModel(12288), limits);
      const t0 = Date.now();
      let err: unknown = null;
      await runOnnx(big, x).catch((e: unknown) => {
        err = e;
      });
      expect(err).toBeInstanceOf(FedhubError);
      expect((err as FedhubError).code).toBe('FH_ERR_MODEL_MEMORY');
      expect((err as FedhubError).message).toContain('256 MiB');
      expect(big.closed).toBe(true);
      expect(Date.now() - t0).toBeLessThan(limits.runTimeoutMs);
    },
  );
});
