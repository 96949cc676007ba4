/**
 * Scores of a registered ONNX model at the node, for `validate`: the node fetches the file by its digest
 * (the bytes are checked against it), inspects it, and runs it under the runtime's limits on the dataset's
 * columns named for each model input (rows with a missing value in any of them, or in the outcome, are
 * left out and counted). The predictions never leave the node; only what `validate` aggregates does.
 */
import { sha256Hex } from '@fedhub/crypto';
import {
  type FeedElementType,
  type OnnxFeed,
  type OnnxModelInfo,
  type OnnxSession,
  openOnnxSession,
  runOnnx,
} from '@fedhub/inference';
import { FedhubError, type Filter } from '@fedhub/protocol';
import { z } from 'zod';
import { ColumnParam } from '../common-params.js';
import { type DatasetHandle, type LocalContext, type RowIds, rowIdsOf } from '../types.js';

export const OnnxDigestParam = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'sha256:<64 lowercase hex digits>')
  .describe("The registered ONNX file's digest, sha256:<hex> (what node approvals bind to)");

/** An ONNX model as `validate` takes it: which columns feed which input, which output is P(outcome = 1). */
export const OnnxModelParam = z.strictObject({
  onnx: OnnxDigestParam,
  registered: z.string().max(200).optional().describe('name@version in the registry, for the report'),
  inputs: z
    .record(z.string().min(1).max(200), z.array(ColumnParam).min(1).max(500))
    .refine((r) => Object.keys(r).length >= 1 && Object.keys(r).length <= 16, '1 to 16 inputs')
    .describe('Per model input, the columns that fill its second dimension, in order'),
  output: z.string().min(1).max(200).describe('The output holding the predicted probability'),
  outputIndex: z
    .int()
    .min(0)
    .max(999)
    .optional()
    .describe('Column of a [N, C] output holding P(outcome = 1); default 1 when C = 2'),
});
export type OnnxModelParams = z.infer<typeof OnnxModelParam>;

/** Every column the model reads, in input order. */
export function onnxColumns(m: OnnxModelParams): string[] {
  return [...new Set(Object.values(m.inputs).flat())];
}

const BATCH_ROWS = 65_536;

function mismatch(message: string, parameter: string): FedhubError {
  return new FedhubError('FH_ERR_MODEL_INPUT_MISMATCH', message, { parameter });
}

/**
 * Checks the column mapping against the model's signature (before any data is read): every input named,
 * rank-2 float inputs whose second dimension is the number of columns, a tensor output. Also used by the
 * CLI and the hub on registration and submission.
 */
export function checkOnnxMapping(info: OnnxModelInfo, m: OnnxModelParams): void {
  for (const input of info.inputs) {
    const cols = m.inputs[input.name];
    if (!cols)
      throw mismatch(`the model's input "${input.name}" has no columns (model.inputs)`, 'model.inputs');
    if (input.elementType !== 'float32' && input.elementType !== 'float64')
      throw mismatch(
        `the model's input "${input.name}" takes ${input.elementType ?? input.kind}; only float inputs are fed from tables`,
        `model.inputs.${input.name}`,
      );
    const shape = input.shape;
    if (shape && shape.length !== 2)
      throw mismatch(
        `the model's input "${input.name}" has ${shape.length} dimensions; a table feeds [rows, columns]`,
        `model.inputs.${input.name}`,
      );
    if (shape && typeof shape[1] === 'number' && shape[1] !== cols.length)
      throw mismatch(
        `the model's input "${input.name}" takes ${shape[1]} columns; ${cols.length} are named`,
        `model.inputs.${input.name}`,
      );
    if (shape && typeof shape[0] === 'number' && shape[0] !== 1)
      throw mismatch(
        `the model's input "${input.name}" has a fixed batch size of ${shape[0]}; it must be 1 or symbolic`,
        `model.inputs.${input.name}`,
      );
  }
  for (const name of Object.keys(m.inputs))
    if (!info.inputs.some((i) => i.name === name))
      throw mismatch(
        `the model has no input "${name}" (its inputs: ${info.inputs.map((i) => i.name).join(', ')})`,
        'model.inputs',
      );
  const out = info.outputs.find((o) => o.name === m.output);
  if (!out)
    throw mismatch(
      `the model has no output "${m.output}" (its outputs: ${info.outputs.map((o) => o.name).join(', ')})`,
      'model.output',
    );
  if (out.kind !== 'tensor' || (out.elementType !== 'float32' && out.elementType !== 'float64'))
    throw mismatch(
      `the model's output "${m.output}" is not a float tensor (a ${out.elementType ?? out.kind})`,
      'model.output',
    );
}

