/**
 * How the analysis form renders each parameter of an algorithm's JSON schema, and how the typed-in values
 * become the task's `params` (pure functions; the component is in schema-form.tsx).
 */
import type { ColumnSpec, ColumnType } from '@fedhub/protocol';

/** A JSON-schema node, as much of it as the form reads. */
export interface JsonSchemaNode {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  items?: JsonSchemaNode;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  $ref?: string;
}

/** The widget of one parameter. */
export type FieldKind =
  | { kind: 'dataset' }
  | { kind: 'column'; types: readonly ColumnType[] }
  | { kind: 'columns'; types: readonly ColumnType[] }
  | { kind: 'formula' }
  | { kind: 'enum'; options: string[] }
  | { kind: 'number'; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'text' }
  | { kind: 'json' };

const ANY: readonly ColumnType[] = ['numeric', 'integer', 'categorical', 'boolean', 'date'];
const CATEGORICAL: readonly ColumnType[] = ['categorical', 'boolean', 'integer'];
const NUMERIC: readonly ColumnType[] = ['numeric', 'integer'];
const EVENT: readonly ColumnType[] = ['integer', 'boolean', 'numeric'];

/** Which column types a column parameter accepts, from its name and description. */
export function columnTypesFor(name: string, description = ''): readonly ColumnType[] {
  if (/categorical/i.test(description) || name === 'group' || name === 'strata') return CATEGORICAL;
  if (/event indicator/i.test(description) || name === 'event') return EVENT;
  if (/time|weights/i.test(description) || name === 'time' || name === 'weights') return NUMERIC;
  return ANY;
}

const isColumnParam = (name: string, s: JsonSchemaNode) =>
  /\bcolumn\b/i.test(s.description ?? '') || ['time', 'event', 'group', 'strata', 'weights'].includes(name);

/** The widget for parameter `name` with schema `s`. */
export function fieldKind(name: string, s: JsonSchemaNode): FieldKind {
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (name === 'dataset') return { kind: 'dataset' };
  if (name === 'formula') return { kind: 'formula' };
  if (s.enum?.every((v) => typeof v === 'string')) return { kind: 'enum', options: s.enum as string[] };
  if (type === 'string' && isColumnParam(name, s))
    return { kind: 'column', types: columnTypesFor(name, s.description) };
  if (type === 'array' && s.items?.type === 'string' && isColumnParam(name, s.items))
    return { kind: 'columns', types: columnTypesFor(name, s.items.description) };
  if (type === 'number' || type === 'integer') return { kind: 'number', integer: type === 'integer' };
  if (type === 'boolean') return { kind: 'boolean' };
  if (type === 'string') return { kind: 'text' };
  return { kind: 'json' };
}

/** The columns of a dictionary a column parameter may pick (identifier columns never). */
export function pickableColumns(columns: readonly ColumnSpec[], types: readonly ColumnType[]): ColumnSpec[] {
  return columns.filter((c) => !c.identifier && types.includes(c.type));
}

/** A form error naming the parameter. */
export class ParamsFormError extends Error {
  readonly code = 'FH_ERR_PARAMS_FORM';
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`${param}: ${message}`);
    this.name = 'ParamsFormError';
  }
}

/** Form state: strings for text-like inputs, string[] for multi-column pickers, booleans for checkboxes. */
export type FormValues = Record<string, string | string[] | boolean | undefined>;

/**
 * The task params from form values: empty optional fields are left out (the hub applies defaults), numbers
 * are parsed, JSON fields are parsed; a missing required field or bad number/JSON throws {@link ParamsFormError}.
 */
export function buildParams(schema: JsonSchemaNode, values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    const k = fieldKind(name, s);
    const v = values[name];
    const empty = v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
    if (empty) {
      if (required.has(name)) throw new ParamsFormError(name, 'is required');
      continue;
    }
    switch (k.kind) {
      case 'number': {
        const n = Number(v);
        if (typeof v !== 'string' || !Number.isFinite(n))
          throw new ParamsFormError(name, `"${String(v)}" is not a number`);
        if (k.integer && !Number.isInteger(n)) throw new ParamsFormError(name, `${n} is not a whole number`);
        out[name] = n;
        break;
      }
      case 'json':
        try {
          out[name] = JSON.parse(String(v));
        } catch (e) {
          throw new ParamsFormError(name, `is not valid JSON (${(e as Error).message})`);
        }
        break;
      case 'boolean':
        out[name] = v === true;
        break;
      default:
        out[name] = v;
    }
  }
  return out;
}
