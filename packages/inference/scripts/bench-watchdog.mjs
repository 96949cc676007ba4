// The ONNX runner's memory watchdog: a 100,000 x 10 logistic run with the watchdog reading /proc every 25 ms
// against one that never reads it, alternating, 7 runs each (medians). Run after `npx tsc -b packages/inference`:
// node packages/inference/scripts/bench-watchdog.mjs
import { onnxLimits, openOnnxSession, runOnnx } from '../dist/index.js';
import { logisticRegressionModel } from '../dist/test-support/index.js';

const rows = 100_000,
  k = 10;
const bytes = logisticRegressionModel({ coefficients: Array(k).fill(0.01), intercept: -1 });
const data = new Float32Array(rows * k).map((_, i) => (i % 97) / 97);
const on = await openOnnxSession(bytes, onnxLimits({ rssPollMs: 25 }));
const off = await openOnnxSession(bytes, onnxLimits({ rssPollMs: 3_600_000 }));
const t = { on: [], off: [] };
for (let r = 0; r < 7; r++)
  for (const [name, s] of [
    ['on', on],
    ['off', off],
  ]) {
    const t0 = performance.now();
    await runOnnx(s, { x: { type: 'float32', data, dims: [rows, k] } });
    t[name].push(performance.now() - t0);
  }
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
console.log(
  JSON.stringify({
    watchdogOnMs: med(t.on),
    watchdogOffMs: med(t.off),
    on: t.on.map(Math.round),
    off: t.off.map(Math.round),
  }),
);
on.close();
off.close();