async function fetchVerified(ctx: LocalContext, digest: string): Promise<Uint8Array> {
  if (!ctx.models)
    throw new FedhubError('FH_ERR_MODEL_INVALID', 'this node has no access to the model registry', {
      parameter: 'model.onnx',
    });
  const hex = digest.slice('sha256:'.length);
  const models = ctx.models;
  const bytes = await models.onnx(hex).catch(() => {
    // unknown digest, another collaboration's model, or the hub unreachable: the detail is in the node's log
    throw new FedhubError(
      'FH_ERR_MODEL_INVALID',
      'the model file could not be fetched from the hub by its digest',
      {
        parameter: 'model.onnx',
      },
    );
  });
  if (sha256Hex(bytes) !== hex)
    throw new FedhubError(
      'FH_ERR_MODEL_DIGEST',
      "the model file's sha256 differs from the digest in the task",
      { parameter: 'model.onnx' },
    );
  return bytes;
}

function column(data: Record<string, unknown>, name: string): Float64Array {
  const c = data[name];
  if (!(c instanceof Float64Array))
    throw new FedhubError('FH_ERR_COLUMN_TYPE', `column "${name}" is not numeric`, { column: name });
  return c;
}

function pick(
  out: { data: ArrayLike<unknown>; dims: readonly number[] },
  rows: number,
  m: OnnxModelParams,
): Float64Array {
  const dims = out.dims;
  const width = dims.length === 1 ? 1 : dims.length === 2 && dims[0] === rows ? (dims[1] as number) : -1;
  if (width < 1 || out.data.length !== rows * width)
    throw mismatch(
      `the model's output "${m.output}" has dimensions [${dims.join(', ')}]; [rows], [rows, 1] or [rows, C] are read`,
      'model.output',
    );
  const index = m.outputIndex ?? (width === 2 ? 1 : 0);
  if (index >= width || (width > 2 && m.outputIndex === undefined))
    throw mismatch(
      `the model's output "${m.output}" has ${width} columns: give model.outputIndex`,
      'model.outputIndex',
    );
  const p = new Float64Array(rows);
  for (let i = 0; i < rows; i++) p[i] = Number(out.data[i * width + index]);
  return p;
}

export interface OnnxScores {
  y: Float64Array;
  p: Float64Array;
  /** Selected records left out because the outcome or an input column is missing. */
  excludedMissing: number;
  /** The node's record id of each row scored, where the node audits releases. */
  rows?: RowIds;
}

/** Runs the model over the dataset's selected rows; closes its runner before returning. */
export async function onnxScores(
  ctx: LocalContext,
  ds: DatasetHandle,
  outcome: string,
  m: OnnxModelParams,
  filter: Filter | undefined,
): Promise<OnnxScores> {
  const bytes = await fetchVerified(ctx, m.onnx);
  const session: OnnxSession = await openOnnxSession(bytes, ctx.models?.onnxLimits);
  try {
    checkOnnxMapping(session.info, m);
    const selected = await ds.count(filter);
    const { n, data } = await ds.readColumns([outcome, ...onnxColumns(m)], filter);
    const y = column(data, outcome);
    const p = new Float64Array(n);
    for (let start = 0; start < n; start += BATCH_ROWS) {
      const rows = Math.min(BATCH_ROWS, n - start);
      const batch = session.info.inputs.every((i) => !i.shape || typeof i.shape[0] !== 'number') ? rows : 1;
      for (let at = start; at < start + rows; at += batch) {
        const feeds: Record<string, OnnxFeed> = {};
        for (const input of session.info.inputs) {
          const cols = (m.inputs[input.name] as string[]).map((c) => column(data, c));
          const type = input.elementType as FeedElementType;
          const buf =
            type === 'float32'
              ? new Float32Array(batch * cols.length)
              : new Float64Array(batch * cols.length);
          for (let r = 0; r < batch; r++)
            for (let k = 0; k < cols.length; k++)
              buf[r * cols.length + k] = (cols[k] as Float64Array)[at + r] as number;
          feeds[input.name] = { type, data: buf, dims: [batch, cols.length] };
        }
        const out = await runOnnx(session, feeds, [m.output]);
        p.set(pick(out[m.output] as { data: ArrayLike<unknown>; dims: readonly number[] }, batch, m), at);
      }
    }
    const rows = rowIdsOf(data);
    return { y, p, excludedMissing: selected - n, ...(rows ? { rows } : {}) };
  } finally {
    session.close();
  }
}
