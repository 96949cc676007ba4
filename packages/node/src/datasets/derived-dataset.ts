/**
 * Datasets computed at the node (radiomics features per patient and ROI, ...) stored as DuckDB tables beside
 * the declared ones, so that the same typed, disclosure-checked handles serve them to glm, coxph or
 * validate. Optionally joined to a declared dataset by the patient key, giving one table with the
 * outcomes and the derived covariates.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DerivedDataset } from '@fedhub/algorithms';
import {
  type ColumnSpec,
  canonicalJson,
  type DataDictionary,
  DataDictionarySchema,
  FedhubError,
} from '@fedhub/protocol';
import { type DatasetLineage, DuckDbDataset, ownLineage } from './duckdb-dataset.js';
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

function bad(d: { name: string }, what: string): never {
  throw new FedhubError('FH_ERR_VALIDATION', `derived dataset "${d.name}": ${what}`, { dataset: d.name });
}

/** What is kept of a derived dataset besides its rows (`<name>.json` beside `<name>.parquet`). */
type DerivedSpec = Omit<DerivedDataset, 'rows'>;

function validate(d: DerivedSpec): { dictionary: DataDictionary; key: ColumnSpec } {
  const parsed = DataDictionarySchema.safeParse({
    name: d.name,
    ...(d.description ? { description: d.description } : {}),
    columns: d.columns,
  });
  if (!parsed.success) bad(d, `invalid dictionary (${parsed.error.issues[0]?.message})`);
  const keys = d.columns.filter((c) => c.identifier);
  if (keys.length !== 1) bad(d, 'exactly one column must be the record key (identifier)');
  for (const c of d.columns)
    if (!c.identifier && !['numeric', 'integer', 'categorical'].includes(c.type))
      bad(d, `column "${c.name}": type ${c.type} is not supported in derived datasets`);
  return { dictionary: parsed.data, key: keys[0] as ColumnSpec };
}

/** The ledger namespace of derived datasets not joined to a declared one (computed from images). */
export const IMAGING_ROOT = '@imaging';

const stagingOf = (name: string) => `derived_rows_${name}`;

/**
 * Builds the dataset's table from its staged rows: as they are, or joined to the declared dataset named in
 * `d.join` (its rows, in its order and after its consent opt-outs, with the derived columns added).
 */
async function materialise(
  conn: DuckDBConnection,
  d: DerivedSpec,
  existing: (name: string) => DuckDbDataset,
  hash: Hash,
): Promise<DuckDbDataset> {
  const { dictionary: own, key } = validate(d);
  const staging = quoteIdent(stagingOf(d.name));
  const table = quoteIdent(`ds_${d.name}`);
  let dictionary = own;
  // rows joined to a declared dataset are its rows: same ledger namespace and row identity; otherwise the
  // rows come from the imaging store, keyed by their record key, in one namespace for every such dataset
  let lineage: DatasetLineage = ownLineage(own, IMAGING_ROOT);
  if (d.join) {
    const base = existing(d.join.dataset);
    const joinCol = base.column(d.join.column);
    const added = d.columns.filter((c) => c !== key);
    const clash = added.filter((c) => base.dictionary.columns.some((b) => b.name === c.name));
    if (clash.length > 0)
      bad(d, `columns ${clash.map((c) => `"${c.name}"`).join(', ')} exist in "${d.join.dataset}" too`);
    await conn.run(
      `CREATE OR REPLACE TABLE ${table} AS SELECT b.*, ${added.map((c) => `f.${quoteIdent(c.name)}`).join(', ')}
       FROM ${quoteIdent(`ds_${d.join.dataset}`)} b JOIN ${staging} f
       ON CAST(b.${quoteIdent(joinCol.name)} AS VARCHAR) = f.${quoteIdent(key.name)} ORDER BY b.rowid`,
    );
    dictionary = { ...own, columns: [...base.dictionary.columns, ...added] };
    lineage = base.lineage;
    // A change of the outcome data (or of its opt-outs) is a new version of the joined dataset too.
    hash.update(base.version);
  } else {
    await conn.run(`CREATE OR REPLACE TABLE ${table} AS SELECT * FROM ${staging}`);
  }
  await conn.run(`DROP TABLE ${staging}`);
  const rows = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRowsJS()[0]?.[0] ?? 0);
  hash.update(canonicalJson({ dictionary, join: d.join ?? null }));
  return new DuckDbDataset(conn, table, dictionary, hash.digest('hex'), rows, lineage);
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * Creates (or replaces) the table of `d` and returns its dataset handle. `existing` resolves the dataset
 * named in `d.join`. With `persistDir`, the rows (Parquet) and the spec (JSON) are kept there, so that
 * the dataset survives a restart of the node (see loadPersistedDerived).
 */
