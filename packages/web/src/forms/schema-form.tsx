/**
 * The analysis form generated from an algorithm's parameter JSON schema: each parameter gets the widget
 * its schema metadata names (field-kind.ts): dataset and column pickers from the study nodes' data
 * dictionaries filtered by column kind, level pickers from declared levels, a bins editor, a model picker
 * from the registry, a formula field with column completion, a filter of typed conditions, plain inputs
 * for the rest; every input shows the parameter's description and an example.
 */
import './forms.css';
import type { ColumnSpec, DataDictionary, Filter, ModelVersion, OnnxModel, Task } from '@fedhub/protocol';
import type { Bins, BinsDraft, KnownColumn } from './bins.js';
import { type FieldKind, fieldKind, type JsonSchemaNode, metaOf, placeholderOf } from './field-kind.js';
import { describeFilter, type FilterDraft } from './filter-draft.js';
import {
  chosenDataset,
  type FormValue,
  type FormValues,
  type ModelDraft,
  type OnnxModelValue,
} from './params-values.js';
import { BinsField } from './widgets/bins-field.js';
import { ColumnSelect, ColumnsChecklist } from './widgets/column-fields.js';
import { FilterField } from './widgets/filter-field.js';
import { FormulaField } from './widgets/formula-field.js';
import { FactorLevelsField, LevelsField } from './widgets/levels-fields.js';
import { ModelField } from './widgets/model-field.js';
import { OnnxModelField } from './widgets/onnx-model-field.js';
import { FieldShell, labelOf } from './widgets/shell.js';

/** The parameter's first example in words, for the widgets that are not typed. */
export function exampleInWords(k: FieldKind, s: JsonSchemaNode): string | null | undefined {
  const ex = metaOf(s).examples?.[0];
  if (ex === undefined || ex === null) return undefined;
  switch (k.kind) {
    case 'filter':
      return describeFilter(ex as Filter);
    case 'bins':
      return Object.entries(ex as Record<string, Bins>)
        .map(([c, b]) =>
          'breaks' in b
            ? `${c}: breaks at ${b.breaks.join(', ')}`
            : `${c}: ${b.from} to ${b.to} by ${b.width}`,
        )
        .join('; ');
    case 'model':
      return 'formula' in (ex as object)
        ? `a fitted model such as ${(ex as { formula: string }).formula}`
        : null;
    case 'columns':
    case 'list':
      return Array.isArray(ex) ? ex.join(', ') : null;
    case 'factor-levels':
      return Object.entries(ex as Record<string, string>)
        .map(([c, l]) => `${l} as the reference of ${c}`)
        .join('; ');
    case 'levels':
      return Array.isArray(ex) ? ex.join(' vs ') : null;
    case 'json':
      return undefined;
    case 'object':
    case 'onnx-model':
      return null;
    default:
      return null;
  }
}

/** What the form may offer besides the dictionaries: registered models, this study's tasks, known n. */
export interface FormContext {
  models: readonly ModelVersion[];
  /** Registered ONNX models of the study's collaboration (validate's model widget). */
  onnxModels?: readonly OnnxModel[];
  tasks: readonly Task[];
  /** What the study's latest summary of the chosen dataset released per column (sizes suggested bins). */
  known: Record<string, KnownColumn>;
}

/** Props: `datasets` are the dictionaries the chosen nodes publish (merged by name). */
export interface SchemaFormProps {
  schema: JsonSchemaNode;
  datasets: DataDictionary[];
  values: FormValues;
  onChange: (v: FormValues) => void;
  context?: FormContext;
}

const NO_CONTEXT: FormContext = { models: [], tasks: [], known: {} };
const str = (v: FormValue) => (typeof v === 'string' ? v : '');

