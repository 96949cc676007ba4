import { parentPort } from 'node:worker_threads';
import {
  createDeidentifier,
  type Deidentifier,
  type DeidResult,
  deidentifyToParts,
  deidentifyWith,
} from './deidentify-buffer.js';
import { ioReason, ioRejection, type TreeLayout, treeOutputPath } from './deidentify-file.js';
import type { DeidOptions } from './options.js';
import { POOL_CLOSE_MESSAGE } from './pool-messages.js';
import { ScratchReader } from './scratch-read.js';
import { type TreeWrite, writeTreeFileSync } from './tree-output.js';

/** A job sent to a pool worker: bytes to de-identify, or a file to read and write (see `file`). */
export interface PoolJob {
  readonly id: number;
  readonly input: Uint8Array;
  /** Number of the (options, project key) pair, which the worker keeps prepared. */
  readonly setup: number;
  /** Sent with the first job of a setup to each worker only; later jobs carry `setup` alone. */
  readonly options?: DeidOptions;
  readonly projectKey?: Uint8Array;
  /**
   * File mode: the worker reads `path` itself, and when the result is ok writes it atomically under
   * `outDir` at the path {@link treeOutputPath} gives; the answer then carries no bytes. Reading and
   * writing in the workers spreads the I/O over them instead of serialising it in the main thread.
   */
  readonly file?: { readonly path: string; readonly outDir: string; readonly layout?: TreeLayout };
}

/** A worker's answer. */
export interface PoolAnswer {
  readonly id: number;
  /** File mode: where the file was written, relative to `outDir`. */
  readonly output?: string;
  /** File mode: whether it was written at its own path, beside a different file, or was a duplicate. */
  readonly write?: TreeWrite;
  readonly result: DeidResult;
}

function serve(): void {
  const port = parentPort;
  if (!port) return;
  // One prepared de-identifier per setup (options, key): the compiled table and derived keys are reused.
  const prepared = new Map<number, Deidentifier>();
  const madeDirs = new Set<string>();
  // file mode writes each output before reading the next input: one buffer serves every read
  const scratch = new ScratchReader();
  port.on('message', (job: PoolJob | typeof POOL_CLOSE_MESSAGE) => {
    // the pool is closing: end this thread normally (its event loop empties) instead of being terminated
    if (job === POOL_CLOSE_MESSAGE) {
      port.close();
      return;
    }
    let d = prepared.get(job.setup);
    if (!d) {
      if (!job.options || !job.projectKey) {
        // the pool sends a setup with its first job to each worker: a job without one is a pool bug
        const result = ioRejection(`worker has no setup ${job.setup}`);
        port.postMessage({ id: job.id, result: { ...result, code: 'FH_ERR_DEID_INTERNAL' } });
        return;
      }
      d = createDeidentifier(job.options, job.projectKey);
      prepared.set(job.setup, d);
    }
    if (job.file) {
      let result: DeidResult;
      let output: string | undefined;
      let write: TreeWrite | undefined;
      try {
        const r = deidentifyToParts(d, scratch.read(job.file.path));
        if (r.status === 'ok') {
          const w = writeTreeFileSync(job.file.outDir, treeOutputPath(r, job.file.layout), r.parts, madeDirs);
          output = w.path;
          write = w.write;
          const { parts: _, ...rest } = r;
          result = { ...rest, output: Buffer.alloc(0) };
        } else result = r;
      } catch (err) {
        result = ioRejection(ioReason(err));
        output = undefined;
        write = undefined;
      }
      const answer: PoolAnswer = { id: job.id, result, ...(output && write ? { output, write } : {}) };
      port.postMessage(answer);
      return;
    }
    const result = deidentifyWith(d, job.input);
    const answer: PoolAnswer = { id: job.id, result };
    port.postMessage(answer, result.status === 'ok' ? [result.output.buffer as ArrayBuffer] : []);
  });
}

serve();
