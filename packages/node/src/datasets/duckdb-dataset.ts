/** A dataset held in a DuckDB table, read only through aggregates and validated filters. */

import type { DuckDBConnection, DuckDBDataChunk, DuckDBVector } from '@duckdb/node-api';
import { type ColumnData, type DatasetHandle, type NumericMoments, withRowIds } from '@fedhub/algorithms';
import {
  type ColumnSpec,
  canonicalJson,
  type DataDictionary,
  FedhubError,
  type Filter,
} from '@fedhub/protocol';
import { CODED_LEVELS, type CodedLevels } from '@fedhub/stats';
import { RecordSet } from '../governance/record-set.js';
import { compileFilter, quoteIdent } from './sql-filter.js';

type Param = number | string | boolean;

const MAX_CODED_LEVELS = 256;

function sqlString(v: string): string {
  return `'${v.replaceAll("'", "''")}'`;
}

/**
 * Where a dataset's rows come from, for the privacy ledger: `root` names the ledger namespace (a declared
 * dataset's own name; a derived dataset joined to a declared one uses that one's, so it is no fresh
 * namespace), `keyColumns` the columns whose values identify a row across refreshes of the file: the
 * dictionary's record identifier, or every column of the source when it declares none.
 */
export interface DatasetLineage {
  root: string;
  keyColumns: string[];
  /** The source's columns: appended to the key where it repeats, so each record keeps its own identity. */
  contentColumns: string[];
}

/** The lineage of a declared dataset (or of a derived one with no declared source). */
export function ownLineage(dictionary: DataDictionary, root = dictionary.name): DatasetLineage {
  const ids = dictionary.columns.filter((c) => c.identifier);
  const all = dictionary.columns.map((c) => c.name);
  return { root, keyColumns: ids.length === 1 ? [ids[0]!.name] : all, contentColumns: all };
}

/**
 * One read of a run: the rows a filter selects, less those with a missing value in `notNull` or a zero in
 * `nonZero` (the rows the aggregate actually used), booked under a ledger key: a column whose values the
 * aggregate sums, or '#' for the selection behind its counts.
 */
interface Use {
  key: string;
  filter: Filter | undefined;
  notNull: string[];
  nonZero: string[];
}

/** The ledger key of the selection behind counts (no column can have this name). */
export const COUNT_KEY = '#';

