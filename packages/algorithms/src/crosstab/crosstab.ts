/**
 * `crosstab`: counts of two categorical columns pooled across nodes. Every non-zero count released by a
 * node must reach the minimum cell count (the node checks; the algorithm declares each cell).
 */
import { type ColumnSpec, CrosstabResultSchema, FedhubError, type Json } from '@fedhub/protocol';
import { z } from 'zod';
import { ADDITIVE_FIELD, MASKED_FIELD, sumAdditive } from '../additive.js';
import { columnParam, DatasetParam, FilterParam } from '../common-params.js';
import { declaredLevels } from '../declared-levels.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { noiseDescriptions } from '../noise-description.js';
import { type Privatizer, release } from '../types.js';

export const CrosstabParamsSchema = z.strictObject({
  dataset: DatasetParam,
  rows: columnParam('categorical', 'Categorical column for the rows', 'stage'),
  cols: columnParam('categorical', 'Categorical column for the columns', 'sex'),
  filter: FilterParam,
});
export type CrosstabParams = z.infer<typeof CrosstabParamsSchema>;

/** Label of a missing level in tables. */
export const MISSING_LEVEL = '(missing)';

interface CellPart {
  row: string;
  col: string;
  n: number;
}

function orderedLevels(seen: Set<string>, declared: string[] | undefined): string[] {
  const declaredOrder = (declared ?? []).filter((l) => seen.has(l));
  const rest = [...seen].filter((l) => !declaredOrder.includes(l) && l !== MISSING_LEVEL).sort();
  return [...declaredOrder, ...rest, ...(seen.has(MISSING_LEVEL) ? [MISSING_LEVEL] : [])];
}

/**
 * Every level a column may take, from the dictionary: which cells are empty would otherwise show in which
 * cells are released.
 */
function allLevels(spec: ColumnSpec): string[] {
  if (spec.levels) return spec.levels;
  if (spec.type === 'boolean') return ['false', 'true'];
  if (
    spec.type === 'integer' &&
    spec.min !== undefined &&
    spec.max !== undefined &&
    spec.max - spec.min <= 1000
  ) {
    const out: string[] = [];
    for (let v = Math.ceil(spec.min); v <= spec.max; v++) out.push(String(v));
    return out;
  }
  throw new FedhubError(
    'FH_ERR_DP_REQUIRED',
    `column "${spec.name}" declares no levels (nor an integer range of at most 1000 values); a differentially private table needs them`,
    { column: spec.name },
  );
}

/** Noisy counts of every cell of the declared levels (empty ones included), one partition: one statistic. */
const privatizeCrosstab: Privatizer<CrosstabParams> = (payload, { params, column, noise }) => {
  const p = payload as unknown as { cells: CellPart[] };
  const rows = [...allLevels(column(params.rows)), MISSING_LEVEL];
  const cols = [...allLevels(column(params.cols)), MISSING_LEVEL];
  const exact = new Map(p.cells.map((c) => [JSON.stringify([c.row, c.col]), c.n]));
  const keys: Array<[string, string]> = [];
  for (const r of rows) for (const c of cols) keys.push([r, c]);
  // an undeclared level seen in the data (a dictionary that does not list every level) is kept, not dropped
  for (const c of p.cells) if (!rows.includes(c.row) || !cols.includes(c.col)) keys.push([c.row, c.col]);
  const noisy = noise(1).counts(
    `cells of ${params.rows} x ${params.cols}`,
    keys.map((k) => exact.get(JSON.stringify(k)) ?? 0),
  );
  const cells = keys.map(([row, col], i) => ({ row, col, n: noisy[i]! })).filter((c) => c.n > 0);
  return { ...(payload as object), cells } as unknown as Json;
};

/** The table's grid: every declared level of each column, then the missing level. */
export function additiveGrid(
  _params: CrosstabParams,
  rows: Parameters<typeof declaredLevels>[0],
  cols: Parameters<typeof declaredLevels>[0],
): { rows: string[]; cols: string[] } {
  return { rows: [...declaredLevels(rows), MISSING_LEVEL], cols: [...declaredLevels(cols), MISSING_LEVEL] };
}

