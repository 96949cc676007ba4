/**
 * Datasets computed at the node (radiomics features per patient and ROI, ...) stored as DuckDB tables beside
 * the declared ones, so that the same typed, disclosure-checked handles serve them to glm, coxph or
 * validate. Optionally joined to a declared dataset by the patient key, giving one table with the
 * outcomes and the derived covariates.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DerivedDataset } from '@fedhub/algorithms';
import { type ColumnSpec, canonicalJson, DataDictionarySchema, FedhubError } from '@fedhub/protocol';
import { DuckDbDataset } from './duckdb-dataset.js';
import { quoteIdent } from './sql-filter.js';

const SQL_TYPE: Record<ColumnSpec['type'], string> = {
  numeric: 'DOUBLE',
  integer: 'DOUBLE',
  categorical: 'VARCHAR',
  boolean: 'BOOLEAN',
  date: 'DATE',
};

/** Non-finite values (e.g. a feature undefined for a uniform ROI) are missing, as in the table. */
function finiteOrNull(row: Record<string, number | string | null>): Record<string, number | string | null> {
  const out: Record<string, number | string | null> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'number' && !Number.isFinite(v) ? null : v;
  return out;
}

function bad(d: DerivedDataset, what: string): never {
  throw new FedhubError('FH_ERR_VALIDATION', `derived dataset "${d.name}": ${what}`, { dataset: d.name });
}

/**
 * Creates (or replaces) the table of `d` and returns its dataset handle. `existing` resolves the dataset
 * named in `d.join`; the table name must not be a declared dataset's.
 */
export async function createDerivedDataset(
  conn: DuckDBConnection,
  d: DerivedDataset,
  existing: (name: string) => DuckDbDataset,
): Promise<DuckDbDataset> {
  const parsed = DataDictionarySchema.safeParse({
    name: d.name,
    ...(d.description ? { description: d.description } : {}),
    columns: d.columns,
  });
  if (!parsed.success) bad(d, `invalid dictionary (${parsed.error.issues[0]?.message})`);
  const keys = d.columns.filter((c) => c.identifier);
  if (keys.length !== 1) bad(d, 'exactly one column must be the record key (identifier)');
  const key = keys[0] as ColumnSpec;
  const staging = quoteIdent(`derived_rows_${d.name}`);
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${staging} (${d.columns.map((c) => `${quoteIdent(c.name)} ${c.identifier ? 'VARCHAR' : SQL_TYPE[c.type]}`).join(', ')})`,
  );
  const appender = await conn.createAppender(`derived_rows_${d.name}`);
  for (const row of d.rows) {
    for (const c of d.columns) {
      const v = row[c.name];
      if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)))
        appender.appendNull();
      else if (c.identifier || c.type === 'categorical') appender.appendVarchar(String(v));
      else if (c.type === 'numeric' || c.type === 'integer') appender.appendDouble(Number(v));
      else bad(d, `column "${c.name}": type ${c.type} is not supported in derived datasets`);
    }
    appender.endRow();
  }
  appender.closeSync();
  const table = quoteIdent(`ds_${d.name}`);
  let dictionary = parsed.data;
  if (d.join) {
    const base = existing(d.join.dataset);
    const joinCol = base.column(d.join.column);
    const clash = d.columns.filter(
      (c) => c !== key && base.dictionary.columns.some((b) => b.name === c.name),
    );
    if (clash.length > 0)
      bad(d, `columns ${clash.map((c) => `"${c.name}"`).join(', ')} exist in "${d.join.dataset}" too`);
    const baseTable = quoteIdent(`ds_${d.join.dataset}`);
    await conn.run(
      `CREATE OR REPLACE TABLE ${table} AS SELECT b.*, ${d.columns
        .filter((c) => c !== key)
        .map((c) => `f.${quoteIdent(c.name)}`)
        .join(
          ', ',
        )} FROM ${baseTable} b JOIN ${staging} f ON CAST(b.${quoteIdent(joinCol.name)} AS VARCHAR) = f.${quoteIdent(key.name)} ORDER BY b.rowid`,
    );
    dictionary = {
      ...dictionary,
      columns: [...base.dictionary.columns, ...d.columns.filter((c) => c !== key)],
    };
  } else {
    await conn.run(`CREATE OR REPLACE TABLE ${table} AS SELECT * FROM ${staging}`);
  }
  await conn.run(`DROP TABLE ${staging}`);
  const rows = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRowsJS()[0]?.[0] ?? 0);
  const version = createHash('sha256')
    .update(canonicalJson({ dictionary, rows: d.rows.map(finiteOrNull), join: d.join ?? null }))
    .digest('hex');
  return new DuckDbDataset(conn, table, dictionary, version, rows);
}
