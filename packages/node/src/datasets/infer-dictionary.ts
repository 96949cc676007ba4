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
    await conn.run(`CREATE TEMP TABLE t AS SELECT * FROM ${src}`);
    const out: ColumnSpec[] = [];
    for (const [nameRaw, typeRaw] of described) {
      const name = String(nameRaw);
      const type = String(typeRaw).toUpperCase();
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name))
        throw new FedhubError(
          'FH_ERR_VALIDATION',
          `${file}: column name "${name}" is not usable (letters, digits and _ only, starting with a letter or _)`,
        );
      const q = quoteIdent(name);
      if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(type)) {
        out.push({ name, type: 'integer' });
      } else if (/^(DOUBLE|FLOAT|REAL|DECIMAL.*)$/.test(type)) {
        out.push({ name, type: 'numeric' });
      } else if (type === 'BOOLEAN') {
        out.push({ name, type: 'boolean' });
      } else if (type === 'DATE') {
        out.push({ name, type: 'date' });
      } else {
        const distinct = Number(
          (await conn.runAndReadAll(`SELECT count(DISTINCT ${q}) FROM t`)).getRowsJS()[0]![0],
        );
        if (/(^|_)(id|key|mrn|pseudonym)$/i.test(name) || distinct > MAX_LEVELS)
          out.push({ name, type: 'categorical', identifier: true });
        else {
          const levels = (
            await conn.runAndReadAll(
              `SELECT DISTINCT CAST(${q} AS VARCHAR) AS v FROM t WHERE ${q} IS NOT NULL ORDER BY v`,
            )
          )
            .getRowsJS()
            .map((r) => String(r[0]));
          out.push({ name, type: 'categorical', levels });
        }
      }
    }
    return out;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
