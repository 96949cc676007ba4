/**
 * Proposes a data dictionary for a CSV or Parquet file from DuckDB's type sniffing: integers and doubles
 * become numeric columns, text with few distinct values categorical (levels listed), text with many
 * distinct values or named like an identifier a record identifier. A data officer reviews and edits the
 * proposal before a real node serves the data; `fedhub simulate` uses it as is on local files.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { type ColumnSpec, FedhubError } from '@fedhub/protocol';
import { quoteIdent } from './sql-filter.js';

const MAX_LEVELS = 50;

export async function inferDictionary(
  file: string,
  format: 'csv' | 'parquet' = file.toLowerCase().endsWith('.parquet') ? 'parquet' : 'csv',
): Promise<ColumnSpec[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  try {
    const src =
      format === 'csv'
        ? `read_csv('${file.replaceAll("'", "''")}', header = true, nullstr = ['', 'NA'])`
        : `read_parquet('${file.replaceAll("'", "''")}')`;
    let described: unknown[][];
    try {
      described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`)).getRowsJS() as unknown[][];
    } catch (err) {
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `cannot read ${file}: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    const cols = described.map(([n, t]) => ({ name: String(n), type: String(t).toUpperCase() }));
    for (const c of cols)
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(c.name))
        throw new FedhubError(
          'FH_ERR_VALIDATION',
          `${file}: column name "${c.name}" is not usable (letters, digits and _ only, starting with a letter or _)`,
        );
    const isText = (t: string) =>
      !/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|DOUBLE|FLOAT|REAL|DECIMAL.*|BOOLEAN|DATE)$/.test(
        t,
      );
    const text = cols.filter((c) => isText(c.type));
    // One pass over the file (the types above come from the sniffer's sample): the most frequent
    // MAX_LEVELS + 1 values of every text column. The sketch keeps several times k counters, so while a column
    // has at most MAX_LEVELS distinct values it holds every one of them; more than MAX_LEVELS back means
    // many-valued.
    const distinct = new Map<string, string[] | null>();
    if (text.length > 0) {
      const row = (
        await conn.runAndReadAll(
          `SELECT ${text.map((c) => `approx_top_k(CAST(${quoteIdent(c.name)} AS VARCHAR), ${MAX_LEVELS + 1})`).join(', ')} FROM ${src}`,
        )
      ).getRowsJS()[0] as unknown[][];
      text.forEach((c, k) => {
        const values = (row[k] ?? []).filter((v) => v !== null).map(String);
        distinct.set(c.name, values.length > MAX_LEVELS ? null : values.sort());
      });
    }
    const out: ColumnSpec[] = [];
    for (const { name, type } of cols) {
      if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(type))
        out.push({ name, type: 'integer' });
      else if (/^(DOUBLE|FLOAT|REAL|DECIMAL.*)$/.test(type)) out.push({ name, type: 'numeric' });
      else if (type === 'BOOLEAN') out.push({ name, type: 'boolean' });
      else if (type === 'DATE') out.push({ name, type: 'date' });
      else {
        const levels = distinct.get(name);
        if (/(^|_)(id|key|mrn|pseudonym)$/i.test(name) || !levels || levels.length > MAX_LEVELS)
          out.push({ name, type: 'categorical', identifier: true });
        else out.push({ name, type: 'categorical', levels });
      }
    }
    return out;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
