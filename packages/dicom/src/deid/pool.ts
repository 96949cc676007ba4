import { Worker } from 'node:worker_threads';
import type { DeidResult } from './deidentify-buffer.js';
import type { TreeLayout } from './deidentify-file.js';
import { DEID_ERROR_CODES, DeidError } from './errors.js';
import type { DeidOptions } from './options.js';
import { POOL_CLOSE_MESSAGE } from './pool-messages.js';
import type { PoolAnswer, PoolJob } from './pool-worker.js';
import type { TreeWrite } from './tree-output.js';

/** Settings of a worker pool. */
export interface DeidPoolOptions {
  /** Old-generation heap limit per worker, in MiB (default 512). A worker over it dies; the file is rejected. */
  readonly maxMemoryMb?: number;
  /** Wall-clock limit per file, in milliseconds (default 30000). A worker over it is terminated. */
  readonly timeoutMs?: number;
  /** Number of workers (default 2). */
  readonly size?: number;
  /** Compiled worker module; default `./pool-worker.js` beside this module (the built package). */
  readonly workerUrl?: URL;
}

/** A pool of worker threads de-identifying files so that hostile input cannot take the process down. */
export interface DeidPool {
  deidentify(input: Uint8Array, options: DeidOptions, projectKey: Uint8Array): Promise<DeidResult>;
  /**
   * De-identifies the file at `path` in a worker, which reads it and, when the result is ok, writes it
   * atomically under `outDir` at {@link treeOutputPath} without overwriting anything (see
   * {@link writeTreeFileSync}); `output` is the relative path the bytes are at and `write` what happened.
   * The result's `output` bytes are empty (they stay in the worker).
   */
  deidentifyFile(
    path: string,
    outDir: string,
    options: DeidOptions,
    projectKey: Uint8Array,
    layout?: TreeLayout,
  ): Promise<{ result: DeidResult; output?: string; write?: TreeWrite }>;
  /** Terminates all workers; pending jobs are rejected with FH_ERR_DEID_POOL_CLOSED. */
  close(): Promise<void>;
}

interface Pending {
  readonly job: PoolJob;
  readonly resolve: (r: DeidResult, output?: string, write?: TreeWrite) => void;
}

interface Slot {
  worker: Worker;
  /** Settles once the worker has started running its module (or has died before that). */
  started: Promise<void>;
  /** Settles once the worker thread has exited. */
  exited: Promise<void>;
  busy?: Pending;
  timer?: NodeJS.Timeout;
}

/** How long `close()` waits for a worker to end by itself before terminating it. */
const EXIT_GRACE_MS = 5_000;

/**
 * Stops one worker without racing its start-up: `terminate()` on a thread whose isolate is still being set
 * up, or while V8 compiles its modules on background threads, can abort the whole process (exit 134, a V8
 * `NodePlatform::ForIsolate` check in a compile thread). So we wait until it is online, ask it to end by
 * itself (its event loop empties and the thread exits normally), and terminate only one that does not end
 * within the grace period (a worker stuck in a hostile file).
 */
async function stopWorker(
  slot: Pick<Slot, 'worker' | 'started' | 'exited'>,
  graceful: boolean,
): Promise<void> {
  await slot.started;
  if (graceful) {
    slot.worker.postMessage(POOL_CLOSE_MESSAGE);
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      slot.exited.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), EXIT_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    if (ended) return;
  }
  await slot.worker.terminate();
  await slot.exited;
}

function failed(code: string, reason: string, inputBytes: number): DeidResult {
  return {
    status: 'rejected',
    code,
    reason,
    summary: {
      inputBytes,
      outputBytes: 0,
      counts: {
        removed: 0,
        emptied: 0,
        dummied: 0,
        kept: 0,
        cleaned: 0,
        uidsRemapped: 0,
        datesShifted: 0,
        privateRemoved: 0,
      },
      methodCodes: [],
    },
  };
}

