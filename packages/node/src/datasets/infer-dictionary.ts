/**
 * Proposes a data dictionary for a CSV or Parquet file from DuckDB's type sniffing: integers and doubles
 * become numeric columns, text with few distinct values categorical (levels listed), text with many
 * distinct values or named like an identifier a record identifier. A data officer reviews and edits the
 * proposal before a real node serves the data; `fedhub simulate` uses it as is on local files.
 *
 * Two steps, usable apart: {@link sniffColumns} reads only the sniffer's sample (types), and
 * {@link completeDictionary} lists the levels of the text columns with one pass over a relation, the file
 * itself ({@link inferDictionary}) or, when the dataset store infers while it loads, the loaded table, so
 * the file is parsed once.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type ColumnSpec, FedhubError } from '@fedhub/protocol';
import { quoteIdent } from './sql-filter.js';

const MAX_LEVELS = 50;

/** A column as DuckDB's sniffer typed it (upper-case SQL type name). */
export interface SniffedColumn {
  name: string;
  sqlType: string;
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;
const DOUBLE = /^(DOUBLE|FLOAT|REAL|DECIMAL.*)$/;
/** Named like a record identifier: never listed as levels, whatever its number of values. */
const IDENTIFIER_NAME = /(^|_)(id|key|mrn|pseudonym)$/i;

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * The relation DuckDB reads the file as (CSV with a header, '' and NA missing; or Parquet); `wholeFile`:
 * the CSV sniffer reads every row, not a sample, to type the columns.
 */
export function fileRelation(file: string, format: 'csv' | 'parquet', wholeFile = false): string {
  return format === 'csv'
    ? `read_csv(${sqlString(file)}, header = true, nullstr = ['', 'NA']${wholeFile ? ', sample_size = -1' : ''})`
    : `read_parquet(${sqlString(file)})`;
}

/**
 * Column names and the sniffer's types, from its sample of the file (or every row, `wholeFile`); names
 * must be usable in formulas.
 */
export async function sniffColumns(
  conn: DuckDBConnection,
  file: string,
  format: 'csv' | 'parquet',
  wholeFile = false,
): Promise<SniffedColumn[]> {
  let described: unknown[][];
  try {
    described = (
      await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${fileRelation(file, format, wholeFile)}`)
    ).getRowsJS() as unknown[][];
  } catch (err) {
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `cannot read ${file}: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const cols = described.map(([n, t]) => ({ name: String(n), sqlType: String(t).toUpperCase() }));
  for (const c of cols)
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(c.name))
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `${file}: column name "${c.name}" is not usable (letters, digits and _ only, starting with a letter or _)`,
      );
  return cols;
}

/**
 * The dictionary's type of each sniffed column, text columns as categorical without levels yet (what a
 * typed load needs; {@link completeDictionary} adds the levels).
 */
export function provisionalColumns(cols: SniffedColumn[]): ColumnSpec[] {
  return cols.map(({ name, sqlType }): ColumnSpec => {
    if (INTEGER.test(sqlType)) return { name, type: 'integer' };
    if (DOUBLE.test(sqlType)) return { name, type: 'numeric' };
    if (sqlType === 'BOOLEAN') return { name, type: 'boolean' };
    if (sqlType === 'DATE') return { name, type: 'date' };
    return { name, type: 'categorical' };
  });
}

/**
 * Lists the levels of the categorical columns of `columns` with one pass over `relation` (a table or
 * `read_csv(...)`): the most frequent MAX_LEVELS + 1 values of every such column. The sketch keeps several
 * times k counters, so while a column has at most MAX_LEVELS distinct values it holds every one of them;
 * more than MAX_LEVELS back means many-valued, and the column becomes a record identifier, as does a column
 * named like one (not counted at all).
 */
export async function completeDictionary(
  conn: DuckDBConnection,
  columns: ColumnSpec[],
  relation: string,
): Promise<ColumnSpec[]> {
  const text = columns.filter((c) => c.type === 'categorical' && !IDENTIFIER_NAME.test(c.name));
  const distinct = new Map<string, string[] | null>();
  if (text.length > 0) {
    const row = (
      await conn.runAndReadAll(
        `SELECT ${text.map((c) => `approx_top_k(CAST(${quoteIdent(c.name)} AS VARCHAR), ${MAX_LEVELS + 1})`).join(', ')} FROM ${relation}`,
      )
    ).getRowsJS()[0] as unknown[][];
    text.forEach((c, k) => {
      const values = (row[k] ?? []).filter((v) => v !== null).map(String);
      distinct.set(c.name, values.length > MAX_LEVELS ? null : values.sort());
    });
  }
  return columns.map((c): ColumnSpec => {
    if (c.type !== 'categorical') return c;
    const levels = distinct.get(c.name);
    return levels
      ? { name: c.name, type: 'categorical', levels }
      : { name: c.name, type: 'categorical', identifier: true };
  });
}

/** Proposes a dictionary for the file (reads it once for the levels of text columns). */
export async function inferDictionary(
  file: string,
  format: 'csv' | 'parquet' = file.toLowerCase().endsWith('.parquet') ? 'parquet' : 'csv',
): Promise<ColumnSpec[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  try {
    const cols = provisionalColumns(await sniffColumns(conn, file, format));
    return await completeDictionary(conn, cols, fileRelation(file, format));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