export async function createDerivedDataset(
  conn: DuckDBConnection,
  d: DerivedDataset,
  existing: (name: string) => DuckDbDataset,
  opts: { persistDir?: string } = {},
): Promise<DuckDbDataset> {
  validate(d);
  const staging = stagingOf(d.name);
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${quoteIdent(staging)} (${d.columns.map((c) => `${quoteIdent(c.name)} ${c.identifier ? 'VARCHAR' : SQL_TYPE[c.type]}`).join(', ')})`,
  );
  const appender = await conn.createAppender(staging);
  for (const row of d.rows) {
    for (const c of d.columns) {
      const v = row[c.name];
      if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)))
        appender.appendNull();
      else if (c.identifier || c.type === 'categorical') appender.appendVarchar(String(v));
      else appender.appendDouble(Number(v));
    }
    appender.endRow();
  }
  appender.closeSync();
  const { rows, ...spec } = d;
  const rowsSha256 = createHash('sha256')
    .update(canonicalJson(rows.map(finiteOrNull)))
    .digest('hex');
  if (opts.persistDir) {
    mkdirSync(opts.persistDir, { recursive: true, mode: 0o700 });
    const file = join(opts.persistDir, `${d.name}.parquet`);
    await conn.run(`COPY ${quoteIdent(staging)} TO ${sqlString(`${file}.tmp`)} (FORMAT parquet)`);
    renameSync(`${file}.tmp`, file);
    writeFileSync(`${join(opts.persistDir, d.name)}.json.tmp`, JSON.stringify({ ...spec, rowsSha256 }), {
      mode: 0o600,
    });
    renameSync(`${join(opts.persistDir, d.name)}.json.tmp`, `${join(opts.persistDir, d.name)}.json`);
  }
  return materialise(conn, spec, existing, createHash('sha256').update(rowsSha256));
}

/**
 * Loads the derived datasets kept in `dir` (after the declared datasets, which joined ones depend on).
 * One that cannot be rebuilt (its outcome dataset is gone, say) is skipped and reported.
 */
export async function loadPersistedDerived(
  conn: DuckDBConnection,
  dir: string,
  existing: (name: string) => DuckDbDataset,
): Promise<Array<{ name: string; dataset?: DuckDbDataset; problem?: string }>> {
  if (!existsSync(dir)) return [];
  const out: Array<{ name: string; dataset?: DuckDbDataset; problem?: string }> = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    const name = f.slice(0, -'.json'.length);
    try {
      const { rowsSha256, ...spec } = JSON.parse(readFileSync(join(dir, f), 'utf8')) as DerivedSpec & {
        rowsSha256: string;
      };
      if (spec.name !== name) throw new Error(`${f} names dataset "${spec.name}"`);
      const file = join(dir, `${name}.parquet`);
      await conn.run(
        `CREATE OR REPLACE TEMP TABLE ${quoteIdent(stagingOf(name))} AS SELECT * FROM read_parquet(${sqlString(file)})`,
      );
      // The same version as before the restart: the privacy ledger compares record sets within a version.
      out.push({
        name,
        dataset: await materialise(conn, spec, existing, createHash('sha256').update(rowsSha256)),
      });
    } catch (err) {
      out.push({ name, problem: (err as Error).message.split('\n')[0] ?? String(err) });
    }
  }
  return out;
}