/** Creates a worker pool (node:worker_threads with `resourceLimits`). */
export function createDeidPool(opts: DeidPoolOptions = {}): DeidPool {
  const maxMemoryMb = opts.maxMemoryMb ?? 512;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const size = Math.max(1, opts.size ?? 2);
  const url = opts.workerUrl ?? new URL('./pool-worker.js', import.meta.url);
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  const finish = (slot: Slot, result: DeidResult, output?: string, write?: TreeWrite): void => {
    const p = slot.busy;
    if (slot.timer) clearTimeout(slot.timer);
    slot.busy = undefined;
    slot.timer = undefined;
    p?.resolve(result, output, write);
  };

  const spawn = (slot: Slot): void => {
    const w = new Worker(url, {
      resourceLimits: {
        maxOldGenerationSizeMb: maxMemoryMb,
        maxYoungGenerationSizeMb: Math.min(64, maxMemoryMb),
      },
    });
    slot.worker = w;
    let online!: () => void;
    let exited!: () => void;
    slot.started = new Promise<void>((r) => {
      online = r;
    });
    slot.exited = new Promise<void>((r) => {
      exited = r;
    });
    w.once('online', () => online());
    w.once('exit', () => {
      online(); // a worker that died while starting is as started as it will get
      exited();
    });
    w.on('message', (a: PoolAnswer) => {
      if (slot.busy?.job.id !== a.id) return;
      const r = a.result;
      finish(
        slot,
        r.status === 'ok'
          ? { ...r, output: Buffer.from(r.output.buffer, r.output.byteOffset, r.output.byteLength) }
          : r,
        a.output,
        a.write,
      );
      pump();
    });
    const onDeath = (why: string): void => {
      if (slot.worker !== w) return;
      const p = slot.busy;
      if (p) finish(slot, failed(DEID_ERROR_CODES.workerCrashed, `worker died: ${why}`, p.job.input.length));
      if (!closed) {
        spawn(slot);
        pump();
      }
    };
    w.on('error', (err) => onDeath(err.message));
    w.on('exit', (code) => onDeath(`exit code ${code}`));
  };

  const pump = (): void => {
    for (const slot of slots) {
      if (slot.busy || closed) continue;
      const p = queue.shift();
      if (!p) return;
      slot.busy = p;
      slot.timer = setTimeout(() => {
        const w = slot.worker;
        finish(
          slot,
          failed(DEID_ERROR_CODES.workerTimeout, `no answer within ${timeoutMs} ms`, p.job.input.length),
        );
        const old = { worker: w, started: slot.started, exited: slot.exited };
        spawn(slot); // replace first so the old worker's exit is ignored
        void stopWorker(old, false);
        pump();
      }, timeoutMs);
      slot.worker.postMessage(p.job);
    }
  };

  for (let i = 0; i < size; i++) {
    const slot = {} as Slot;
    slots.push(slot);
    spawn(slot);
  }

  return {
    deidentify(input, options, projectKey) {
      if (closed) return Promise.reject(new DeidError(DEID_ERROR_CODES.poolClosed, 'pool is closed'));
      return new Promise<DeidResult>((resolve) => {
        queue.push({ job: { id: nextId++, input, options, projectKey }, resolve });
        pump();
      });
    },
    deidentifyFile(path, outDir, options, projectKey, layout) {
      if (closed) return Promise.reject(new DeidError(DEID_ERROR_CODES.poolClosed, 'pool is closed'));
      return new Promise((resolve) => {
        queue.push({
          job: {
            id: nextId++,
            input: new Uint8Array(0),
            options,
            projectKey,
            file: { path, outDir, ...(layout ? { layout } : {}) },
          },
          resolve: (result, output, write) =>
            resolve(output && write ? { result, output, write } : { result }),
        });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const p of queue.splice(0))
        p.resolve(failed(DEID_ERROR_CODES.poolClosed, 'pool closed', p.job.input.length));
      await Promise.all(
        slots.map(async (s) => {
          // a busy worker may be deep in a hostile file: no point waiting for it to finish
          const busy = s.busy !== undefined;
          if (s.busy) finish(s, failed(DEID_ERROR_CODES.poolClosed, 'pool closed', s.busy.job.input.length));
          await stopWorker(s, !busy);
        }),
      );
    },
  };
}
