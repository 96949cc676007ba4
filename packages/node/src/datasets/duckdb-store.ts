/**
 * Loads the node's declared datasets into DuckDB once at start (CSV is converted to DuckDB's columnar
 * table; aggregates then run in SQL), validating every value against the data dictionary.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { DerivedDataset } from '@fedhub/algorithms';
import { type ColumnSpec, canonicalJson, type DataDictionary, FedhubError } from '@fedhub/protocol';
import type { ResolvedDataset } from '../config.js';
import type { DuckDbDataset } from './duckdb-dataset.js';
import { completeDictionary, provisionalColumns, sniffColumns } from './infer-dictionary.js';
import { quoteIdent } from './sql-filter.js';

/**
 * The modules that read a loaded table (algorithms' and stats' code behind them), imported once the files
 * are loading: `fedhub simulate` starts DuckDB's parse before the rest of the node is imported, so what
 * must be loaded first is DuckDB and the loader alone.
 */
const readerModules = () =>
  Promise.all([import('./duckdb-dataset.js'), import('./derived-dataset.js')]).then(([dataset, derived]) => ({
    DuckDbDataset: dataset.DuckDbDataset,
    createDerivedDataset: derived.createDerivedDataset,
    loadPersistedDerived: derived.loadPersistedDerived,
  }));
type ReaderModules = Awaited<ReturnType<typeof readerModules>>;

const SQL_TYPE: Record<ColumnSpec['type'], string> = {
  numeric: 'DOUBLE',
  integer: 'DOUBLE',
  categorical: 'VARCHAR',
  boolean: 'BOOLEAN',
  date: 'DATE',
};

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

export interface LoadReport {
  dataset: string;
  rows: number;
  excluded: number;
  /** Records removed because the patient objected (consent opt-out list). */
  optedOut: number;
  problems: string[];
}

/**
 * A dataset to load: as declared in the node config, or with `columns: 'infer'`, its dictionary proposed
 * from the file while it loads (`fedhub simulate` on a researcher's own files): the sniffer's types, the
 * levels of text columns counted over the loaded table, so the file is parsed once.
 */
export type StoreDataset = Omit<ResolvedDataset, 'columns'> & {
  columns: ResolvedDataset['columns'] | 'infer';
};