export const crosstab = defineAlgorithm<CrosstabParams>({
  name: 'crosstab',
  // 1.1.0: results carry the noise description of nodes that release under differential privacy
  // 1.2.0: counts on the dictionary's grid of levels, in the additive vector (masked: the hub sees sums)
  version: '1.2.0',
  title: 'Contingency table',
  description:
    'Counts of every combination of two categorical columns, pooled across nodes, with small-cell refusal.',
  paramsSchema: CrosstabParamsSchema,
  resultSchema: CrosstabResultSchema,
  releases: {
    pooled:
      'the counts of every combination of two categorical columns, missing values as a level of their own (each non-zero count at least the minimum cell count)',
    perNode: null,
  },
  privatize: privatizeCrosstab,
  variables: (p) => ({ dataset: p.dataset, columns: [p.rows, p.cols] }),
  firstInput: () => null,
  async local(ctx, params) {
    const ds = await ctx.dataset(params.dataset);
    const levels: Record<string, string[] | undefined> = {};
    for (const c of [params.rows, params.cols]) {
      const spec = ds.column(c);
      if (spec.type !== 'categorical' && spec.type !== 'boolean' && spec.type !== 'integer')
        throw new FedhubError(
          'FH_ERR_COLUMN_TYPE',
          `column "${c}" is ${spec.type}; crosstab needs categorical columns`,
          { column: c },
        );
      levels[c] = spec.levels;
      // the table's grid is the dictionary's: refused before reading when the column declares no levels
      declaredLevels(spec);
    }
    const subsetSize = await ds.count(params.filter);
    const groups = await ds.groupCounts([params.rows, params.cols], params.filter);
    const cells: CellPart[] = groups.map((g) => ({
      row: g.levels[0] ?? MISSING_LEVEL,
      col: g.levels[1] ?? MISSING_LEVEL,
      n: g.n,
    }));
    // every released count is a cell, the combinations with a missing value included
    return release(
      {
        cells,
        rowLevels: levels[params.rows] ?? null,
        colLevels: levels[params.cols] ?? null,
      } as unknown as Json,
      {
        subsetSize,
        cells: cells.map((c) => ({
          label: `${params.rows}=${c.row}, ${params.cols}=${c.col}`,
          count: c.n,
          kind: c.row === MISSING_LEVEL || c.col === MISSING_LEVEL ? 'missing' : 'group',
        })),
      },
    );
  },
  toAdditive(payload, params, ctx) {
    const p = payload as unknown as { cells: CellPart[]; [k: string]: unknown };
    const grid = additiveGrid(
      params,
      ctx.column(params.dataset, params.rows),
      ctx.column(params.dataset, params.cols),
    );
    const index = new Map<string, number>();
    grid.rows.forEach((r, i) => {
      grid.cols.forEach((c, j) => {
        index.set(JSON.stringify([r, c]), i * grid.cols.length + j);
      });
    });
    const vector = new Array<number>(grid.rows.length * grid.cols.length).fill(0);
    for (const c of p.cells) {
      const i = index.get(JSON.stringify([c.row, c.col]));
      // the dataset was checked against the dictionary when loaded: a level outside it cannot occur
      if (i === undefined)
        throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'a count falls outside the dictionary levels');
      vector[i] = c.n;
    }
    const { cells: _cells, ...rest } = p;
    return { ...rest, grid, [ADDITIVE_FIELD]: vector } as unknown as Json;
  },
  aggregate({ params, parts }) {
    const totals = new Map<string, number>();
    const rowSeen = new Set<string>();
    const colSeen = new Set<string>();
    let rowDeclared: string[] | undefined;
    let colDeclared: string[] | undefined;
    const first = parts[0]?.payload as Record<string, unknown> | undefined;
    if (first && (ADDITIVE_FIELD in first || MASKED_FIELD in first)) {
      // the nodes sent counts on the dictionary's grid, masked: the hub learns only their sums
      const grid = first.grid as { rows: string[]; cols: string[] };
      for (const p of parts)
        if (JSON.stringify((p.payload as Record<string, unknown>).grid) !== JSON.stringify(grid))
          throw new FedhubError(
            'FH_ERR_ALGORITHM_FAILED',
            `the nodes' dictionaries declare different levels of ${params.rows} or ${params.cols}`,
          );
      const sum = sumAdditive(parts);
      grid.rows.forEach((r, i) => {
        grid.cols.forEach((c, j) => {
          const n = Math.round(sum[i * grid.cols.length + j]!);
          if (n === 0) return;
          rowSeen.add(r);
          colSeen.add(c);
          totals.set(JSON.stringify([r, c]), n);
        });
      });
      rowDeclared = (first.rowLevels as string[] | null) ?? undefined;
      colDeclared = (first.colLevels as string[] | null) ?? undefined;
    }
    for (const p of first && (ADDITIVE_FIELD in first || MASKED_FIELD in first) ? [] : parts) {
      const payload = p.payload as unknown as {
        cells: CellPart[];
        rowLevels: string[] | null;
        colLevels: string[] | null;
      };
      rowDeclared ??= payload.rowLevels ?? undefined;
      colDeclared ??= payload.colLevels ?? undefined;
      for (const c of payload.cells) {
        rowSeen.add(c.row);
        colSeen.add(c.col);
        const key = JSON.stringify([c.row, c.col]);
        totals.set(key, (totals.get(key) ?? 0) + c.n);
      }
    }
    const rows = orderedLevels(rowSeen, rowDeclared);
    const cols = orderedLevels(colSeen, colDeclared);
    const counts = rows.map((r) => cols.map((c) => totals.get(JSON.stringify([r, c])) ?? 0));
    const rowTotals = counts.map((r) => r.reduce((a, b) => a + b, 0));
    const colTotals = cols.map((_, j) => counts.reduce((a, r) => a + (r[j] ?? 0), 0));
    return {
      kind: 'done',
      result: {
        algorithm: 'crosstab',
        rowVariable: params.rows,
        colVariable: params.cols,
        rows,
        cols,
        counts,
        rowTotals,
        colTotals,
        total: rowTotals.reduce((a, b) => a + b, 0),
        nodes: parts.map((p) => p.nodeName),
        ...noiseDescriptions(parts),
      } as unknown as Json,
    };
  },
});
