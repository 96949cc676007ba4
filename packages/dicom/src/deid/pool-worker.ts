import { parentPort } from 'node:worker_threads';
import {
  createDeidentifier,
  type Deidentifier,
  type DeidResult,
  deidentifyWith,
} from './deidentify-buffer.js';
import type { DeidOptions } from './options.js';

/** A job sent to a pool worker. */
export interface PoolJob {
  readonly id: number;
  readonly input: Uint8Array;
  readonly options: DeidOptions;
  readonly projectKey: Uint8Array;
}

/** A worker's answer. */
export interface PoolAnswer {
  readonly id: number;
  readonly result: DeidResult;
}

function serve(): void {
  const port = parentPort;
  if (!port) return;
  // One prepared de-identifier per (options, key): the compiled table and derived keys are reused across jobs.
  const prepared = new Map<string, Deidentifier>();
  port.on('message', (job: PoolJob) => {
    const k = `${JSON.stringify(job.options)}|${Buffer.from(job.projectKey).toString('hex')}`;
    let d = prepared.get(k);
    if (!d) {
      d = createDeidentifier(job.options, job.projectKey);
      prepared.set(k, d);
    }
    const result = deidentifyWith(d, job.input);
    const answer: PoolAnswer = { id: job.id, result };
    port.postMessage(answer, result.status === 'ok' ? [result.output.buffer as ArrayBuffer] : []);
  });
}

serve();