export class DatasetStore {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly datasets: Map<string, DuckDbDataset>,
    readonly reports: LoadReport[],
    private readonly readers: ReaderModules,
    private readonly derivedDir?: string,
  ) {}

  /** Value ranges of the declared datasets, read once (their tables do not change once loaded). */
  private readonly ranges = new Map<string, Promise<Record<string, { min: number; max: number }>>>();

  /** Names of the datasets computed at the node (see registerDerived). */
  private readonly derived = new Set<string>();

  /** Opens an in-memory DuckDB and loads every dataset; throws naming the dataset, column and problem. */
  static async open(
    declared: StoreDataset[],
    opts: {
      threads?: number;
      /** Where derived datasets are kept between runs of the node (none: they live in memory only). */
      derivedDir?: string;
    } = {},
  ): Promise<DatasetStore> {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(opts.threads ?? 2),
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const conn = await instance.connect();
    const map = new Map<string, DuckDbDataset>();
    const reports: LoadReport[] = [];
    let readers: ReaderModules;
    try {
      // imported while DuckDB parses (a failed import is awaited below, not left unhandled)
      const importing = readerModules();
      importing.catch(() => {});
      for (const declaredDataset of declared) {
        let d = await resolveColumns(conn, declaredDataset);
        let report: LoadReport;
        try {
          report = await loadOne(conn, d, declaredDataset.columns === 'infer');
        } catch (err) {
          if (declaredDataset.columns !== 'infer' || !(err instanceof FedhubError)) throw err;
          // the sniffer's sample missed a value of another type (a fraction far down a column of whole
          // numbers): type the columns from every row and load again
          d = { ...d, columns: provisionalColumns(await sniffColumns(conn, d.file, d.format, true)) };
          report = await loadOne(conn, d, true);
        }
        reports.push(report);
        if (declaredDataset.columns === 'infer')
          d.columns = await completeDictionary(conn, d.columns, tableName(d.name));
        const dictionary = {
          name: d.name,
          ...(d.description ? { description: d.description } : {}),
          columns: d.columns,
        };
        // a change of the opt-out list changes what may be read: a new version of the dataset
        const version = await datasetVersion(
          d.file,
          dictionary,
          d.optOut ? optOutIds(d.name, d.optOut).sort() : [],
        );
        const { DuckDbDataset } = await importing;
        map.set(d.name, new DuckDbDataset(conn, tableName(d.name), dictionary, version, report.rows));
      }
      readers = await importing;
    } catch (err) {
      conn.closeSync();
      instance.closeSync();
      throw err;
    }
    const store = new DatasetStore(instance, conn, map, reports, readers, opts.derivedDir);
    if (opts.derivedDir) {
      for (const r of await readers.loadPersistedDerived(conn, opts.derivedDir, (name) => store.get(name))) {
        if (r.dataset && !map.has(r.name)) {
          map.set(r.name, r.dataset);
          store.derived.add(r.name);
        }
        reports.push({
          dataset: r.name,
          rows: r.dataset?.rowCount ?? 0,
          excluded: 0,
          optedOut: 0,
          problems: r.problem
            ? [`derived dataset not restored: ${r.problem}`]
            : r.dataset && map.get(r.name) !== r.dataset
              ? ['derived dataset not restored: a declared dataset has its name']
              : [],
        });
      }
    }
    return store;
  }

  /** Data dictionaries of every dataset, as published to the hub. */
  dictionaries(): DataDictionary[] {
    return [...this.datasets.values()].map((d) => d.dictionary);
  }

  /**
   * Stores a dataset computed at the node (e.g. radiomics features), replacing an earlier derived dataset of
   * the same name; a declared dataset is never replaced.
   */
  async registerDerived(d: DerivedDataset): Promise<{ rows: number }> {
    if (this.datasets.has(d.name) && !this.derived.has(d.name))
      throw new FedhubError(
        'FH_ERR_ALREADY_EXISTS',
        `dataset "${d.name}" is declared in the node config: choose another name for the derived dataset`,
        { dataset: d.name },
      );
    const ds = await this.readers.createDerivedDataset(this.conn, d, (name) => this.get(name), {
      ...(this.derivedDir ? { persistDir: this.derivedDir } : {}),
    });
    this.datasets.set(d.name, ds);
    this.derived.add(d.name);
    this.ranges.delete(d.name);
    return { rows: ds.rowCount };
  }

  /**
   * The smallest and largest value of every numeric and integer column of a dataset. For `fedhub
   * simulate` only, whose files are all the user's own on one machine: it declares these as ranges so
   * that the simulated nodes share one dictionary. A node never publishes its extremes. Read once per
   * dataset (a derived dataset registered again is read again).
   */
  valueRanges(name: string): Promise<Record<string, { min: number; max: number }>> {
    let ranges = this.ranges.get(name);
    if (!ranges) {
      ranges = this.readRanges(name);
      this.ranges.set(name, ranges);
      // a failed read is not kept: the caller sees its error, the next call reads again
      ranges.catch(() => this.ranges.delete(name));
    }
    return ranges;
  }

  private async readRanges(name: string): Promise<Record<string, { min: number; max: number }>> {
    const d = this.get(name);
    const cols = d.dictionary.columns.filter((c) => c.type === 'numeric' || c.type === 'integer');
    if (cols.length === 0) return {};
    const row = (
      await this.conn.runAndReadAll(
        `SELECT ${cols.map((c, i) => `min(${quoteIdent(c.name)})::DOUBLE AS lo${i}, max(${quoteIdent(c.name)})::DOUBLE AS hi${i}`).join(', ')} FROM ${tableName(name)}`,
      )
    ).getRowObjectsJS()[0] as Record<string, number | null>;
    const out: Record<string, { min: number; max: number }> = {};
    cols.forEach((c, i) => {
      const lo = row[`lo${i}`];
      const hi = row[`hi${i}`];
      if (lo !== null && lo !== undefined && hi !== null && hi !== undefined)
        out[c.name] = { min: lo, max: hi };
    });
    return out;
  }

  /**
   * Declares a wider dictionary for a loaded dataset: the same columns and types, levels that include
   * the old ones, ranges that hold every value. For `fedhub simulate`, whose nodes must share one
   * dictionary (levels and ranges come from it, and masked vectors only sum over one layout).
   */
  async widenDictionary(name: string, columns: ColumnSpec[]): Promise<void> {
    const d = this.get(name);
    const ranges = await this.valueRanges(name);
    const bad = (why: string) =>
      new FedhubError('FH_ERR_VALIDATION', `dataset "${name}": the wider dictionary ${why}`);
    if (columns.length !== d.dictionary.columns.length) throw bad('has other columns');
    for (const old of d.dictionary.columns) {
      const c = columns.find((x) => x.name === old.name);
      // integer to numeric widens (a whole number is a number); nothing else changes type
      if (!c || (c.type !== old.type && !(old.type === 'integer' && c.type === 'numeric')))
        throw bad(`changes column "${old.name}"`);
      if (old.levels && c.levels && !old.levels.every((l) => c.levels!.includes(l)))
        throw bad(`drops levels of "${old.name}"`);
      const r = ranges[old.name];
      if (r && ((c.min !== undefined && r.min < c.min) || (c.max !== undefined && r.max > c.max)))
        throw bad(`excludes values of "${old.name}"`);
    }
    const dictionary = { ...d.dictionary, columns };
    const version = createHash('sha256').update(d.version).update(canonicalJson(dictionary)).digest('hex');
    this.datasets.set(
      name,
      new this.readers.DuckDbDataset(this.conn, tableName(name), dictionary, version, d.rowCount),
    );
  }

  has(name: string): boolean {
    return this.datasets.has(name);
  }

  get(name: string): DuckDbDataset {
    const d = this.datasets.get(name);
    if (!d)
      throw new FedhubError(
        'FH_ERR_UNKNOWN_DATASET',
        `this node has no dataset "${name}" (it has: ${[...this.datasets.keys()].join(', ') || 'none'})`,
        { dataset: name },
      );
    return d;
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** sha256 over the file's bytes and the dictionary. */
async function datasetVersion(file: string, dictionary: DataDictionary, optedOut: string[]): Promise<string> {
  const h = createHash('sha256');
  // 4 MiB reads: the default 64 KiB makes a stream event per chunk (hundreds per file)
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 })) h.update(chunk as Buffer);
  h.update(canonicalJson(dictionary));
  if (optedOut.length > 0) h.update(canonicalJson({ optedOut }));
  return h.digest('hex');
}

