/**
 * Which widget the analysis form gives each parameter of an algorithm's JSON schema. The choice comes from
 * the metadata the parameter schema carries (`.meta(paramMeta(...))` in packages/algorithms: column kind,
 * widget, levelsOf, examples) and from its JSON type, never from words in its description (pure; the
 * values <-> params conversion is in params-values.ts, the components in schema-form.tsx and widgets/).
 */
import { type ColumnKind, type ParamMeta, readParamMeta } from '@fedhub/protocol';

/** A JSON-schema node, as much of it as the form reads (metadata keys read with readParamMeta). */
export interface JsonSchemaNode {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  items?: JsonSchemaNode;
  prefixItems?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  $ref?: string;
  [meta: string]: unknown;
}

/** The widget of one parameter. */
export type FieldKind =
  | { kind: 'dataset' }
  | { kind: 'column'; columnKind: ColumnKind }
  | { kind: 'columns'; columnKind: ColumnKind }
  | { kind: 'formula' }
  /** Reference level per factor of the formula parameter `of`. */
  | { kind: 'factor-levels'; of: string }
  /** `count` levels of the column parameter `of`. */
  | { kind: 'levels'; of: string; count: number }
  /** Bins per column of the columns parameter `of`. */
  | { kind: 'bins'; of: string }
  | { kind: 'model'; modelOf: 'glm' | 'coxph' }
  /** A registered ONNX image model: digest, name@version and the card's imaging section. */
  | { kind: 'onnx-model' }
  | { kind: 'filter' }
  /**
   * A nested object whose fields each have a widget of their own (a dataset, columns, a filter, lists,
   * plain inputs; one level deep), stored as `name.sub` in the form values.
   */
  | { kind: 'object'; fields: Array<[string, JsonSchemaNode]>; required: string[] }
  /** A comma-separated list of numbers or strings. */
  | { kind: 'list'; item: 'number' | 'string' }
  /** `custom`: a JSON object may be given instead of an option. */
  | { kind: 'enum'; options: string[]; custom: boolean }
  | { kind: 'number'; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'text' }
  | { kind: 'json' };

const typeOf = (s: JsonSchemaNode) => (Array.isArray(s.type) ? s.type[0] : s.type);
const isScalarType = (t: string | undefined) =>
  t === 'string' || t === 'number' || t === 'integer' || t === 'boolean';

/**
 * Whether a field may sit inside an object parameter: plain inputs, and the widgets that need no sibling
 * (a dataset, columns, a filter); not JSON, not another object, not widgets that read a sibling.
 */
function nestable(name: string, s: JsonSchemaNode): boolean {
  if (isScalarType(typeOf(s)) && !metaOf(s).widget) return true;
  const k = fieldKind(name, s);
  return ['dataset', 'column', 'columns', 'filter', 'list', 'enum', 'number', 'boolean', 'text'].includes(
    k.kind,
  );
}

/** The parameter's form metadata. */
export function metaOf(s: JsonSchemaNode): ParamMeta {
  return readParamMeta(s);
}

/** The widget for parameter `name` with schema `s`, from its metadata first, then its JSON type. */
export function fieldKind(_name: string, s: JsonSchemaNode): FieldKind {
  const m = metaOf(s);
  const type = typeOf(s);
  switch (m.widget) {
    case 'dataset':
      return { kind: 'dataset' };
    case 'formula':
      return { kind: 'formula' };
    case 'filter':
      return { kind: 'filter' };
    case 'model':
      return { kind: 'model', modelOf: m.modelOf ?? 'glm' };
    case 'onnx-model':
      return { kind: 'onnx-model' };
    case 'bins':
      if (m.levelsOf) return { kind: 'bins', of: m.levelsOf };
      break;
    case 'levels':
      if (m.levelsOf && type === 'object') return { kind: 'factor-levels', of: m.levelsOf };
      if (m.levelsOf) return { kind: 'levels', of: m.levelsOf, count: m.count ?? s.prefixItems?.length ?? 2 };
      break;
  }
  if (m.columnKind && type === 'string') return { kind: 'column', columnKind: m.columnKind };
  if (m.columnKind && type === 'array') return { kind: 'columns', columnKind: m.columnKind };
  if (s.enum?.every((v) => typeof v === 'string'))
    return { kind: 'enum', options: s.enum as string[], custom: false };
  const choice = s.anyOf?.find((b) => b.enum?.every((v) => typeof v === 'string'));
  if (choice) return { kind: 'enum', options: choice.enum as string[], custom: true };
  if (type === 'number' || type === 'integer') return { kind: 'number', integer: type === 'integer' };
  if (type === 'boolean') return { kind: 'boolean' };
  if (type === 'string') return { kind: 'text' };
  if (
    type === 'array' &&
    s.items &&
    !s.items.anyOf &&
    (typeOf(s.items) === 'number' || typeOf(s.items) === 'string')
  )
    return { kind: 'list', item: typeOf(s.items) === 'number' ? 'number' : 'string' };
  if (type === 'object' && s.properties && Object.entries(s.properties).every(([n, p]) => nestable(n, p)))
    return { kind: 'object', fields: Object.entries(s.properties), required: s.required ?? [] };
  return { kind: 'json' };
}

/** The parameter's first example as a placeholder ("e.g. months"), or its default. */
export function placeholderOf(s: JsonSchemaNode): string {
  const ex = metaOf(s).examples?.[0];
  const show = (v: unknown) =>
    typeof v === 'string'
      ? v
      : Array.isArray(v) && v.every((x) => typeof x !== 'object')
        ? v.join(', ')
        : JSON.stringify(v);
  if (ex !== undefined) return `e.g. ${show(ex)}`;
  return s.default !== undefined ? `default ${show(s.default)}` : '';
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
