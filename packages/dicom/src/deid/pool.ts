import { createHash } from 'node:crypto';
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
  /** The job; its `options` and `projectKey` are sent only to a worker that has not seen its `setup`. */
  readonly job: PoolJob & { readonly options: DeidOptions; readonly projectKey: Uint8Array };
  readonly resolve: (r: DeidResult, output?: string, write?: TreeWrite) => void;
}

interface Slot {
  worker: Worker;
  /** Settles once the worker has started running its module (or has died before that). */
  started: Promise<void>;
  /** Settles once the worker thread has exited. */
  exited: Promise<void>;
  busy?: Pending;
  /** When the busy job times out (`performance.now()` milliseconds). */
  deadline?: number;
  /** Setups (options and key) this worker has been sent and keeps prepared. */
  setups: Set<number>;
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

/** What {@link poolSizeFor} decides from. */
export interface PoolWork {
  /** Files to de-identify. */
  readonly files: number;
  /** Their total size in bytes. */
  readonly bytes: number;
  /** CPU cores (`os.availableParallelism()`). */
  readonly cores: number;
  /** Runnable threads on the machine already (`os.loadavg()[0]`); 0 when unknown. */
  readonly load?: number;
  /** Most workers (default 8). */
  readonly max?: number;
}

/**
 * Bytes of work that pay for one more worker. A worker costs about 0.1 s of CPU to start (its own Node
 * environment and the de-identifier's modules) and about 0.2 s to warm its JIT, and a 0.5 MiB CT slice
 * about 2 ms of reading, de-identifying and writing: a worker needs a few hundred slices before it saves
 * more time than it costs.
 */
export const BYTES_PER_WORKER = 128 * 1024 * 1024;
/** Files that pay for one more worker when they are small (dose SRs: the engine, not I/O, is the cost). */
export const FILES_PER_WORKER = 256;

/**
 * How many workers a folder run should start: enough work for each (see {@link BYTES_PER_WORKER}), no
 * more than the cores left idle by what already runs (a worker on a busy core only adds its start-up and
 * JIT warm-up: measured on 2 cores at a load average of 20, two workers cost 0.3-0.7 s more CPU than one
 * for 600 CT slices, for no gain in wall time), no more than files, and at least one.
 */
export function poolSizeFor(w: PoolWork): number {
  const byWork = Math.max(Math.floor(w.bytes / BYTES_PER_WORKER), Math.floor(w.files / FILES_PER_WORKER));
  const idle = Math.floor(w.cores - Math.max(0, w.load ?? 0));
  return Math.max(1, Math.min(byWork, idle, w.files, w.max ?? 8));
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
  // a small number per (options, key) pair: a worker gets the pair once, then only its number (no options
  // to clone and no cache key to compute per file). Equal pairs in different objects share a number, so a
  // caller building fresh options per file does not make the workers prepare a de-identifier per file.
  const setupIds = new WeakMap<DeidOptions, WeakMap<Uint8Array, number>>();
  const setupByContent = new Map<string, number>();
  const setupOf = (options: DeidOptions, key: Uint8Array): number => {
    let byKey = setupIds.get(options);
    if (!byKey) {
      byKey = new WeakMap();
      setupIds.set(options, byKey);
    }
    let id = byKey.get(key);
    if (id === undefined) {
      // the key by its digest: no copy of the key material kept in a string
      const content = `${JSON.stringify(options)}|${createHash('sha256').update(key).digest('base64')}`;
      id = setupByContent.get(content) ?? setupByContent.size + 1;
      setupByContent.set(content, id);
      byKey.set(key, id);
    }
    return id;
  };

  const finish = (slot: Slot, result: DeidResult, output?: string, write?: TreeWrite): void => {
    const p = slot.busy;
    slot.busy = undefined;
    slot.deadline = undefined;
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
    slot.setups = new Set();
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
      slot.deadline = performance.now() + timeoutMs;
      const { options, projectKey, ...light } = p.job;
      if (slot.setups.has(p.job.setup)) slot.worker.postMessage(light);
      else {
        slot.setups.add(p.job.setup);
        slot.worker.postMessage(p.job);
      }
    }
  };

  // One watchdog for all workers instead of a timer per file: a job is timed out within `tick` of its
  // deadline. Unreferenced: a busy worker keeps the process alive, the watchdog alone does not.
  const tick = Math.max(5, Math.min(250, timeoutMs / 4));
  const watchdog = setInterval(() => {
    const now = performance.now();
    for (const slot of slots) {
      const p = slot.busy;
      if (!p || slot.deadline === undefined || now < slot.deadline) continue;
      const w = slot.worker;
      finish(
        slot,
        failed(DEID_ERROR_CODES.workerTimeout, `no answer within ${timeoutMs} ms`, p.job.input.length),
      );
      const old = { worker: w, started: slot.started, exited: slot.exited };
      spawn(slot); // replace first so the old worker's exit is ignored
      void stopWorker(old, false);
    }
    pump();
  }, tick);
  watchdog.unref();

  for (let i = 0; i < size; i++) {
    const slot = { setups: new Set<number>() } as unknown as Slot;
    slots.push(slot);
    spawn(slot);
  }

  return {
    deidentify(input, options, projectKey) {
      if (closed) return Promise.reject(new DeidError(DEID_ERROR_CODES.poolClosed, 'pool is closed'));
      return new Promise<DeidResult>((resolve) => {
        queue.push({
          job: { id: nextId++, input, setup: setupOf(options, projectKey), options, projectKey },
          resolve,
        });
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
            setup: setupOf(options, projectKey),
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
      clearInterval(watchdog);
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
