/**
 * Metadata an algorithm's parameter schema carries for the forms that fill it in (the dashboard's run
 * form, the CLI's help): which widget a parameter needs, which columns of the data dictionary it may name,
 * and examples. Algorithms attach it with zod's `.meta(paramMeta({...}))`; `z.toJSONSchema` copies the keys
 * into the parameter's JSON Schema, where the web reads them back with {@link readParamMeta}. Nothing is
 * guessed from words in descriptions.
 */
import { z } from 'zod';

/**
 * Which columns of the dictionary a column parameter accepts:
 * - `numeric`: numeric or integer measurements;
 * - `categorical`: columns with levels (categorical, boolean, integer with a declared range);
 * - `binary`: a 0/1 outcome (boolean, or integer/numeric declared within 0..1);
 * - `time`: a follow-up time (numeric or integer);
 * - `event`: an event indicator (1 = event, 0 = censored: boolean, or integer/numeric declared within 0..1);
 * - `key`: a record key for linkage (a patient pseudonym): the dictionary's identifier columns, or a
 *   categorical or integer column;
 * - `any`: every column type but identifiers (which are never analysed).
 */
export const COLUMN_KINDS = ['numeric', 'categorical', 'binary', 'time', 'event', 'key', 'any'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

/**
 * A widget other than the one the parameter's JSON type implies:
 * - `dataset`: a dataset the study's nodes publish;
 * - `formula`: an R model formula, with column completion;
 * - `levels`: reference levels per factor of the formula (`levelsOf` names the formula parameter), or the
 *   levels of one column (`levelsOf` names the column parameter; `count` of them, e.g. 2 for a t-test);
 * - `bins`: histogram bins per column (`levelsOf` names the columns parameter), with a preview;
 * - `model`: a frozen model: a score column, or a formula and coefficients from the model registry;
 * - `filter`: the typed row filter;
 * - `onnx-model`: a registered ONNX image model (its digest, name@version and the card's imaging section).
 */
export const PARAM_WIDGETS = [
  'dataset',
  'formula',
  'levels',
  'bins',
  'model',
  'filter',
  'onnx-model',
] as const;
export type ParamWidget = (typeof PARAM_WIDGETS)[number];

export const ParamMetaSchema = z.object({
  columnKind: z.enum(COLUMN_KINDS).optional(),
  widget: z.enum(PARAM_WIDGETS).optional(),
  /** The sibling parameter this one's levels or bins depend on. */
  levelsOf: z.string().optional(),
  /** How many levels the `levels` widget picks (a tuple), when it picks from one column. */
  count: z.int().min(1).optional(),
  /** For `model`: the model family the registry is searched for (`glm` for a logistic model, `coxph`). */
  modelOf: z.enum(['glm', 'coxph']).optional(),
  /** Example values (JSON Schema's `examples`), shown as placeholders and in help. */
  examples: z.array(z.unknown()).min(1).optional(),
});
export type ParamMeta = z.infer<typeof ParamMetaSchema>;

/** Typed metadata for `.meta()`: `ColumnParam.meta(paramMeta({ columnKind: 'time', examples: ['months'] }))`. */
export function paramMeta(m: ParamMeta): ParamMeta {
  return ParamMetaSchema.parse(m);
}

/** The form metadata of one property of a parameter JSON Schema (unknown keys and bad values ignored). */
export function readParamMeta(node: unknown): ParamMeta {
  if (node === null || typeof node !== 'object') return {};
  const n = node as Record<string, unknown>;
  const out: ParamMeta = {};
  const pick = <K extends keyof ParamMeta>(k: K) => {
    const r = ParamMetaSchema.shape[k].safeParse(n[k]);
    if (r.success && r.data !== undefined) out[k] = r.data as ParamMeta[K];
  };
  for (const k of Object.keys(ParamMetaSchema.shape) as Array<keyof ParamMeta>) pick(k);
  return out;
}
