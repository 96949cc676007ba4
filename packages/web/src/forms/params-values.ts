/**
 * Form values <-> task params. `buildParams` turns what the widgets hold into the task's `params` (empty
 * optional fields left out: the hub applies defaults); `valuesFromParams` is its inverse, to open the form
 * of an earlier task ("edit and re-run"). Pure; a bad value throws ParamsFormError naming the parameter.
 */
import type { ColumnSpec, Filter } from '@fedhub/protocol';
import { type Bins, type BinsDraft, binsFromDraft, draftFromBins } from './bins.js';
import { type FieldKind, fieldKind, type JsonSchemaNode, ParamsFormError } from './field-kind.js';
import { draftFromFilter, type FilterDraft, filterFromDraft } from './filter-draft.js';

/** The frozen model the model widget holds: a score column, a formula with its coefficients, or a registered ONNX model. */
export type ModelDraft =
  | { source: 'score'; score: string }
  | { source: 'frozen'; formula: string; coefficients: Record<string, number>; label?: string }
  | {
      /** A registered ONNX model: its digest (what approvals bind to), its name@version, the input mapping. */
      source: 'onnx';
      onnx: string;
      registered: string;
      /** Per model input, the columns that fill its second dimension, in order. */
      inputs: Record<string, string[]>;
      output: string;
    };

/** The ONNX image model the onnx-model widget holds: what validate-imaging's `model` takes. */
export interface OnnxModelValue {
  onnx: string;
  registered?: string;
  imaging: unknown;
}

/** One widget's value. */
export type FormValue =
  | string
  | string[]
  | boolean
  | Record<string, string>
  | Record<string, BinsDraft>
  | ModelDraft
  | FilterDraft
  | OnnxModelValue
  | undefined;
/** The form's values by parameter name (nested objects' fields as `name.sub`). */
export type FormValues = Record<string, FormValue>;

const isEmpty = (v: FormValue) =>
  v === undefined ||
  v === '' ||
  (Array.isArray(v) && v.every((x) => x === '')) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

function scalar(name: string, k: FieldKind, v: FormValue): unknown {
  if (k.kind === 'number') {
    const n = Number(v);
    if (typeof v !== 'string' || !Number.isFinite(n))
      throw new ParamsFormError(name, `"${String(v)}" is not a number`);
    if (k.integer && !Number.isInteger(n)) throw new ParamsFormError(name, `${n} is not a whole number`);
    return n;
  }
  if (k.kind === 'boolean') return v === true;
  return v;
}

function one(
  name: string,
  k: FieldKind,
  v: FormValue,
  values: FormValues,
  columns: readonly ColumnSpec[],
): unknown {
  switch (k.kind) {
    case 'number':
    case 'boolean':
      return scalar(name, k, v);
    case 'list': {
      const parts = String(v)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (k.item === 'string') return parts;
      const nums = parts.map(Number);
      const bad = parts.find((_, i) => !Number.isFinite(nums[i]));
      if (bad !== undefined) throw new ParamsFormError(name, `"${bad}" is not a number`);
      return nums;
    }
    case 'enum':
      if (k.custom && typeof v === 'string' && v.trim().startsWith('{'))
        try {
          return JSON.parse(v);
        } catch (e) {
          throw new ParamsFormError(name, `is not valid JSON (${(e as Error).message})`);
        }
      return v;
    case 'json':
      try {
        return JSON.parse(String(v));
      } catch (e) {
        throw new ParamsFormError(name, `is not valid JSON (${(e as Error).message})`);
      }
    case 'factor-levels': {
      const out = Object.fromEntries(Object.entries(v as Record<string, string>).filter(([, l]) => l !== ''));
      return Object.keys(out).length > 0 ? out : undefined;
    }
    case 'levels': {
      const picked = v as string[];
      if (picked.length !== k.count || picked.some((x) => !x))
        throw new ParamsFormError(name, `choose ${k.count} levels of ${String(values[k.of] || k.of)}`);
      if (new Set(picked).size !== picked.length) throw new ParamsFormError(name, 'choose different levels');
      return picked;
    }
    case 'bins': {
      const chosen = Array.isArray(values[k.of]) ? (values[k.of] as string[]) : [];
      const out: Record<string, Bins> = {};
      for (const [col, d] of Object.entries(v as Record<string, BinsDraft>)) {
        if (!chosen.includes(col)) continue;
        try {
          out[col] = binsFromDraft(d);
        } catch (e) {
          throw new ParamsFormError(`${name}.${col}`, (e as Error).message);
        }
      }
      return Object.keys(out).length > 0 ? out : undefined;
    }
    case 'model': {
      const m = v as ModelDraft;
      if (m.source === 'score') {
        if (!m.score) throw new ParamsFormError(name, 'choose the score column');
        return { score: m.score };
      }
      if (m.source === 'onnx') {
        if (!m.onnx) throw new ParamsFormError(name, 'choose a registered ONNX model');
        const empty = Object.entries(m.inputs).filter(([, cols]) => cols.length === 0);
        if (empty.length > 0)
          throw new ParamsFormError(
            name,
            `name the columns of the model's input ${empty.map(([i]) => `"${i}"`).join(', ')}`,
          );
        return { onnx: m.onnx, registered: m.registered, inputs: m.inputs, output: m.output };
      }
      if (!m.formula || Object.keys(m.coefficients).length === 0)
        throw new ParamsFormError(name, 'choose a model (a registered model or a fitted task)');
      return { formula: m.formula, coefficients: m.coefficients };
    }
    case 'onnx-model': {
      const m = v as Partial<OnnxModelValue>;
      if (!m.onnx || !m.imaging) throw new ParamsFormError(name, 'choose a registered image model');
      return m;
    }
    case 'filter':
      try {
        return filterFromDraft(v as FilterDraft, columns);
      } catch (e) {
        throw new ParamsFormError(name, (e as Error).message);
      }
    default:
      return v;
  }
}