function Field(props: {
  name: string;
  s: JsonSchemaNode;
  k: FieldKind;
  required: boolean;
  datasets: DataDictionary[];
  columns: ColumnSpec[];
  values: FormValues;
  context: FormContext;
  set: (name: string, v: FormValue) => void;
}) {
  const { name, s, k, required, columns, values, set } = props;
  const id = `param-${name}`;
  const value = values[name];
  const text = str(value);
  const shell = { id, name, s, required, example: exampleInWords(k, s) };
  const placeholder = placeholderOf(s);
  const describedBy = `${id}-help`;
  switch (k.kind) {
    case 'dataset':
      return (
        <FieldShell {...shell}>
          <select
            id={id}
            aria-describedby={describedBy}
            required={required}
            value={text}
            onChange={(e) => set(name, e.target.value)}
          >
            <option value="">Choose a dataset…</option>
            {props.datasets.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name}
                {d.description ? `: ${d.description}` : ''}
              </option>
            ))}
          </select>
        </FieldShell>
      );
    case 'column':
      return (
        <FieldShell {...shell}>
          <ColumnSelect
            id={id}
            kind={k.columnKind}
            columns={columns}
            required={required}
            // a column with a default shows it chosen where the dataset has it (the default applies when
            // the field is left alone)
            value={text || (columns.some((c) => c.name === s.default) ? String(s.default) : '')}
            set={(v) => set(name, v)}
          />
        </FieldShell>
      );
    case 'columns':
      return (
        <FieldShell {...shell} group>
          <ColumnsChecklist
            name={name}
            kind={k.columnKind}
            columns={columns}
            value={Array.isArray(value) ? value : []}
            set={(v) => set(name, v)}
          />
        </FieldShell>
      );
    case 'formula':
      return (
        <FieldShell {...shell}>
          <FormulaField
            id={id}
            columns={columns}
            required={required}
            placeholder={placeholder}
            value={text}
            set={(v) => set(name, v)}
          />
        </FieldShell>
      );
    case 'factor-levels':
      return (
        <FieldShell {...shell} group>
          <FactorLevelsField
            id={id}
            formula={str(values[k.of])}
            columns={columns}
            value={(value as Record<string, string> | undefined) ?? {}}
            set={(v) => set(name, v)}
          />
        </FieldShell>
      );
    case 'levels':
      return (
        <FieldShell {...shell} group>
          <LevelsField
            id={id}
            column={columns.find((c) => c.name === values[k.of])}
            count={k.count}
            value={Array.isArray(value) ? value : []}
            set={(v) => set(name, v)}
          />
        </FieldShell>
      );
    case 'bins':
      return (
        <FieldShell {...shell} group>
          <BinsField
            id={id}
            chosen={Array.isArray(values[k.of]) ? (values[k.of] as string[]) : []}
            columns={columns}
            known={props.context.known}
            value={(value as Record<string, BinsDraft> | undefined) ?? {}}
            set={(v) => set(name, v)}
          />
        </FieldShell>
      );
    case 'model':
      return (
        <FieldShell {...shell} group>
          <ModelField
            id={id}
            kind={k.modelOf}
            models={props.context.models}
            onnxModels={props.context.onnxModels ?? []}
            tasks={props.context.tasks}
            columns={columns}
            value={value as ModelDraft | undefined}
            set={(v) => set(name, v)}
          />
        </FieldShell>
      );
    case 'onnx-model':
      return (
        <FieldShell {...shell} group>
          <OnnxModelField
            id={id}
            models={props.context.onnxModels ?? []}
            value={value as OnnxModelValue | undefined}
            set={(v) => set(name, v)}
          />
        </FieldShell>
      );
    case 'filter':
      return (
        <FieldShell {...shell} group>
          <FilterField
            id={id}
            columns={columns}
            value={value as FilterDraft | undefined}
            set={(v) => set(name, v)}
          />
        </FieldShell>
      );
    case 'object':
      return (
        <FieldShell {...shell} group>
          {k.fields.map(([f, fs]) => (
            <Field
              key={f}
              {...props}
              name={`${name}.${f}`}
              s={fs}
              k={fieldKind(f, fs)}
              required={required && k.required.includes(f) && fs.default === undefined}
            />
          ))}
        </FieldShell>
      );
    case 'enum':
      return (
        <FieldShell {...shell}>
          <select
            id={id}
            aria-describedby={describedBy}
            value={k.custom && text.trim().startsWith('{') ? '{' : text || String(s.default ?? '')}
            onChange={(e) => set(name, e.target.value === '{' ? '{}' : e.target.value)}
          >
            {!required && s.default === undefined && <option value="">(default)</option>}
            {k.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
            {k.custom && <option value="{">custom settings (JSON)…</option>}
          </select>
          {k.custom && text.trim().startsWith('{') && (
            <textarea
              className="mono"
              rows={4}
              aria-label={`${labelOf(name)} (JSON)`}
              value={text}
              onChange={(e) => set(name, e.target.value)}
              spellCheck={false}
            />
          )}
        </FieldShell>
      );
    case 'boolean':
      return (
        <div className="field" data-param={name}>
          <label className="check">
            <input
              id={id}
              type="checkbox"
              checked={value === undefined ? s.default === true : value === true}
              onChange={(e) => set(name, e.target.checked)}
            />
            {labelOf(name)}
          </label>
          {s.description && <small id={describedBy}>{s.description}</small>}
        </div>
      );
    case 'number':
    case 'text':
    case 'list':
      return (
        <FieldShell {...shell}>
          <input
            id={id}
            aria-describedby={describedBy}
            required={required}
            inputMode={k.kind === 'number' ? 'decimal' : undefined}
            className={k.kind === 'list' ? 'mono' : undefined}
            placeholder={
              s.default !== undefined && k.kind !== 'text'
                ? `default ${Array.isArray(s.default) ? s.default.join(', ') : String(s.default)}`
                : placeholder
            }
            value={text}
            onChange={(e) => set(name, e.target.value)}
          />
        </FieldShell>
      );
    default:
      return (
        <FieldShell {...shell}>
          <textarea
            id={id}
            aria-describedby={describedBy}
            required={required}
            className="mono"
            rows={3}
            placeholder={placeholder}
            value={text}
            onChange={(e) => set(name, e.target.value)}
            spellCheck={false}
          />
        </FieldShell>
      );
  }
}

/** The generated form (controlled: `values` in, `onChange` out). */
export function SchemaForm({ schema, datasets, values, onChange, context }: SchemaFormProps) {
  const required = new Set(schema.required ?? []);
  const ds = datasets.find((d) => d.name === chosenDataset(schema, values));
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
          values={values}
          context={context ?? NO_CONTEXT}
          set={(n, v) => onChange({ ...values, [n]: v })}
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
