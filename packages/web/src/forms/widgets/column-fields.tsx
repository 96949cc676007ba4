/** Column pickers filtered by the column kind the parameter's metadata declares. */
import type { ColumnKind, ColumnSpec } from '@fedhub/protocol';
import { describeColumn, pickableColumns } from '../columns.js';

const KIND_WORDS: Record<ColumnKind, string> = {
  numeric: 'numeric columns',
  categorical: 'columns with declared levels',
  binary: '0/1 columns',
  time: 'numeric time columns',
  event: '0/1 event columns',
  key: 'key columns',
  any: 'columns',
};

export function ColumnSelect(props: {
  id: string;
  kind: ColumnKind;
  columns: readonly ColumnSpec[];
  required: boolean;
  value: string;
  placeholder?: string;
  set: (v: string) => void;
}) {
  const options = pickableColumns(props.columns, props.kind);
  return (
    <select
      id={props.id}
      aria-describedby={`${props.id}-help`}
      required={props.required}
      value={props.value}
      onChange={(e) => props.set(e.target.value)}
    >
      <option value="">
        {props.columns.length === 0
          ? 'Choose a dataset first'
          : options.length === 0
            ? `No ${KIND_WORDS[props.kind]} in this dataset`
            : props.required
              ? `Choose a column (${KIND_WORDS[props.kind]})…`
              : '(none)'}
      </option>
      {options.map((c) => (
        <option key={c.name} value={c.name}>
          {describeColumn(c)}
        </option>
      ))}
      {props.value && !options.some((c) => c.name === props.value) && (
        <option value={props.value}>{props.value} (not in this dataset's dictionary)</option>
      )}
    </select>
  );
}

export function ColumnsChecklist(props: {
  name: string;
  kind: ColumnKind;
  columns: readonly ColumnSpec[];
  value: string[];
  set: (v: string[]) => void;
}) {
  const options = pickableColumns(props.columns, props.kind);
  if (props.columns.length === 0) return <p className="muted">Choose a dataset first.</p>;
  return (
    <div className="checklist">
      {options.map((c) => (
        <label key={c.name} className="check">
          <input
            type="checkbox"
            name={props.name}
            value={c.name}
            checked={props.value.includes(c.name)}
            onChange={(e) =>
              props.set(e.target.checked ? [...props.value, c.name] : props.value.filter((x) => x !== c.name))
            }
          />
          {describeColumn(c)}
        </label>
      ))}
    </div>
  );
}
