/**
 * A pool of worker threads for the row loops of model partials. A node's GLM partial is a sum over chunks
 * of rows (see GLM_CHUNK_ROWS); the pool computes the chunks on several cores at once and adds them in chunk
 * order, so its result is bit for bit the one glmLocalPartial gives in one thread. The rows are shared with
 * the workers through SharedArrayBuffers (built so by buildDesignMatrix's `shared` option, or copied once
 * per array and remembered), so a round sends only the coefficients.
 *
 * Node's worker_threads, written here because the job is small: a queue of chunk jobs, one in flight per
 * worker, a worker that dies replaced and its job failed with a clear error.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StatsError, StatsErrorCode } from '../errors.js';
import type { GlmFamilySpec } from '../glm/family.js';
import { GLM_CHUNK_ROWS, type GlmNodeData, glmPartialSize } from '../glm/partial.js';
import type { RowAnswer, RowData, RowDrop, RowJob } from './row-pool-worker.js';

export interface RowPool {
  /** Number of worker threads. */
  readonly size: number;
  /** The local GLM partial (as glmLocalPartial, equal to the last bit), its chunks computed in the workers. */
  glmPartial(data: GlmNodeData, family: GlmFamilySpec, beta: Float64Array | null): Promise<Float64Array>;
  /** Stops the workers; pending work fails. */
  close(): Promise<void>;
}

/**
 * The compiled worker script: beside this module, or (when this module runs from TypeScript source, as in
 * the tests) in the package's dist; null when neither exists (then run the partials in-process).
 */