/** The declared columns, or the sniffer's proposal (text columns without levels until loaded). */
async function resolveColumns(conn: DuckDBConnection, d: StoreDataset): Promise<ResolvedDataset> {
  if (d.columns !== 'infer') return { ...d, columns: d.columns };
  if (!existsSync(d.file))
    throw new FedhubError('FH_ERR_VALIDATION', `dataset "${d.name}": file ${d.file} does not exist`);
  return { ...d, columns: provisionalColumns(await sniffColumns(conn, d.file, d.format)) };
}

function tableName(dataset: string): string {
  return quoteIdent(`ds_${dataset}`);
}

/** `sniffed`: the columns were just read from this file's header (no need to check it again). */
async function loadOne(conn: DuckDBConnection, d: ResolvedDataset, sniffed = false): Promise<LoadReport> {
  if (!existsSync(d.file))
    throw new FedhubError('FH_ERR_VALIDATION', `dataset "${d.name}": file ${d.file} does not exist`);
  const final = tableName(d.name);
  // Fast path: the CSV parsed straight into the declared types, then the dictionary's rules checked as one
  // aggregate over the typed table. A value that does not parse as its type makes the typed read fail; only
  // then is the file read again as text (the slower path) to find and name the offending rows.
  const typed = d.format === 'csv' ? await loadTypedCsv(conn, d, final, sniffed) : false;
  let counts: Record<string, bigint | number | null>;
  let checks: Array<{ col: ColumnSpec; valid: string }>;
  if (typed) {
    checks = validityChecks(d.columns, (q) => q, true);
    counts = await countInvalid(conn, final, checks);
  } else {
    const raw = await loadRaw(conn, d);
    checks = validityChecks(d.columns, (q, c) => `TRY_CAST(${q} AS ${SQL_TYPE[c.type]})`, false);
    counts = await countInvalid(conn, raw, checks);
    if (!hasProblems(checks, counts) || d.onInvalid !== 'reject')
      await conn.run(
        `CREATE OR REPLACE TABLE ${final} AS SELECT ${d.columns.map((c) => `TRY_CAST(${quoteIdent(c.name)} AS ${SQL_TYPE[c.type]}) AS ${quoteIdent(c.name)}`).join(', ')}
         FROM ${raw} WHERE ${checks.map((k) => k.valid).join(' AND ')}`,
      );
    await conn.run(`DROP TABLE ${raw}`);
  }
  const problems: string[] = [];
  checks.forEach((k, i) => {
    const bad = Number(counts[`bad${i}`] ?? 0);
    if (bad > 0) {
      const c = k.col;
      const rule = [
        `type ${c.type}`,
        c.min !== undefined ? `min ${c.min}` : '',
        c.max !== undefined ? `max ${c.max}` : '',
        c.levels ? `levels ${c.levels.join('/')}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      problems.push(
        `column "${c.name}": ${bad} value(s) break the dictionary (${rule}); first at data row ${Number(counts[`first${i}`])}`,
      );
    }
  });
  if (problems.length > 0 && d.onInvalid === 'reject') {
    if (typed) await conn.run(`DROP TABLE ${final}`);
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `dataset "${d.name}" (${d.file}):\n  ${problems.join('\n  ')}\n(set onInvalid: exclude to drop such rows)`,
    );
  }
  const total = Number(counts.total);
  let valid = total;
  if (problems.length > 0) {
    if (typed) await conn.run(`DELETE FROM ${final} WHERE NOT (${checks.map((k) => k.valid).join(' AND ')})`);
    valid = await countRows(conn, final);
  }
  let rows = valid;
  if (d.optOut) {
    await applyOptOut(conn, d.name, d.optOut);
    rows = await countRows(conn, final);
  }
  return { dataset: d.name, rows, excluded: total - valid, optedOut: valid - rows, problems };
}

async function countRows(conn: DuckDBConnection, table: string): Promise<number> {
  return Number((await conn.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRowsJS()[0]![0]);
}

const CSV_OPTS = `header = true, nullstr = ['', 'NA']`;

/**
 * Reads the CSV into the final table with the dictionary's types; false (nothing created) when some value
 * does not parse as its declared type or a declared column is absent, so the text path can say which.
 */
async function loadTypedCsv(
  conn: DuckDBConnection,
  d: ResolvedDataset,
  final: string,
  sniffed: boolean,
): Promise<boolean> {
  const types = d.columns.map((c) => `${sqlString(c.name)}: '${SQL_TYPE[c.type]}'`).join(', ');
  try {
    // SQL names match without regard to case; the dictionary's must match the header exactly (the sniffer
    // reads only a sample for this)
    if (!sniffed) {
      const header = new Set(
        (
          await conn.runAndReadAll(
            `DESCRIBE SELECT * FROM read_csv(${sqlString(d.file)}, ${CSV_OPTS}, all_varchar = true)`,
          )
        )
          .getRowsJS()
          .map((r) => String(r[0])),
      );
      if (d.columns.some((c) => !header.has(c.name))) return false;
    }
    // rowid of the table follows the file's row order (one insert, insertion order preserved). Dates are
    // ISO only, as the text path's cast reads them (the sniffer could otherwise guess a day/month order).
    await conn.run(
      `CREATE OR REPLACE TABLE ${final} AS SELECT ${d.columns.map((c) => quoteIdent(c.name)).join(', ')}
       FROM read_csv(${sqlString(d.file)}, ${CSV_OPTS}, types = {${types}}, dateformat = '%Y-%m-%d')`,
    );
    return true;
  } catch {
    await conn.run(`DROP TABLE IF EXISTS ${final}`);
    return false;
  }
}

/** Reads the file with every column as text (CSV) or as stored (Parquet), checking the declared columns exist. */
async function loadRaw(conn: DuckDBConnection, d: ResolvedDataset): Promise<string> {
  const source =
    d.format === 'csv'
      ? `read_csv(${sqlString(d.file)}, ${CSV_OPTS}, all_varchar = true)`
      : `(SELECT * FROM read_parquet(${sqlString(d.file)}))`;
  const raw = quoteIdent(`raw_${d.name}`);
  try {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT * FROM ${source}`);
  } catch (err) {
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `dataset "${d.name}": cannot read ${d.file}: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const present = new Set(
    (await conn.runAndReadAll(`SELECT column_name FROM (DESCRIBE ${raw})`))
      .getRowsJS()
      .map((r) => String(r[0])),
  );
  const missingCols = d.columns.filter((c) => !present.has(c.name)).map((c) => c.name);
  if (missingCols.length > 0) {
    await conn.run(`DROP TABLE ${raw}`);
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `dataset "${d.name}": ${d.file} has no column ${missingCols.map((c) => `"${c}"`).join(', ')} declared in the dictionary`,
    );
  }
  return raw;
}

/**
 * One validity flag per column: the value is missing, or it has the declared type and lies in range/levels.
 * `value` gives the typed value of a column (a cast of the text, or the column itself when already typed).
 */
function validityChecks(
  columns: ColumnSpec[],
  value: (quoted: string, c: ColumnSpec) => string,
  typed: boolean,
): Array<{ col: ColumnSpec; valid: string }> {
  return columns.map((c) => {
    const q = quoteIdent(c.name);
    const cast = value(q, c);
    const ok: string[] = typed ? [] : [`${cast} IS NOT NULL`];
    if (c.type === 'integer') ok.push(`${cast} = round(${cast})`);
    if (c.min !== undefined) ok.push(`${cast} >= ${Number(c.min)}`);
    if (c.max !== undefined) ok.push(`${cast} <= ${Number(c.max)}`);
    if (c.type === 'categorical' && c.levels) ok.push(`${cast} IN (${c.levels.map(sqlString).join(', ')})`);
    return { col: c, valid: ok.length === 0 ? 'TRUE' : `(${q} IS NULL OR (${ok.join(' AND ')}))` };
  });
}

async function countInvalid(
  conn: DuckDBConnection,
  table: string,
  checks: Array<{ valid: string }>,
): Promise<Record<string, bigint | number | null>> {
  return (
    await conn.runAndReadAll(
      // rowid follows the file's row order (the table was filled from it in one pass)
      `SELECT count(*) AS total, ${checks.map((k, i) => `count(*) FILTER (WHERE NOT ${k.valid}) AS bad${i}, min(rowid) FILTER (WHERE NOT ${k.valid}) + 1 AS first${i}`).join(', ')}
       FROM ${table}`,
    )
  ).getRowObjectsJS()[0] as Record<string, bigint | number | null>;
}

function hasProblems(checks: unknown[], counts: Record<string, bigint | number | null>): boolean {
  return checks.some((_, i) => Number(counts[`bad${i}`] ?? 0) > 0);
}

/** The identifiers of an opt-out declaration: its file's lines (no blanks, no # comments) and its inline ids. */
export function optOutIds(dataset: string, optOut: { file?: string; ids?: string[] }): string[] {
  const ids = (optOut.ids ?? []).map((id) => id.trim()).filter((id) => id.length > 0);
  if (optOut.file !== undefined) {
    if (!existsSync(optOut.file))
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `dataset "${dataset}": opt-out list ${optOut.file} does not exist`,
      );
    ids.push(
      ...readFileSync(optOut.file, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length > 0 && !l.startsWith('#')),
    );
  }
  return ids;
}

/** Removes the records of patients on the opt-out list before anything can read them. */
async function applyOptOut(
  conn: DuckDBConnection,
  dataset: string,
  optOut: { file?: string; ids?: string[]; column: string },
): Promise<void> {
  const ids = optOutIds(dataset, optOut);
  await conn.run('CREATE OR REPLACE TEMP TABLE opt_out (id VARCHAR)');
  const appender = await conn.createAppender('opt_out');
  for (const id of ids) {
    appender.appendVarchar(id);
    appender.endRow();
  }
  appender.closeSync();
  await conn.run(
    `DELETE FROM ${tableName(dataset)} WHERE CAST(${quoteIdent(optOut.column)} AS VARCHAR) IN (SELECT id FROM opt_out)`,
  );
  await conn.run('DROP TABLE opt_out');
}
