/**
 * The program of the runner process that holds one onnxruntime session. Kept as source text and started
 * with `node -e`, so the same code runs from `src` under vitest and from `dist` (no second entry file to
 * resolve). It receives the model bytes and the feeds over IPC (structured clone) and never touches files
 * or the network; argv[1] is the absolute path of onnxruntime-node resolved by the parent.
 */
export const RUNNER_SOURCE = `
'use strict';
const ort = require(process.argv[1]);
let session = null;
const reply = (m) => { if (process.connected) process.send(m); };
process.on('disconnect', () => process.exit(0));
process.on('message', async (m) => {
  try {
    if (m.type === 'load') {
      session = await ort.InferenceSession.create(m.bytes, {
        executionProviders: ['cpu'],
        intraOpNumThreads: m.threads,
        interOpNumThreads: m.threads,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        enableCpuMemArena: false,
        enableMemPattern: false,
        logSeverityLevel: 3,
      });
      reply({ type: 'loaded', id: m.id });
    } else if (m.type === 'run') {
      const feeds = {};
      for (const [name, t] of Object.entries(m.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const out = await session.run(feeds, m.fetches);
      const outputs = {};
      for (const [name, t] of Object.entries(out)) {
        if (t.location !== undefined && t.location !== 'cpu') throw new Error('output ' + name + ' is not on the CPU');
        outputs[name] = { type: t.type, data: t.data, dims: Array.from(t.dims) };
        if (typeof t.dispose === 'function') t.dispose();
      }
      reply({ type: 'result', id: m.id, outputs });
    }
  } catch (e) {
    reply({ type: 'error', id: m.id, stage: m.type, message: String((e && e.message) || e).slice(0, 500) });
  }
});
`;
