/**
 * A RowPool worker thread: computes the partial of one chunk of rows. The data arrive as typed arrays over
 * SharedArrayBuffers (shared with the node's thread, never copied); the partial goes back transferred.
 */
import { parentPort } from 'node:worker_threads';
import { StatsError } from '../errors.js';
import type { GlmFamilyName } from '../glm/family.js';
import { type GlmNodeData, glmRowsPartial } from '../glm/partial.js';

/** A chunk of a GLM partial to compute. */
export interface RowJob {
  job: number;
  kind: 'glm';
  data: GlmNodeData;
  family: GlmFamilyName;
  beta: Float64Array | null;
  r0: number;
  r1: number;
}

export type RowAnswer =
  | { job: number; ok: true; partial: Float64Array }
  | { job: number; ok: false; code: string | null; message: string };

parentPort?.on('message', (m: RowJob) => {
  let answer: RowAnswer;
  try {
    const partial = glmRowsPartial(m.data, m.family, m.beta, m.r0, m.r1);
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
