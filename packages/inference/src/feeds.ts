/**
 * Checks what is fed to a model against its signature before onnxruntime sees it, and checks what comes
 * back. Errors name the input or output, the dimension and the declared size: never a data value.
 */
import { FedhubError } from '@fedhub/protocol';
import type { FeedElementType, OnnxElementType } from './element-types.js';
import type { OnnxModelInfo } from './inspect.js';
import type { OnnxLimits } from './limits.js';

export type OnnxTypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** One input tensor: row-major data and its dimensions. */
export interface OnnxFeed {
  readonly type: FeedElementType;
  readonly data: OnnxTypedArray;
  readonly dims: readonly number[];
}

/** One output tensor as onnxruntime returned it. */
export interface OnnxOutput {
  readonly type: OnnxElementType;
  readonly data: ArrayLike<number | bigint | string | boolean>;
  readonly dims: readonly number[];
}

const ARRAY_FOR: Record<FeedElementType, string> = {
  float32: 'Float32Array',
  float64: 'Float64Array',
  int32: 'Int32Array',
  int64: 'BigInt64Array',
  uint8: 'Uint8Array',
  bool: 'Uint8Array',
};

function mismatch(message: string, details: Record<string, unknown>): FedhubError {
  return new FedhubError('FH_ERR_MODEL_INPUT_MISMATCH', message, details);
}

/** Throws FH_ERR_MODEL_INPUT_MISMATCH / FH_ERR_MODEL_TOO_LARGE unless `feeds` fit the model's inputs. */
export function checkFeeds(
  info: OnnxModelInfo,
  feeds: Readonly<Record<string, OnnxFeed>>,
  limits: OnnxLimits,
): void {
  const expected = new Set(info.inputs.map((i) => i.name));
  for (const name of Object.keys(feeds)) {
    if (!expected.has(name)) {
      throw mismatch(`The model has no input "${name}" (its inputs: ${[...expected].join(', ')})`, {
        input: name,
      });
    }
  }
  let total = 0;
  const symbols = new Map<string, number>();
  for (const input of info.inputs) {
    const feed = feeds[input.name];
    if (!feed) throw mismatch(`The model's input "${input.name}" is not fed`, { input: input.name });
    if (input.kind !== 'tensor') {
      throw mismatch(`The model's input "${input.name}" is a ${input.kind}, not a tensor`, {
        input: input.name,
      });
    }
    if (input.elementType !== feed.type) {
      throw mismatch(
        `The model's input "${input.name}" takes ${input.elementType ?? 'an unsupported type'}, not ${feed.type}`,
        {
          input: input.name,
          expected: input.elementType,
          given: feed.type,
        },
      );
    }
    if (feed.data.constructor.name !== ARRAY_FOR[feed.type]) {
      throw mismatch(`Input "${input.name}" of type ${feed.type} needs a ${ARRAY_FOR[feed.type]}`, {
        input: input.name,
      });
    }
    const size = feed.dims.reduce((a, b) => a * b, 1);
    if (!feed.dims.every((d) => Number.isInteger(d) && d >= 0) || size !== feed.data.length) {
      throw mismatch(`Input "${input.name}": the data do not fill the dimensions [${feed.dims.join(', ')}]`, {
        input: input.name,
      });
    }
    if (input.shape) {
      if (input.shape.length !== feed.dims.length) {
        throw mismatch(
          `The model's input "${input.name}" has ${input.shape.length} dimensions [${input.shape.join(', ')}]; ${feed.dims.length} were given`,
          { input: input.name, expected: input.shape, given: feed.dims },
        );
      }
      input.shape.forEach((d, k) => {
        const given = feed.dims[k] as number;
        if (typeof d === 'number' && d !== given) {
          throw mismatch(
            `The model's input "${input.name}" needs size ${d} in dimension ${k}; ${given} was given`,
            {
              input: input.name,
              dimension: k,
              expected: d,
              given,
            },
          );
        }
        if (typeof d === 'string') {
          const seen = symbols.get(d);
          if (seen !== undefined && seen !== given) {
            throw mismatch(
              `Symbolic dimension "${d}" is ${seen} in one input and ${given} in "${input.name}"`,
              {
                input: input.name,
                dimension: k,
              },
            );
          }
          symbols.set(d, given);
        }
      });
    }
    total += size;
  }
  if (total > limits.maxInputElements) {
    throw new FedhubError(
      'FH_ERR_MODEL_TOO_LARGE',
      `The model's input holds ${total} elements, over the limit of ${limits.maxInputElements}`,
      {
        elements: total,
        limit: limits.maxInputElements,
      },
    );
  }
}

/** Throws FH_ERR_MODEL_OUTPUT_NAN when a floating-point output holds NaN or an infinity (which, not where). */
export function checkOutputs(outputs: Readonly<Record<string, OnnxOutput>>, limits: OnnxLimits): void {
  let total = 0;
  for (const [name, out] of Object.entries(outputs)) {
    total += out.data.length;
    // float16 comes back as raw Uint16 bits: not checked here (fedhub feeds and reads float32/float64)
    if (out.type === 'float32' || out.type === 'float64') {
      const data = out.data as ArrayLike<number>;
      for (let i = 0; i < data.length; i++) {
        if (!Number.isFinite(data[i] as number)) {
          throw new FedhubError(
            'FH_ERR_MODEL_OUTPUT_NAN',
            `The model's output "${name}" holds NaN or infinite values`,
            { output: name },
          );
        }
      }
    }
  }
  if (total > limits.maxOutputElements) {
    throw new FedhubError(
      'FH_ERR_MODEL_TOO_LARGE',
      `The model's output holds ${total} elements, over the limit of ${limits.maxOutputElements}`,
      {
        elements: total,
        limit: limits.maxOutputElements,
      },
    );
  }
}