export class DuckDbDataset implements DatasetHandle {
  private readonly specs: ReadonlyMap<string, ColumnSpec>;
  /** Reads of this run, by canonical description. */
  private readonly uses = new Map<string, Use>();
  readonly lineage: DatasetLineage;

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly table: string,
    readonly dictionary: DataDictionary,
    /** sha256 of the data file and dictionary: stable row ids are computed once per version. */
    readonly version: string,
    readonly rowCount: number,
    lineage?: DatasetLineage,
    /** Record sets per read, shared by every view of this (immutable) table. */
    private readonly selections = new Map<string, RecordSet>(),
  ) {
    this.specs = new Map(dictionary.columns.map((c) => [c.name, c]));
    this.lineage = lineage ?? ownLineage(dictionary);
  }

  /** A view of this dataset that remembers which rows a run used. */
  tracked(): DuckDbDataset {
    return new DuckDbDataset(
      this.conn,
      this.table,
      this.dictionary,
      this.version,
      this.rowCount,
      this.lineage,
      this.selections,
    );
  }

  private use(key: string, filter: Filter | undefined, notNull: string[] = [], nonZero: string[] = []) {
    const u: Use = { key, filter, notNull: [...notNull].sort(), nonZero: [...nonZero].sort() };
    this.uses.set(canonicalJson({ ...u, filter: u.filter ?? null }), u);
  }

  private async rowsOf(u: Use): Promise<RecordSet> {
    const cacheKey = canonicalJson({ filter: u.filter ?? null, notNull: u.notNull, nonZero: u.nonZero });
    const hit = this.selections.get(cacheKey);
    if (hit) return hit;
    const w = compileFilter(u.filter, this.specs, this.dictionary.name);
    const conds = [
      w.sql,
      ...u.notNull.map((c) => `${quoteIdent(c)} IS NOT NULL`),
      ...u.nonZero.map((c) => `${quoteIdent(c)} IS NOT NULL AND ${quoteIdent(c)} <> 0`),
    ];
    // the bitset is built in SQL, one byte per 8 rows, so only 1/8 of the row count crosses into JS
    const reader = await this.conn.runAndReadAll(
      `SELECT CAST(rowid // 8 AS INTEGER) AS b, CAST(bit_or(1 << CAST(rowid % 8 AS INTEGER)) AS INTEGER) AS m FROM ${this.table} WHERE ${conds.join(' AND ')} GROUP BY 1`,
      w.params,
    );
    const [bytes = [], masks = []] = reader.getColumnsJS() as number[][];
    const set = RecordSet.fromBytes(bytes, masks, this.rowCount);
    if (this.selections.size > 256) this.selections.clear();
    this.selections.set(cacheKey, set);
    return set;
  }

  /**
   * The rows this run used, per ledger key (a summed column, or {@link COUNT_KEY}), as sets of row ids
   * (empty when the dataset was not read).
   */
  async usage(): Promise<Map<string, RecordSet>> {
    const byKey = new Map<string, RecordSet[]>();
    for (const u of this.uses.values()) {
      const sets = byKey.get(u.key) ?? [];
      sets.push(await this.rowsOf(u));
      byKey.set(u.key, sets);
    }
    const out = new Map<string, RecordSet>();
    for (const [k, sets] of byKey) out.set(k, sets.length === 1 ? sets[0]! : RecordSet.union(sets));
    return out;
  }

  /**
   * Each row's identity before keying (row id and text): the values of the lineage's key columns, with the
   * whole row appended where the identifier repeats, so every record keeps its own identity.
   */
  async rowKeys(): Promise<{ rowids: number[]; keys: string[] }> {
    const content = (cols: string[]) =>
      `concat_ws(chr(31), ${cols.map((c) => `coalesce(CAST(${quoteIdent(c)} AS VARCHAR), chr(30))`).join(', ')})`;
    const key = content(this.lineage.keyColumns);
    const all = content(this.lineage.contentColumns);
    const reader = await this.conn.runAndReadAll(
      `SELECT CAST(rowid AS INTEGER), CASE WHEN count(*) OVER (PARTITION BY ${key}) > 1 THEN ${key} || chr(29) || ${all} ELSE ${key} END FROM ${this.table} ORDER BY rowid`,
    );
    const [rowids = [], keys = []] = reader.getColumnsJS() as [number[], string[]];
    return { rowids, keys };
  }

  column(name: string): ColumnSpec {
    const spec = this.specs.get(name);
    if (!spec)
      throw new FedhubError(
        'FH_ERR_UNKNOWN_COLUMN',
        `dataset "${this.dictionary.name}" has no column "${name}"`,
        { dataset: this.dictionary.name, column: name },
      );
    return spec;
  }

  /** A column that may be released in aggregates (not a record identifier). */
  private analysable(name: string): ColumnSpec {
    const spec = this.column(name);
    if (spec.identifier)
      throw new FedhubError(
        'FH_ERR_BAD_PARAMS',
        `column "${name}" of dataset "${this.dictionary.name}" is a record identifier and cannot be analysed`,
        { column: name },
      );
    return spec;
  }

  private where(filter: Filter | undefined) {
    return compileFilter(filter, this.specs, this.dictionary.name);
  }

  private async rows(sql: string, params: Param[]): Promise<unknown[][]> {
    const reader = await this.conn.runAndReadAll(sql, params);
    return reader.getRowsJS() as unknown[][];
  }

  async count(filter?: Filter): Promise<number> {
    const w = this.where(filter);
    this.use(COUNT_KEY, filter);
    const r = await this.rows(`SELECT count(*) FROM ${this.table} WHERE ${w.sql}`, w.params);
    return Number(r[0]![0]);
  }

  async moments(columns: string[], filter?: Filter): Promise<NumericMoments[]> {
    for (const c of columns) {
      const t = this.analysable(c).type;
      if (t !== 'numeric' && t !== 'integer')
        throw new FedhubError('FH_ERR_COLUMN_TYPE', `column "${c}" is ${t}, not numeric`, { column: c });
    }
    const w = this.where(filter);
    this.use(COUNT_KEY, filter);
    for (const c of columns) this.use(c, filter, [c]);
    // fsum is compensated (Kahan-Babuska); var_samp is DuckDB's streaming (Welford) variance.
    const select = columns
      .map((c) => {
        const q = quoteIdent(c);
        return `count(${q}), count(*) - count(${q}), fsum(${q}) / nullif(count(${q}), 0), coalesce(var_samp(${q}) * (count(${q}) - 1), 0)`;
      })
      .join(', ');
    const r = (await this.rows(`SELECT ${select} FROM ${this.table} WHERE ${w.sql}`, w.params))[0]!;
    return columns.map((column, i) => ({
      column,
      n: Number(r[4 * i]),
      missing: Number(r[4 * i + 1]),
      mean: r[4 * i + 2] === null ? 0 : Number(r[4 * i + 2]),
      m2: Number(r[4 * i + 3]),
    }));
  }

  async histogram(
    column: string,
    breaks: number[],
    filter?: Filter,
  ): Promise<{ counts: number[]; below: number; above: number }> {
    const t = this.analysable(column).type;
    if (t !== 'numeric' && t !== 'integer')
      throw new FedhubError('FH_ERR_COLUMN_TYPE', `column "${column}" is ${t}, not numeric`, { column });
    if (breaks.length < 2 || breaks.some((b) => !Number.isFinite(b)))
      throw new FedhubError('FH_ERR_BAD_PARAMS', 'histogram breaks must be finite numbers, at least two');
    const w = this.where(filter);
    this.use(column, filter, [column]);
    const q = quoteIdent(column);
    const k = breaks.length - 1;
    const params: Param[] = [...w.params];
    const p = (v: number) => {
      params.push(v);
      return `$${params.length}`;
    };
    const cases = [`WHEN ${q} < ${p(breaks[0]!)} THEN -1`, `WHEN ${q} > ${p(breaks[k]!)} THEN ${k}`];
    for (let i = 1; i < k; i++) cases.push(`WHEN ${q} < ${p(breaks[i]!)} THEN ${i - 1}`);
    cases.push(`ELSE ${k - 1}`);
    const r = await this.rows(
      `SELECT bin, count(*) FROM (SELECT CASE ${cases.join(' ')} END AS bin FROM ${this.table} WHERE ${w.sql} AND ${q} IS NOT NULL) GROUP BY bin`,
      params,
    );
    const counts = new Array<number>(k).fill(0);
    let below = 0;
    let above = 0;
    for (const [bin, n] of r) {
      const b = Number(bin);
      if (b === -1) below = Number(n);
      else if (b === k) above = Number(n);
      else counts[b] = Number(n);
    }
    return { counts, below, above };
  }

  async groupCounts(
    columns: string[],
    filter?: Filter,
  ): Promise<Array<{ levels: Array<string | null>; n: number }>> {
    const specs = columns.map((c) => this.analysable(c));
    const w = this.where(filter);
    // counts per level (missing is a level of its own) over the selection: the cells are the release
    // gate's; no value is summed
    this.use(COUNT_KEY, filter);
    // integers are stored as DOUBLE: print them without a decimal point
    const cols = specs
      .map((s) =>
        s.type === 'integer'
          ? `CAST(CAST(${quoteIdent(s.name)} AS BIGINT) AS VARCHAR)`
          : `CAST(${quoteIdent(s.name)} AS VARCHAR)`,
      )
      .join(', ');
    const r = await this.rows(
      `SELECT ${cols}, count(*) FROM ${this.table} WHERE ${w.sql} GROUP BY ALL ORDER BY ALL`,
      w.params,
    );
    return r.map((row) => ({
      levels: row.slice(0, columns.length).map((v) => (v === null ? null : String(v))),
      n: Number(row[columns.length]),
    }));
  }

  async readColumns(
    columns: string[],
    filter?: Filter,
    opts: {
      allowMissing?: string[];
      knownValues?: Record<string, readonly string[]>;
      weights?: string;
      groupKeys?: string[];
      shared?: boolean;
    } = {},
  ): Promise<{ n: number; data: ColumnData }> {
    const specs = columns.map((c) => (opts.groupKeys?.includes(c) ? this.column(c) : this.analysable(c)));
    const w = this.where(filter);
    const required = columns.filter((c) => !opts.allowMissing?.includes(c));
    // the values summed: the rows read, less those a zero weight leaves out of every sum; the counts: the
    // selection (so every round of a model books the same, whatever the round reads)
    const nonZero = opts.weights ? [opts.weights] : [];
    this.use(COUNT_KEY, filter);
    for (const c of columns) this.use(c, filter, required, nonZero);
    const notNull = required.length
      ? required.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ')
      : 'TRUE';
    // Numbers come out as DOUBLE with NaN for missing, so each chunk's vector is a Float64Array copied in one
    // go; text columns with few distinct values come out as a level code (the values looked up first), so no
    // string is decoded per row and equal values share one JS string; the codes, one or two bytes per row,
    // ride along with the strings.
    const levels = new Map<string, string[] | null>();
    for (const s of specs) {
      if (s.type === 'numeric' || s.type === 'integer' || s.type === 'boolean') continue;
      const known = opts.knownValues?.[s.name];
      if (known && known.length <= MAX_CODED_LEVELS) {
        // a superset of the values is as good a code list: a value not present just has no rows
        levels.set(s.name, [...known].sort());
        continue;
      }
      const r = await this.rows(
        `SELECT DISTINCT CAST(${quoteIdent(s.name)} AS VARCHAR) AS v FROM ${this.table} WHERE ${w.sql} AND ${notNull} AND ${quoteIdent(s.name)} IS NOT NULL ORDER BY v`,
        w.params,
      );
      // list_position is a linear search: many-valued columns are read as text instead
      levels.set(s.name, r.length <= MAX_CODED_LEVELS ? r.map((row) => String(row[0])) : null);
    }
    const select = specs
      .map((s) => {
        const q = quoteIdent(s.name);
        if (!levels.has(s.name)) return `coalesce(CAST(${q} AS DOUBLE), 'NaN'::DOUBLE)`;
        const lv = levels.get(s.name);
        if (!lv) return `CAST(${q} AS VARCHAR)`;
        // 0 for missing, else the 1-based position among the sorted distinct values: one byte per row
        // where the levels allow (at most 255), else two
        return `CAST(coalesce(list_position([${lv.map(sqlString).join(', ')}]::VARCHAR[], CAST(${q} AS VARCHAR)), 0) AS ${lv.length <= 255 ? 'UTINYINT' : 'USMALLINT'})`;
      })
      .join(', ');
    // the record id of each row rides along (last column), so that cells over subsets of these rows can
    // be declared to the privacy ledger (see ROW_IDS)
    const result = await this.conn.run(
      `SELECT ${select}, CAST(rowid AS INTEGER) FROM ${this.table} WHERE ${w.sql} AND ${notNull}`,
      w.params,
    );
    const chunks: DuckDBDataChunk[] = [];
    let n = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      chunks.push(chunk);
      n += chunk.rowCount;
    }
    // each column copied chunk by chunk from DuckDB's vectors into one typed array
    const gather = <T extends Float64Array | Int32Array | Uint8Array | Uint16Array>(i: number, out: T): T => {
      let at = 0;
      for (const chunk of chunks) {
        out.set(vectorItems(chunk.getColumnVector(i), chunk.rowCount, out), at);
        at += chunk.rowCount;
      }
      return out;
    };
    const ids = gather(specs.length, new Int32Array(n));
    const data: ColumnData = withRowIds({}, { dataset: this.dictionary.name, ids });
    specs.forEach((s, i) => {
      const lv = levels.get(s.name);
      if (lv === null) {
        const out: Array<string | null> = [];
        for (const chunk of chunks)
          for (const v of chunk.getColumnValues(i)) out.push(v === null ? null : String(v));
        data[s.name] = out;
        return;
      }
      if (!lv) {
        data[s.name] = gather(
          i,
          opts.shared ? new Float64Array(new SharedArrayBuffer(8 * n)) : new Float64Array(n),
        );
        return;
      }
      const codes = gather(i, lv.length <= 255 ? new Uint8Array(n) : new Uint16Array(n));
      const names = [null, ...lv];
      const out = new Array<string | null>(n);
      for (let j = 0; j < n; j++) out[j] = names[codes[j]!]!;
      // the codes ride along, so a design matrix maps them without a lookup per row
      Object.defineProperty(out, CODED_LEVELS, { value: { codes, levels: lv } satisfies CodedLevels });
      data[s.name] = out;
    });
    return { n, data };
  }
}

/**
 * The values of a result vector of a fixed-width number type (DOUBLE, INTEGER, UTINYINT, USMALLINT, with no
 * NULL: the queries coalesce them). The vector classes keep them as a typed array over DuckDB's memory (not
 * part of their typed surface, hence the narrowing); copied value by value should that ever change.
 */
function vectorItems<T extends Float64Array | Int32Array | Uint8Array | Uint16Array>(
  v: DuckDBVector,
  count: number,
  like: T,
): ArrayLike<number> {
  const items = (v as unknown as { items?: unknown }).items;
  if (items && items.constructor === like.constructor && (items as T).length === count) return items as T;
  const out = new Float64Array(count);
  for (let j = 0; j < count; j++) out[j] = Number(v.getItem(j) ?? Number.NaN);
  return out;
}
