/**
 * The analysis form generated from an algorithm's JSON schema: a dataset select fed by the study nodes'
 * dictionaries, column selects filtered by type, a formula field with a column list helper, and plain
 * inputs for the rest.
 */
import type { ColumnSpec, DataDictionary } from '@fedhub/protocol';
import {
  type FieldKind,
  type FormValues,
  fieldKind,
  type JsonSchemaNode,
  pickableColumns,
} from './field-kind.js';

/** Props: `datasets` are the dictionaries the chosen nodes publish (merged by name). */
export interface SchemaFormProps {
  schema: JsonSchemaNode;
  datasets: DataDictionary[];
  values: FormValues;
  onChange: (v: FormValues) => void;
}

const label = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2');

function describeColumn(c: ColumnSpec): string {
  return `${c.name} (${c.type}${c.unit ? `, ${c.unit}` : ''})`;
}

function Field(props: {
  name: string;
  s: JsonSchemaNode;
  k: FieldKind;
  required: boolean;
  datasets: DataDictionary[];
  columns: ColumnSpec[];
  value: FormValues[string];
  set: (v: FormValues[string]) => void;
  insert: (text: string) => void;
}) {
  const { name, s, k, required, datasets, columns, value, set } = props;
  const id = `param-${name}`;
  const help = s.description ? <small id={`${id}-help`}>{s.description}</small> : null;
  const common = { id, 'aria-describedby': s.description ? `${id}-help` : undefined, required };
  const text = typeof value === 'string' ? value : '';
  const title = `${label(name)}${required ? ' (required)' : ''}`;
  switch (k.kind) {
    case 'dataset':
      return (
        <div className="field">
          <label htmlFor={id}>{title}</label>
          <select {...common} value={text} onChange={(e) => set(e.target.value)}>
            <option value="">Choose a dataset…</option>
            {datasets.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name}
              </option>
            ))}
          </select>
          {help}
        </div>
      );
    case 'column':
      return (
        <div className="field">
          <label htmlFor={id}>{title}</label>
          <select {...common} value={text} onChange={(e) => set(e.target.value)}>
            <option value="">{required ? 'Choose a column…' : '(none)'}</option>
            {pickableColumns(columns, k.types).map((c) => (
              <option key={c.name} value={c.name}>
                {describeColumn(c)}
              </option>
            ))}
          </select>
          {help}
        </div>
      );
    case 'columns': {
      const picked = Array.isArray(value) ? value : [];
      return (
        <fieldset className="field">
          <legend>{title}</legend>
          {pickableColumns(columns, k.types).map((c) => (
            <label key={c.name} className="check">
              <input
                type="checkbox"
                name={name}
                value={c.name}
                checked={picked.includes(c.name)}
                onChange={(e) =>
                  set(e.target.checked ? [...picked, c.name] : picked.filter((x) => x !== c.name))
                }
              />
              {describeColumn(c)}
            </label>
          ))}
          {columns.length === 0 && <p className="muted">Choose a dataset first.</p>}
        </fieldset>
      );
    }
    case 'formula':
      return (
        <div className="field">
          <label htmlFor={id}>{title}</label>
          <input
            {...common}
            className="mono"
            value={text}
            onChange={(e) => set(e.target.value)}
            spellCheck={false}
          />
          {help}
          <fieldset className="column-helper">
            <legend className="small">Columns (click to insert into the formula)</legend>
            {pickableColumns(columns, ['numeric', 'integer', 'categorical', 'boolean', 'date']).map((c) => (
              <button
                key={c.name}
                type="button"
                className="chip"
                title={describeColumn(c)}
                onClick={() => props.insert(c.type === 'categorical' ? `factor(${c.name})` : c.name)}
              >
                {c.name}
              </button>
            ))}
          </fieldset>
        </div>
      );
    case 'enum':
      return (
        <div className="field">
          <label htmlFor={id}>{title}</label>
          <select {...common} value={text || String(s.default ?? '')} onChange={(e) => set(e.target.value)}>
            {!required && s.default === undefined && <option value="">(default)</option>}
            {k.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
          {help}
        </div>
      );
    case 'number':
      return (
        <div className="field">
          <label htmlFor={id}>{title}</label>
          <input
            {...common}
            inputMode="decimal"
            placeholder={s.default !== undefined ? `default ${String(s.default)}` : ''}
            value={text}
            onChange={(e) => set(e.target.value)}
          />
          {help}
        </div>
      );
    case 'boolean':
      return (
        <div className="field">
          <label className="check">
            <input id={id} type="checkbox" checked={value === true} onChange={(e) => set(e.target.checked)} />
            {title}
          </label>
          {help}
        </div>
      );
    case 'text':
      return (
        <div className="field">
          <label htmlFor={id}>{title}</label>
          <input {...common} value={text} onChange={(e) => set(e.target.value)} />
          {help}
        </div>
      );
    default:
      return (
        <div className="field">
          <label htmlFor={id}>{title} (JSON)</label>
          <textarea
            {...common}
            className="mono"
            rows={2}
            placeholder={
              name === 'filter'
                ? '{"column": "age", "op": "ge", "value": 50}'
                : s.default !== undefined
                  ? JSON.stringify(s.default)
                  : ''
            }
            value={text}
            onChange={(e) => set(e.target.value)}
            spellCheck={false}
          />
          {help}
        </div>
      );
  }
}

/** The generated form (controlled: `values` in, `onChange` out). */
export function SchemaForm({ schema, datasets, values, onChange }: SchemaFormProps) {
  const required = new Set(schema.required ?? []);
  const ds = datasets.find((d) => d.name === values.dataset);
  const columns = ds?.columns ?? [];
  return (
    <div className="schema-form">
      {Object.entries(schema.properties ?? {}).map(([name, s]) => (
        <Field
          key={name}
          name={name}
          s={s}
          k={fieldKind(name, s)}
          required={required.has(name)}
          datasets={datasets}
          columns={columns}
          value={values[name]}
          set={(v) => onChange({ ...values, [name]: v })}
          insert={(t) => {
            const cur = typeof values[name] === 'string' ? (values[name] as string) : '';
            onChange({
              ...values,
              [name]: cur.length === 0 ? t : /[~+*:(]\s*$/.test(cur) ? `${cur} ${t}` : `${cur} + ${t}`,
            });
          }}
        />
      ))}
    </div>
  );
}

/** The datasets published by `nodes`, one per name (the first node's dictionary wins; they should agree). */
export function mergeDictionaries(nodes: ReadonlyArray<{ datasets: DataDictionary[] }>): DataDictionary[] {
  const byName = new Map<string, DataDictionary>();
  for (const n of nodes) for (const d of n.datasets) if (!byName.has(d.name)) byName.set(d.name, d);
  return [...byName.values()];
}