/**
 * The task params from form values: empty optional fields are left out (the hub applies defaults);
 * `columns` (the chosen dataset's dictionary) types the filter's values.
 */
export function buildParams(
  schema: JsonSchemaNode,
  values: FormValues,
  columns: readonly ColumnSpec[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    const k = fieldKind(name, s);
    if (k.kind === 'object') {
      const sub: Record<string, unknown> = {};
      for (const [f, fs] of k.fields) {
        const v = values[`${name}.${f}`];
        if (isEmpty(v)) {
          if (k.required.includes(f) && fs.default === undefined && required.has(name))
            throw new ParamsFormError(`${name}.${f}`, 'is required');
          continue;
        }
        const p = one(`${name}.${f}`, fieldKind(f, fs), v, values, columns);
        if (p !== undefined) sub[f] = p;
      }
      if (Object.keys(sub).length > 0) out[name] = sub;
      else if (required.has(name)) throw new ParamsFormError(name, 'is required');
      continue;
    }
    const v = values[name];
    const p = isEmpty(v) ? undefined : one(name, k, v, values, columns);
    if (p === undefined) {
      if (required.has(name)) throw new ParamsFormError(name, 'is required');
      continue;
    }
    out[name] = p;
  }
  return out;
}

/** The form value of one parameter's `v` (the inverse of `one`). */
function formValueOf(k: FieldKind, v: unknown): FormValue {
  switch (k.kind) {
    case 'number':
      return String(v);
    case 'list':
      return (v as unknown[]).join(', ');
    case 'json':
      return JSON.stringify(v, null, 2);
    case 'enum':
      return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
    case 'bins':
      return Object.fromEntries(
        Object.entries(v as Record<string, Bins>).map(([c, b]) => [c, draftFromBins(b)]),
      );
    case 'model': {
      const m = v as {
        score?: string;
        formula?: string;
        coefficients?: Record<string, number>;
        onnx?: string;
        registered?: string;
        inputs?: Record<string, string[]>;
        output?: string;
      };
      return m.onnx !== undefined
        ? {
            source: 'onnx',
            onnx: m.onnx,
            registered: m.registered ?? '',
            inputs: m.inputs ?? {},
            output: m.output ?? '',
          }
        : m.score !== undefined
          ? { source: 'score', score: m.score }
          : {
              source: 'frozen',
              formula: m.formula ?? '',
              coefficients: m.coefficients ?? {},
              label: 'as in the earlier task',
            };
    }
    case 'filter':
      return draftFromFilter(v as Filter);
    default:
      return v as FormValue;
  }
}

/**
 * The dataset the form's column pickers and filter read: the value of the first dataset field, at the top
 * (`dataset`) or inside an object parameter (validate-imaging's `cohort.dataset`).
 */
export function chosenDataset(schema: JsonSchemaNode, values: FormValues): string | undefined {
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    const k = fieldKind(name, s);
    if (k.kind === 'dataset' && typeof values[name] === 'string') return values[name] as string;
    if (k.kind === 'object')
      for (const [f, fs] of k.fields)
        if (fieldKind(f, fs).kind === 'dataset' && typeof values[`${name}.${f}`] === 'string')
          return values[`${name}.${f}`] as string;
  }
  return undefined;
}

/** The form values that give `params` back (the inverse of buildParams, for "edit and re-run"). */
export function valuesFromParams(schema: JsonSchemaNode, params: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    const v = params[name];
    if (v === undefined || v === null) continue;
    const k = fieldKind(name, s);
    if (k.kind === 'object') {
      for (const [f, fs] of k.fields) {
        const x = (v as Record<string, unknown>)[f];
        if (x !== undefined && x !== null) out[`${name}.${f}`] = formValueOf(fieldKind(f, fs), x);
      }
      continue;
    }
    out[name] = formValueOf(k, v);
  }
  return out;
}
