/** The row filter: conditions joined by "and" (column, operator, typed value); JSON for or/not. */
import type { ColumnSpec } from '@fedhub/protocol';
import { unitLabel } from '../../charts/units.js';
import { columnLevels, describeColumn } from '../columns.js';
import { FILTER_OPS, type FilterDraft, type FilterRow, OP_LABELS } from '../filter-draft.js';

const placeholderFor = (r: FilterRow, c: ColumnSpec | undefined) => {
  if (r.op === 'between') return c?.min !== undefined ? `${c.min}, ${c.max}` : 'low, high';
  const lv = c ? columnLevels(c) : null;
  if (r.op === 'in' || r.op === 'not-in') return lv ? lv.slice(0, 2).join(', ') : 'a, b';
  if (lv) return lv[0] ?? '';
  return c?.unit ? `value (${unitLabel(c.unit)})` : 'value';
};

export function FilterField(props: {
  id: string;
  columns: readonly ColumnSpec[];
  value: FilterDraft | undefined;
  set: (v: FilterDraft) => void;
}) {
  const d = props.value ?? { mode: 'rows', rows: [] };
  const usable = props.columns.filter((c) => !c.identifier);
  if (d.mode === 'json')
    return (
      <>
        <textarea
          id={props.id}
          className="mono"
          rows={3}
          value={d.json}
          onChange={(e) => props.set({ mode: 'json', json: e.target.value })}
          spellCheck={false}
        />
        <button type="button" onClick={() => props.set({ mode: 'rows', rows: [] })}>
          Clear and use conditions
        </button>
      </>
    );
  const setRow = (i: number, r: FilterRow) =>
    props.set({ mode: 'rows', rows: d.rows.map((x, j) => (j === i ? r : x)) });
  return (
    <div className="filter-rows">
      {d.rows.length === 0 && <p className="muted">All rows.</p>}
      {d.rows.map((r, i) => {
        const c = usable.find((x) => x.name === r.column);
        const levels = c ? columnLevels(c) : null;
        const noValue = r.op === 'is-missing' || r.op === 'not-missing';
        const rowId = `${props.id}-${i}`;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their position
          <fieldset key={i} className="row plain" aria-label={`condition ${i + 1}`}>
            {i > 0 && <span className="muted">and</span>}
            <select
              id={`${rowId}-column`}
              aria-label="column"
              value={r.column}
              onChange={(e) => setRow(i, { ...r, column: e.target.value, value: '' })}
            >
              <option value="">column…</option>
              {usable.map((x) => (
                <option key={x.name} value={x.name}>
                  {describeColumn(x)}
                </option>
              ))}
            </select>
            <select
              id={`${rowId}-op`}
              aria-label="operator"
              value={r.op}
              onChange={(e) => setRow(i, { ...r, op: e.target.value as FilterRow['op'] })}
            >
              {FILTER_OPS.map((o) => (
                <option key={o} value={o}>
                  {OP_LABELS[o]}
                </option>
              ))}
            </select>
            {!noValue &&
              (levels && (r.op === 'eq' || r.op === 'ne') ? (
                <select
                  id={`${rowId}-value`}
                  aria-label="value"
                  value={r.value}
                  onChange={(e) => setRow(i, { ...r, value: e.target.value })}
                >
                  <option value="">level…</option>
                  {levels.map((l) => (
                    <option key={l} value={l}>
                      {l}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id={`${rowId}-value`}
                  aria-label="value"
                  value={r.value}
                  placeholder={placeholderFor(r, c)}
                  onChange={(e) => setRow(i, { ...r, value: e.target.value })}
                />
              ))}
            <button
              type="button"
              aria-label={`remove condition ${i + 1}`}
              onClick={() => props.set({ mode: 'rows', rows: d.rows.filter((_, j) => j !== i) })}
            >
              ×
            </button>
          </fieldset>
        );
      })}
      <div className="row">
        <button
          type="button"
          disabled={usable.length === 0}
          onClick={() => props.set({ mode: 'rows', rows: [...d.rows, { column: '', op: 'ge', value: '' }] })}
        >
          Add a condition
        </button>
        <button type="button" className="link" onClick={() => props.set({ mode: 'json', json: '' })}>
          or/not (JSON)…
        </button>
      </div>
    </div>
  );
}