export function defaultRowPoolWorkerUrl(): URL | null {
  for (const rel of ['./row-pool-worker.js', '../../dist/parallel/row-pool-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return null;
}

const copies = new WeakMap<Float64Array, Float64Array>();

/** The array itself when it lies on a SharedArrayBuffer, else a shared copy (made once per array). */
function shared(a: Float64Array): Float64Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  let copy = copies.get(a);
  if (!copy) {
    copy = new Float64Array(new SharedArrayBuffer(a.byteLength));
    copy.set(a);
    copies.set(a, copy);
  }
  return copy;
}

interface Pending {
  job: RowJob;
  /** The rows the job reads, for a worker that does not hold them yet. */
  view: GlmNodeData;
  resolve: (partial: Float64Array) => void;
  reject: (err: Error) => void;
}

/**
 * Starts `size` worker threads, or with `lazy` only when the first partial is asked for (a node that never
 * fits a model never starts a thread).
 */
export function createRowPool(opts: { size: number; workerUrl?: URL; lazy?: boolean }): RowPool {
  const url = opts.workerUrl ?? defaultRowPoolWorkerUrl();
  if (!url)
    throw new StatsError(StatsErrorCode.InvalidArgument, 'row pool: the compiled worker script is missing');
  const size = Math.max(1, Math.floor(opts.size));
  const queue: Pending[] = [];
  const slots: Array<{ worker: Worker; busy: Pending | null; has: Set<number> }> = [];
  // the models' rows each worker holds (sent once per worker, then named by id; the worker drops them
  // when the model's arrays are collected here)
  const ids = new WeakMap<GlmNodeData['x'], { dataId: number; source: GlmNodeData; view: GlmNodeData }>();
  let nextData = 1;
  const dropped = new FinalizationRegistry<number>((dataId) => {
    if (closed) return;
    for (const slot of slots) {
      if (!slot.has.delete(dataId)) continue;
      slot.worker.postMessage({ kind: 'drop', dataId } satisfies RowDrop);
    }
  });
  let nextJob = 1;
  let closed = false;

  const pump = (): void => {
    for (const slot of slots) {
      if (slot.busy || queue.length === 0) continue;
      const p = queue.shift()!;
      slot.busy = p;
      // a worker with a job keeps the process alive until it answers; an idle one never does
      slot.worker.ref();
      if (!slot.has.has(p.job.dataId)) {
        slot.worker.postMessage({ kind: 'data', dataId: p.job.dataId, data: p.view } satisfies RowData);
        slot.has.add(p.job.dataId);
      }
      slot.worker.postMessage(p.job);
    }
  };

  const spawn = (index: number): void => {
    const worker = newWorker(url);
    // an idle pool never keeps the process alive: a command that has finished exits
    worker.unref();
    const slot = { worker, busy: null as Pending | null, has: new Set<number>() };
    slots[index] = slot;
    worker.on('message', (a: RowAnswer) => {
      const p = slot.busy;
      if (!p || p.job.job !== a.job) return;
      slot.busy = null;
      worker.unref();
      if (a.ok) p.resolve(a.partial);
      else
        p.reject(
          a.code ? new StatsError(a.code as StatsErrorCode, a.message) : new Error(`row pool: ${a.message}`),
        );
      pump();
    });
    const onDeath = (why: string): void => {
      if (slots[index] !== slot) return;
      slot.busy?.reject(new Error(`row pool: a worker thread died (${why})`));
      slot.busy = null;
      if (!closed) {
        spawn(index);
        pump();
      }
    };
    worker.on('error', (err) => onDeath(err.message));
    worker.on('exit', (code) => onDeath(`exit code ${code}`));
  };
  const start = (): void => {
    if (slots.length === 0) for (let i = 0; i < size; i++) spawn(i);
  };
  if (!opts.lazy) start();

  const run = (job: Omit<RowJob, 'job'>, view: GlmNodeData): Promise<Float64Array> =>
    new Promise((resolve, reject) => {
      if (closed) {
        reject(new Error('row pool: closed'));
        return;
      }
      start();
      queue.push({ job: { ...job, job: nextJob++ }, view, resolve, reject });
      pump();
    });

  return {
    size,
    async glmPartial(data, family, beta) {
      let known = ids.get(data.x);
      const same = (a: GlmNodeData, b: GlmNodeData) =>
        a.n === b.n &&
        a.p === b.p &&
        a.y === b.y &&
        (a.weights ?? null) === (b.weights ?? null) &&
        (a.offset ?? null) === (b.offset ?? null);
      if (!known || !same(known.source, data)) {
        known = {
          dataId: nextData++,
          source: data,
          view: {
            x: shared(data.x),
            n: data.n,
            p: data.p,
            y: shared(data.y),
            weights: data.weights ? shared(data.weights) : null,
            offset: data.offset ? shared(data.offset) : null,
          },
        };
        ids.set(data.x, known);
        dropped.register(data.x, known.dataId);
      }
      const { dataId, view } = known;
      const chunks: Array<Promise<Float64Array>> = [];
      for (let r0 = 0; r0 < data.n; r0 += GLM_CHUNK_ROWS)
        chunks.push(
          run({ kind: 'glm', dataId, family, beta, r0, r1: Math.min(data.n, r0 + GLM_CHUNK_ROWS) }, view),
        );
      const parts = await Promise.all(chunks);
      const total = new Float64Array(glmPartialSize(data.p));
      for (const part of parts) for (let k = 0; k < total.length; k++) total[k]! += part[k]!;
      return total;
    },
    async close() {
      closed = true;
      for (const p of queue.splice(0)) p.reject(new Error('row pool: closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

let workerFlags: string[] | undefined;

/**
 * A pool worker with the process's flags, less those a worker thread refuses. Node refuses per-process and
 * V8 heap flags in a worker's `execArgv` (`node --max-old-space-size=8192 fedhub ...` would otherwise fail
 * every pooled model with ERR_WORKER_INVALID_EXEC_ARGV); the check is synchronous, in the constructor, so
 * a refused list is narrowed once (see {@link workerExecArgv}) and kept for the later workers.
 */
function newWorker(url: URL): Worker {
  if (workerFlags) return new Worker(url, { execArgv: workerFlags });
  const flags = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  try {
    const worker = new Worker(url, { execArgv: flags });
    workerFlags = flags;
    return worker;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    workerFlags = workerExecArgv(flags);
    return new Worker(url, { execArgv: workerFlags });
  }
}

/**
 * The flags among `argv` that a worker thread accepts, each tried on its own in a worker that is stopped at
 * once. `--input-type` (of a `node -e` script) is accepted but would make the worker's module a string: it
 * is dropped.
 */
export function workerExecArgv(argv: readonly string[]): string[] {
  return argv.filter((flag) => {
    if (flag.startsWith('--input-type')) return false;
    try {
      void new Worker('', { eval: true, execArgv: [flag] }).terminate();
      return true;
    } catch {
      return false;
    }
  });
}
