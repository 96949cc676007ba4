/**
 * Histogram bins per chosen column: "suggest bins" from the dictionary's range and resolution (sized by
 * the records of an earlier summary when one exists, and the policy's minimum cell count), an even grid or
 * explicit breaks, and a preview of the bins that will be counted.
 */
import type { ColumnSpec } from '@fedhub/protocol';
import { unitLabel } from '../../charts/units.js';
import {
  type BinsDraft,
  binsFromDraft,
  breaksOf,
  describeBins,
  type KnownColumn,
  suggestBins,
} from '../bins.js';
import { pickableColumns } from '../columns.js';

function Preview({ draft, column }: { draft: BinsDraft; column: ColumnSpec }) {
  let breaks: number[] | null = null;
  let error = '';
  try {
    breaks = breaksOf(binsFromDraft(draft));
  } catch (e) {
    error = (e as Error).message;
  }
  if (!breaks) return <small className="error">{error || 'invalid bins'}</small>;
  const lo = column.min ?? breaks[0]!;
  const hi = column.max ?? breaks[breaks.length - 1]!;
  const span = Math.max(hi, breaks[breaks.length - 1]!) - Math.min(lo, breaks[0]!) || 1;
  const x0 = Math.min(lo, breaks[0]!);
  const W = 300;
  const x = (v: number) => ((v - x0) / span) * W;
  const outside = breaks[0]! > lo || breaks[breaks.length - 1]! < hi;
  return (
    <div className="bins-preview" data-testid={`bins-preview-${column.name}`}>
      <svg width={W + 2} height={22} role="img" aria-label={`${breaks.length - 1} bins of ${column.name}`}>
        <rect x={x(lo)} y={9} width={Math.max(1, x(hi) - x(lo))} height={4} className="range" />
        {breaks.map((b) => (
          <line key={b} x1={x(b) + 0.5} x2={x(b) + 0.5} y1={3} y2={19} className="break" />
        ))}
      </svg>
      <small>
        {breaks.length - 1} bins{column.unit ? ` (${unitLabel(column.unit)})` : ''}: {describeBins(breaks)}
        {outside && ' · values outside the breaks are counted below/above'}
      </small>
    </div>
  );
}

export function BinsField(props: {
  id: string;
  chosen: string[];
  columns: readonly ColumnSpec[];
  /** What an earlier summary in this study released per column (n, mean, sd, nodes), when there is one. */
  known: Record<string, KnownColumn>;
  value: Record<string, BinsDraft>;
  set: (v: Record<string, BinsDraft>) => void;
}) {
  const numeric = pickableColumns(props.columns, 'numeric').filter((c) => props.chosen.includes(c.name));
  if (numeric.length === 0) return <p className="muted">Choose numeric columns to get their histograms.</p>;
  const setCol = (col: string, d: BinsDraft | undefined) => {
    const next = { ...props.value };
    if (d) next[col] = d;
    else delete next[col];
    props.set(next);
  };
  return (
    <div className="bins-editor">
      {numeric.map((c) => {
        const d = props.value[c.name];
        const coarser = d?.coarser ?? 0;
        const known = props.known[c.name];
        const suggest = (k: number) => {
          const s = suggestBins(c, { n: known?.n, known, coarser: k });
          if ('error' in s) return;
          const b = s.bins;
          setCol(
            c.name,
            'breaks' in b
              ? { mode: 'breaks', breaks: b.breaks.join(', '), coarser: k, reason: s.reason }
              : {
                  mode: 'grid',
                  from: String(b.from),
                  to: String(b.to),
                  width: String(b.width),
                  coarser: k,
                  reason: s.reason,
                },
          );
        };
        const s = suggestBins(c, { n: known?.n, known });
        const id = `${props.id}-${c.name}`;
        return (
          <div key={c.name} className="bins-column" data-testid={`bins-${c.name}`}>
            <div className="row">
              <strong>{c.name}</strong>
              {'error' in s ? (
                <small className="muted">{s.error}</small>
              ) : (
                <>
                  <button type="button" onClick={() => suggest(0)}>
                    Suggest bins
                  </button>
                  {d && (
                    <button type="button" onClick={() => suggest(coarser + 1)} title="Half as many bins">
                      Coarser
                    </button>
                  )}
                </>
              )}
              {d ? (
                <button type="button" onClick={() => setCol(c.name, undefined)}>
                  No histogram
                </button>
              ) : (
                <button type="button" onClick={() => setCol(c.name, { mode: 'breaks', breaks: '' })}>
                  Type breaks
                </button>
              )}
            </div>
            {d?.mode === 'grid' && (
              <div className="row">
                {(['from', 'to', 'width'] as const).map((k) => (
                  <label key={k} className="inline">
                    {`${k} `}
                    <input
                      id={`${id}-${k}`}
                      inputMode="decimal"
                      size={8}
                      value={d[k]}
                      onChange={(e) => setCol(c.name, { ...d, [k]: e.target.value, reason: undefined })}
                    />
                  </label>
                ))}
                <button type="button" onClick={() => setCol(c.name, { mode: 'breaks', breaks: '' })}>
                  Uneven breaks…
                </button>
              </div>
            )}
            {d?.mode === 'breaks' && (
              <label className="inline">
                {'breaks '}
                <input
                  id={`${id}-breaks`}
                  className="mono"
                  placeholder="e.g. 20, 50, 60, 70, 90"
                  value={d.breaks}
                  onChange={(e) => setCol(c.name, { mode: 'breaks', breaks: e.target.value, coarser })}
                />
              </label>
            )}
            {d?.reason && <small className="muted">{d.reason}</small>}
            {d && <Preview draft={d} column={c} />}
          </div>
        );
      })}
      <small className="muted">
        Each non-empty bin must hold at least the nodes' minimum cell count (default 5) or the node refuses or
        merges it; suggestions aim at four times that on average.
      </small>
    </div>
  );
}
