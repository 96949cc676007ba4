/**
 * The model formula: a text field with completion of column names as they are typed, chips that insert a
 * column (categorical ones as factor(x)), and a warning for names the dictionary does not have.
 */
import type { ColumnSpec } from '@fedhub/protocol';
import {
  completions,
  describeColumn,
  pickableColumns,
  trailingIdentifier,
  unknownFormulaNames,
} from '../columns.js';

/** `text` with `insert` appended as a formula term (after "+", or as the first term). */
export function appendTerm(text: string, insert: string): string {
  const cur = text.trimEnd();
  if (cur.length === 0) return insert;
  return /[~+*:(]$/.test(cur) ? `${cur} ${insert}` : `${cur} + ${insert}`;
}

const termOf = (c: ColumnSpec) => (c.type === 'categorical' ? `factor(${c.name})` : c.name);

export function FormulaField(props: {
  id: string;
  columns: readonly ColumnSpec[];
  required: boolean;
  placeholder: string;
  value: string;
  set: (v: string) => void;
}) {
  const { id, columns, value, set } = props;
  const suggestions = completions(value, columns);
  const complete = (c: ColumnSpec) =>
    set(value.slice(0, value.length - trailingIdentifier(value).length) + c.name);
  const unknown = value ? unknownFormulaNames(value, columns) : [];
  return (
    <>
      <input
        id={id}
        aria-describedby={`${id}-help`}
        required={props.required}
        className="mono"
        value={value}
        placeholder={props.placeholder}
        onChange={(e) => set(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Tab' && suggestions.length > 0 && suggestions[0]) {
            e.preventDefault();
            complete(suggestions[0]);
          }
        }}
        spellCheck={false}
        autoComplete="off"
      />
      {suggestions.length > 0 && (
        <div className="completions" role="listbox" aria-label="Matching columns">
          {suggestions.map((c) => (
            <button key={c.name} type="button" role="option" className="chip" onClick={() => complete(c)}>
              {describeColumn(c)}
            </button>
          ))}
        </div>
      )}
      {unknown.length > 0 && columns.length > 0 && (
        <small className="warn" role="status">
          Not in this dataset's dictionary: {unknown.join(', ')}
        </small>
      )}
      <fieldset className="column-helper plain" aria-label="Columns (click to add to the formula)">
        <span className="small">Add a column:</span>
        {pickableColumns(columns, 'any').map((c) => (
          <button
            key={c.name}
            type="button"
            className="chip"
            title={describeColumn(c)}
            onClick={() => set(appendTerm(value, termOf(c)))}
          >
            {c.name}
          </button>
        ))}
      </fieldset>
    </>
  );
}
