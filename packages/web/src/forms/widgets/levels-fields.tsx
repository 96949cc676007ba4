/**
 * Level pickers from the dictionary's declared levels: reference levels of the formula's factors (glm
 * `ref`), and a fixed number of levels of one column (the t-test's two groups).
 */
import type { ColumnSpec } from '@fedhub/protocol';
import { columnLevels, formulaFactors } from '../columns.js';

/** One select per factor of `formula`, its first declared level being R's default reference. */
export function FactorLevelsField(props: {
  id: string;
  formula: string;
  columns: readonly ColumnSpec[];
  value: Record<string, string>;
  set: (v: Record<string, string>) => void;
}) {
  const factors = formulaFactors(props.formula, props.columns);
  if (factors.length === 0)
    return (
      <p className="muted" id={props.id}>
        {props.formula ? 'The formula has no factor with declared levels.' : 'Write the formula first.'}
      </p>
    );
  return (
    <div className="levels-grid">
      {factors.map((c) => {
        const levels = columnLevels(c) ?? [];
        const id = `${props.id}-${c.name}`;
        return (
          <div key={c.name} className="row">
            <label htmlFor={id}>Reference level of {c.name}</label>
            <select
              id={id}
              value={props.value[c.name] ?? ''}
              onChange={(e) => {
                const next = { ...props.value, [c.name]: e.target.value };
                if (!e.target.value) delete next[c.name];
                props.set(next);
              }}
            >
              <option value="">{`${levels[0]} (default: the first declared level)`}</option>
              {levels.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </div>
        );
      })}
    </div>
  );
}

/** `count` selects of the levels of `column` (e.g. the two groups a t-test compares: group 1 - group 2). */
export function LevelsField(props: {
  id: string;
  column: ColumnSpec | undefined;
  count: number;
  value: string[];
  set: (v: string[]) => void;
}) {
  const { column, count } = props;
  if (!column) return <p className="muted">Choose the grouping column first.</p>;
  const levels = columnLevels(column);
  if (!levels) return <p className="muted">{column.name} declares no levels in the data dictionary.</p>;
  const picked = Array.from({ length: count }, (_, i) => props.value[i] ?? '');
  return (
    <div className="row">
      {picked.map((v, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the i-th level slot is its identity
        <label key={i} className="inline">
          {`${count === 2 ? ['group 1', 'group 2'][i] : `level ${i + 1}`} `}
          <select
            id={`${props.id}-${i}`}
            value={v}
            onChange={(e) => props.set(picked.map((x, j) => (j === i ? e.target.value : x)))}
          >
            <option value="">{levels.length === count ? `${levels[i]} (default)` : 'Choose a level…'}</option>
            {levels.map((l) => (
              <option key={l} value={l} disabled={picked.includes(l) && picked[i] !== l}>
                {l}
              </option>
            ))}
          </select>
        </label>
      ))}
    </div>
  );
}
