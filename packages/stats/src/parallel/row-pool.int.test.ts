import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { StatsErrorCode } from '../errors.js';
import { GLM_CHUNK_ROWS, type GlmNodeData, glmLocalPartial, glmRowsPartial } from '../glm/partial.js';
import { createRowPool, defaultRowPoolWorkerUrl } from './row-pool.js';

/** A design of n rows (intercept, two numeric, one 0/1 column) with a binary response, deterministic. */
function data(n: number, shared: boolean): GlmNodeData {
  const p = 4;
  const alloc = (k: number) =>
    shared ? new Float64Array(new SharedArrayBuffer(8 * k)) : new Float64Array(k);
  const x = alloc(n * p);
  const y = alloc(n);
  let s = 7;
  const rnd = () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
  for (let i = 0; i < n; i++) {
    const a = rnd() * 4 - 2;
    const b = rnd() * 10;
    const c = rnd() < 0.4 ? 1 : 0;
    x.set([1, a, b, c], i * p);
    y[i] = rnd() < 1 / (1 + Math.exp(-(-1 + 0.5 * a + 0.1 * b - 0.3 * c))) ? 1 : 0;
  }
  return { x, n, p, y };
}

const url = defaultRowPoolWorkerUrl();
const pool = createRowPool({ size: 2, ...(url ? { workerUrl: url } : {}) });
afterAll(() => pool.close());

describe('RowPool', () => {
  it('finds the compiled worker script (npm test builds before testing)', () => {
    expect(url, 'packages/stats/dist/parallel/row-pool-worker.js: run `npm run build`').not.toBeNull();
  });

  it('gives the GLM partial of glmLocalPartial to the last bit, shared or copied rows, any chunk count', async () => {
    const beta = Float64Array.of(-0.9, 0.4, 0.12, -0.2);
    for (const n of [10, GLM_CHUNK_ROWS, 2 * GLM_CHUNK_ROWS + 123]) {
      for (const shared of [true, false]) {
        const d = data(n, shared);
        for (const b of [null, beta])
          expect(await pool.glmPartial(d, 'binomial', b)).toEqual(glmLocalPartial(d, 'binomial', b));
      }
    }
    // the chunks really are summed in order: the partial of the two halves is not computed as one pass
    const d = data(2 * GLM_CHUNK_ROWS, true);
    const first = glmRowsPartial(d, 'binomial', beta, 0, GLM_CHUNK_ROWS);
    const second = glmRowsPartial(d, 'binomial', beta, GLM_CHUNK_ROWS, 2 * GLM_CHUNK_ROWS);
    expect(await pool.glmPartial(d, 'binomial', beta)).toEqual(first.map((v, k) => v + second[k]!));
  });

  it('sends the rows once and still notices other weights or offsets over the same matrix', async () => {
    const d = data(GLM_CHUNK_ROWS + 7, true);
    const beta = Float64Array.of(-1, 0.3, 0.1, 0);
    expect(await pool.glmPartial(d, 'binomial', beta)).toEqual(glmLocalPartial(d, 'binomial', beta));
    const weights = Float64Array.from({ length: d.n }, (_, i) => 1 + (i % 3));
    const offset = Float64Array.from({ length: d.n }, (_, i) => (i % 5) / 10);
    for (const other of [
      { ...d, weights },
      { ...d, offset },
      { ...d, weights, offset },
    ])
      expect(await pool.glmPartial(other, 'binomial', beta)).toEqual(
        glmLocalPartial(other, 'binomial', beta),
      );
    expect(await pool.glmPartial(d, 'binomial', beta)).toEqual(glmLocalPartial(d, 'binomial', beta));
  });

  it('reports a bad value with its code and the row it is in, whichever worker met it', async () => {
    const d = data(GLM_CHUNK_ROWS + 100, true);
    d.y[GLM_CHUNK_ROWS + 42] = 2;
    await expect(pool.glmPartial(d, 'binomial', null)).rejects.toMatchObject({
      code: StatsErrorCode.InvalidArgument,
      message: expect.stringContaining(`y[${GLM_CHUNK_ROWS + 42}] = 2 must be in [0, 1]`),
    });
    // the pool still works afterwards
    const ok = data(50, true);
    expect(await pool.glmPartial(ok, 'poisson', null)).toEqual(glmLocalPartial(ok, 'poisson', null));
  });

  it('keeps a process alive while a partial is computed, and lets it exit when idle', () => {
    // a script with nothing else to wait for: without the pool's reference it would exit before the answer
    const script = `
      import { createRowPool } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
      const pool = createRowPool({ size: 1, lazy: true });
      const x = new Float64Array(new SharedArrayBuffer(8 * 40)).fill(1);
      const y = new Float64Array(new SharedArrayBuffer(8 * 20)).map((_, i) => i % 2);
      const data = { x, n: 20, p: 2, y };
      // the thread is up and idle; then a partial is the only thing left to wait for
      await pool.glmPartial(data, 'binomial', null);
      await new Promise((r) => setTimeout(r, 50));
      pool.glmPartial(data, 'binomial', null).then((r) => console.log('partial', r.length));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    expect(out.toString().trim()).toBe('partial 13'); // 2 x 2 + 2 + 7 scalars
  });

  it('runs under Node flags a worker thread refuses (a heap size, --expose-gc), keeping those it takes', () => {
    const script = `
      import { createRowPool, workerExecArgv } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
      const pool = createRowPool({ size: 1, lazy: true });
      const x = new Float64Array(new SharedArrayBuffer(8 * 40)).fill(1);
      const y = new Float64Array(new SharedArrayBuffer(8 * 20)).map((_, i) => i % 2);
      const r = await pool.glmPartial({ x, n: 20, p: 2, y }, 'binomial', null);
      const kept = workerExecArgv(process.execArgv).filter((f) => f.startsWith('--'));
      console.log('partial', r.length, JSON.stringify(kept));
      await pool.close();
    `;
    const flags = ['--max-old-space-size=4096', '--expose-gc', '--enable-source-maps', '--input-type=module'];
    const out = execFileSync(process.execPath, [...flags, '-e', script], { timeout: 20_000 });
    expect(out.toString().trim()).toBe('partial 13 ["--enable-source-maps"]');
  });

  it('starts no thread until asked when lazy, and refuses work once closed', async () => {
    const lazy = createRowPool({ size: 1, lazy: true, ...(url ? { workerUrl: url } : {}) });
    const d = data(100, true);
    expect(await lazy.glmPartial(d, 'gaussian', null)).toEqual(glmLocalPartial(d, 'gaussian', null));
    await lazy.close();
    await expect(lazy.glmPartial(d, 'gaussian', null)).rejects.toThrow(/closed/);
  });
});
