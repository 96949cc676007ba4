/**
 * A RowPool worker thread: computes the partial of one chunk of rows. The data arrive as typed arrays over
 * SharedArrayBuffers (shared with the node's thread, never copied); the partial goes back transferred.
 */
import { parentPort } from 'node:worker_threads';
import { StatsError } from '../errors.js';
import type { GlmFamilySpec } from '../glm/family.js';
import { type GlmNodeData, glmRowsPartial } from '../glm/partial.js';

/** The rows of a model, sent once per worker: later jobs name them by `dataId`. */
export interface RowData {
  kind: 'data';
  dataId: number;
  data: GlmNodeData;
}

/** Forget a model's rows (its task is over). */
export interface RowDrop {
  kind: 'drop';
  dataId: number;
}

/** A chunk of a GLM partial to compute. */
export interface RowJob {
  job: number;
  kind: 'glm';
  dataId: number;
  family: GlmFamilySpec;
  beta: Float64Array | null;
  r0: number;
  r1: number;
}

export type RowAnswer =
  | { job: number; ok: true; partial: Float64Array }
  | { job: number; ok: false; code: string | null; message: string };

const datasets = new Map<number, GlmNodeData>();

parentPort?.on('message', (m: RowData | RowDrop | RowJob) => {
  if (m.kind === 'data') {
    datasets.set(m.dataId, m.data);
    return;
  }
  if (m.kind === 'drop') {
    datasets.delete(m.dataId);
    return;
  }
  let answer: RowAnswer;
  try {
    const data = datasets.get(m.dataId);
    if (!data) throw new Error(`no rows registered as ${m.dataId}`);
    const partial = glmRowsPartial(data, m.family, m.beta, m.r0, m.r1);
    parentPort!.postMessage({ job: m.job, ok: true, partial } satisfies RowAnswer, [
      partial.buffer as ArrayBuffer,
    ]);
    return;
  } catch (err) {
    answer = {
      job: m.job,
      ok: false,
      code: err instanceof StatsError ? err.code : null,
      message: err instanceof Error ? err.message : String(err),
    };
  }
  parentPort!.postMessage(answer);
});
