/**
 * The node's privacy ledger: every release is recorded with the rows it actually used, keyed by a row
 * identity that survives refreshes of the data file, and checked before it leaves against every earlier
 * release on the same namespace, by every researcher in every study (docs/adr/0008-exact-query-auditing.md):
 * - namespaces: a dataset's root (a declared dataset, shared by the derived datasets joined to it) and a
 *   ledger key: a column whose values a release sums, or '#' for the selection behind its counts;
 * - row identity: HMAC-SHA256 (key kept in this ledger) of the row's key (the dictionary's record
 *   identifier, or the whole row where there is none), mapped to a dense index per root;
 * - pairwise rule: refused when the rows used differ from an earlier release's by 1..minSubset-1 rows;
 * - linear rule: refused when, combined linearly with the earlier releases, it determines the total of
 *   fewer than minSubset rows (one row's value above all), see {@link LinearAuditor}.
 * Refusals name the rule only: no count, no row. The ledger lives in the node's data folder (SQLite).
 */
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { join } from 'node:path';
import { FedhubError } from '@fedhub/protocol';
import type Database from 'better-sqlite3';
import { openNodeStore } from '../sqlite-store.js';
import { type AuditorState, LinearAuditor, primeFrom } from './linear-auditor.js';
import type { RecordSet } from './record-set.js';

/** What the ledger needs of a dataset a run read (see DuckDbDataset). */
export interface AuditedDataset {
  readonly version: string;
  readonly lineage: { root: string };
  /** Row id and identity text of every row. */
  rowKeys(): Promise<{ rowids: number[]; keys: string[] }>;
  /** The rows the run used, per ledger key, as row-id sets. */
  usage(): Promise<Map<string, RecordSet>>;
}

/**
 * The ledger key of the records behind declared cells (score groups, bins, merged time points): one
 * namespace per root, audited at the minimum cell count (a cell of that many records is what the policy
 * releases), apart from the selections (no column can have this name).
 */
export const CELLS_KEY = '#cells';

/**
 * Default memory limit of one dataset's cell audit: 256 MiB (docs/privacy.md, "Model differencing"). Its
 * snapshot is one SQLite blob, which SQLite caps below 1 GB.
 */
export const DEFAULT_CELLS_STATE_LIMIT = 2 ** 28;

export interface ReleaseMeta {
  studyId: string;
  taskId: string;
  runId: string;
  algorithm: string;
}

/**
 * Persist an auditor's whole state after this many accepted releases and on close (between: replayed on
 * load). The state grows with rank x atoms (tens of MB after a thousand releases): written too often, it
 * costs more than the auditing; written too rarely, a restart after a crash replays more.
 */
const SNAPSHOT_EVERY = 128;

export class PrivacyLedger {
  private readonly db: Database.Database;
  private readonly idKey: Buffer;
  private readonly primes: number[];
  /** Dense stable index of each row id, per dataset version. */
  private readonly denseByVersion = new Map<string, Int32Array | null>();
  private readonly auditors = new Map<string, { auditor: LinearAuditor; sinceSnapshot: number }>();
  /**
   * Row identities of a throwaway ledger (`rowIdentity: 'in-memory'`), per root: the first version read of a
   * root is indexed by its own row ids (no identity text is read); when another version or a derived dataset
   * of that root comes, the first version's identity texts are read and every later row is matched to them.
   */
  private readonly memoryRoots = new Map<
    string,
    { first: AuditedDataset; ids: Map<string, number> | null; next: number }
  >();
  private readonly rowIdentity: 'keyed' | 'in-memory';

  /**
   * @param cellsStateLimit bytes the elimination of one dataset's cells may hold (its sparse rows, column
   *   index and atoms, as {@link LinearAuditor.bytes} counts them); past it, releases adding cells are
   *   refused (rule `capacity`).
   * @param options.rowIdentity `keyed` (a node's ledger): each row's identity is kept as an HMAC in the
   *   ledger's file, so it survives restarts and refreshes of the data. `in-memory`: the identity text itself,
   *   kept in this process only, for a ledger thrown away with its process (`fedhub simulate`'s nodes): the
   *   same rows get the same indices and the same checks, without an HMAC and a SQLite row per record
   *   (8 s of the 1M-row GLM benchmark).
   */
  constructor(
    dataDir: string,
    private readonly cellsStateLimit = DEFAULT_CELLS_STATE_LIMIT,
    options: { rowIdentity?: 'keyed' | 'in-memory' } = {},
  ) {
    this.rowIdentity = options.rowIdentity ?? 'keyed';
    // a throwaway ledger keeps nothing on disk: its row indices would mean nothing to another process
    const file = this.rowIdentity === 'in-memory' ? ':memory:' : join(dataDir, 'privacy-ledger.sqlite');
    this.db = openNodeStore(file, [
      `CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS row_ids (
      root TEXT NOT NULL,
      id BLOB NOT NULL,
      idx INTEGER NOT NULL,
      PRIMARY KEY (root, id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ledger_releases (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      study_id TEXT NOT NULL,
      task_id TEXT NOT NULL,
      run_id TEXT NOT NULL,
      algorithm TEXT NOT NULL,
      dataset TEXT NOT NULL,
      root TEXT NOT NULL,
      record_count INTEGER NOT NULL,
      fingerprint TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ledger_sets (
      release_id INTEGER NOT NULL,
      namespace TEXT NOT NULL,
      record_count INTEGER NOT NULL,
      bits BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ledger_sets_by_namespace ON ledger_sets (namespace, record_count);
    CREATE TABLE IF NOT EXISTS ledger_cells (
      release_id INTEGER NOT NULL,
      namespace TEXT NOT NULL,
      rows BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ledger_cells_by_namespace ON ledger_cells (namespace, release_id);
    CREATE TABLE IF NOT EXISTS auditor_snapshots (
      namespace TEXT PRIMARY KEY,
      through_release INTEGER NOT NULL,
      state BLOB NOT NULL
    );`,
    ]);
    this.idKey = this.meta('row-id-key', () => randomBytes(32));
    // two secret primes in [2^30, 2^31): see linear-auditor.ts on why secret and why two
    this.primes = JSON.parse(
      this.meta('auditor-primes', () =>
        Buffer.from(JSON.stringify([0, 1].map(() => primeFrom(randomInt(2 ** 30, 2 ** 31 - 2 ** 20))))),
      ).toString('utf8'),
    ) as number[];
  }

  private meta(key: string, make: () => Buffer): Buffer {
    const row = this.db.prepare('SELECT value FROM ledger_meta WHERE key = ?').get(key) as
      | { value: Buffer }
      | undefined;
    if (row) return row.value;
    const value = make();
    this.db.prepare('INSERT INTO ledger_meta (key, value) VALUES (?, ?)').run(key, value);
    return value;
  }

  /**
   * Stable dense index of each row id of `d`'s version (-1: no such row id); null where the index is the
   * row id itself (a throwaway ledger's first version of a root).
   */
  private async denseIndex(d: AuditedDataset): Promise<Int32Array | null> {
    const cacheKey = `${d.lineage.root}\u0000${d.version}`;
    const hit = this.denseByVersion.get(cacheKey);
    if (hit !== undefined) return hit;
    const root = d.lineage.root;
    if (this.rowIdentity === 'in-memory') {
      const m = this.memoryRoots.get(root);
      if (!m) {
        this.memoryRoots.set(root, { first: d, ids: null, next: 0 });
        this.cacheIndex(cacheKey, null);
        return null;
      }
      if (!m.ids) {
        const first = await m.first.rowKeys();
        m.ids = new Map();
        for (let i = 0; i < first.rowids.length; i++) {
          const r = first.rowids[i]!;
          if (!m.ids.has(first.keys[i]!)) m.ids.set(first.keys[i]!, r);
          if (r >= m.next) m.next = r + 1;
        }
      }
      const { rowids, keys } = await d.rowKeys();
      let max = -1;
      for (const r of rowids) if (r > max) max = r;
      const out = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < rowids.length; i++) {
        let idx = m.ids.get(keys[i]!);
        if (idx === undefined) {
          idx = m.next++;
          m.ids.set(keys[i]!, idx);
        }
        out[rowids[i]!] = idx;
      }
      this.cacheIndex(cacheKey, out);
      return out;
    }
    const { rowids, keys } = await d.rowKeys();
    let max = -1;
    for (const r of rowids) if (r > max) max = r;
    const out = new Int32Array(max + 1).fill(-1);
    // the root's known identities in one read (a lookup per row costs more than the HMACs), then one
    // insert per new row, all in one transaction
    const insert = this.db.prepare('INSERT INTO row_ids (root, id, idx) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      const known = new Map<string, number>();
      let next = 0;
      for (const r of this.db
        .prepare('SELECT id, idx FROM row_ids WHERE root = ?')
        .iterate(root) as Iterable<{
        id: Buffer;
        idx: number;
      }>) {
        known.set(r.id.toString('latin1'), r.idx);
        if (r.idx >= next) next = r.idx + 1;
      }
      for (let i = 0; i < rowids.length; i++) {
        const id = createHmac('sha256', this.idKey).update(root).update('\u0000').update(keys[i]!).digest();
        const text = id.toString('latin1');
        let idx = known.get(text);
        if (idx === undefined) {
          idx = next++;
          known.set(text, idx);
          insert.run(root, id, idx);
        }
        out[rowids[i]!] = idx;
      }
    })();
    this.cacheIndex(cacheKey, out);
    return out;
  }

  private cacheIndex(cacheKey: string, index: Int32Array | null): void {
    if (this.denseByVersion.size > 16) this.denseByVersion.clear();
    this.denseByVersion.set(cacheKey, index);
  }

  /**
   * Checks the release of a run that read `datasets` (by name) and records it; throws FH_ERR_DIFFERENCING
   * (and records nothing) when a rule refuses it. The reads are async; the check and the record are one
   * synchronous step, so two runs at once cannot both pass against the same history.
   */
  async admit(
    datasets: Map<string, AuditedDataset>,
    minSubsetSize: number,
    meta: ReleaseMeta,
    cells?: { sets: ReadonlyArray<{ dataset: string; rows: RecordSet }>; minCellCount: number },
  ): Promise<void> {
    const entries: Array<{ dataset: string; root: string; sets: Map<string, Int32Array> }> = [];
    // the cells' records (score groups, bins, merged time points) on the root's cell namespace
    const cellSets: Array<{ dataset: string; namespace: string; rows: Int32Array }> = [];
    const seen = new Set<string>();
    for (const c of cells?.sets ?? []) {
      const d = datasets.get(c.dataset);
      if (!d)
        throw new FedhubError(
          'FH_ERR_UNDECLARED_RELEASE',
          'a declared cell names records of a dataset this run did not read',
        );
      const rows = toDense(c.rows, await this.denseIndex(d));
      const namespace = `${d.lineage.root}\u0000${CELLS_KEY}`;
      const key = `${namespace}\u0000${rows.join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      cellSets.push({ dataset: c.dataset, namespace, rows });
    }
    for (const [name, d] of datasets) {
      const usage = await d.usage();
      if (usage.size === 0) continue;
      const dense = await this.denseIndex(d);
      const sets = new Map<string, Int32Array>();
      // the columns of one read share one record set: mapped once
      const mapped = new Map<RecordSet, Int32Array>();
      for (const [key, records] of usage) {
        let rows = mapped.get(records);
        if (!rows) {
          rows = toDense(records, dense);
          mapped.set(records, rows);
        }
        sets.set(key, rows);
      }
      entries.push({ dataset: name, root: d.lineage.root, sets });
    }
    // datasets of one root (a derived dataset and its source) share namespaces: one set each
    const byNamespace = new Map<string, Int32Array[]>();
    for (const e of entries)
      for (const [key, rows] of e.sets) {
        const ns = `${e.root}\u0000${key}`;
        byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), rows]);
      }
    const flat = [...byNamespace].map(([namespace, sets]) => ({
      namespace,
      rows: sets.length === 1 ? sets[0]! : Int32Array.from(new Set(sets.flatMap((x) => [...x]))).sort(),
    }));
    // a dataset whose records the cells name but that this round did not read (a read kept from an
    // earlier round) gets its release row too, so its cells replay in order
    for (const c of cellSets)
      if (!entries.some((e) => e.dataset === c.dataset))
        entries.push({ dataset: c.dataset, root: datasets.get(c.dataset)!.lineage.root, sets: new Map() });
    const releaseOf = new Map<string, number>();
    this.admitRows(
      flat,
      minSubsetSize,
      () =>
        this.db.transaction(() => {
          for (const e of entries) {
            const count = e.sets.get('#') ?? [...e.sets.values()][0] ?? new Int32Array(0);
            const bits = toBits(count);
            const id = Number(
              this.db
                .prepare(
                  'INSERT INTO ledger_releases (at, study_id, task_id, run_id, algorithm, dataset, root, record_count, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                )
                .run(
                  new Date().toISOString(),
                  meta.studyId,
                  meta.taskId,
                  meta.runId,
                  meta.algorithm,
                  e.dataset,
                  e.root,
                  count.length,
                  createHash('sha256').update(bits).digest('hex'),
                ).lastInsertRowid,
            );
            for (const [key, rows] of e.sets) this.insertSet(id, `${e.root}\u0000${key}`, rows);
            releaseOf.set(e.dataset, id);
          }
          for (const c of cellSets) this.insertCells(releaseOf.get(c.dataset)!, c.namespace, c.rows);
        })(),
      { sets: cellSets, minGroup: cells?.minCellCount ?? minSubsetSize },
    );
  }

  /**
   * The check and record of {@link admit} on stable row indices (sorted, distinct) per namespace; `store`
   * writes the release (the sets of a bare call, for benchmarks and tests, under a release of their own).
   */
  admitRows(
    sets: Array<{ namespace: string; rows: Int32Array }>,
    minSubsetSize: number,
    store?: () => void,
    cells?: { sets: ReadonlyArray<{ namespace: string; rows: Int32Array }>; minGroup: number },
  ): void {
    // a set this namespace has already recorded (every round of a model books the same selection) adds
    // nothing: it is in the span of the earlier releases and every pairwise distance to it was checked when
    // it, or the later set, was recorded; it is recorded again, not audited again
    const fresh = sets.filter((s) => !this.recorded(s.namespace, s.rows));
    for (const s of fresh) this.pairwise(s.namespace, s.rows, minSubsetSize);
    // every set in turn, each committed before the next (several cells share a namespace); a refusal
    // undoes the whole release on every namespace
    const steps = [
      ...fresh.map((s) => ({ ...s, minGroup: minSubsetSize })),
      ...(cells?.sets ?? []).map((s) => ({ ...s, minGroup: cells!.minGroup })),
    ];
    const open = new Map<string, LinearAuditor>();
    const rankBefore = new Map<string, number>();
    // a namespace's first set, alone in its release, determines one group: its own rows (so it is refused
    // exactly when it holds 1..minGroup-1 rows); its elimination is built when a second distinct set comes
    // (replayed from the recorded sets, as after a restart), so a model's selection booked under each of its
    // columns costs no elimination until something differs
    const perNamespace = new Map<string, number>();
    for (const s of steps) perNamespace.set(s.namespace, (perNamespace.get(s.namespace) ?? 0) + 1);
    try {
      for (const s of steps) {
        if (perNamespace.get(s.namespace) === 1 && this.unused(s.namespace)) {
          if (s.rows.length > 0 && s.rows.length < s.minGroup) throw refusal('linear');
          continue;
        }
        const auditor = this.auditor(s.namespace).auditor;
        if (!open.has(s.namespace)) {
          auditor.begin();
          open.set(s.namespace, auditor);
          rankBefore.set(s.namespace, auditor.size.rank);
        }
        const proposal = auditor.propose(s.rows, s.minGroup);
        if (proposal.determined) {
          proposal.abort();
          throw refusal('linear');
        }
        proposal.commit();
        // past the memory limit of the cells' elimination (the bytes it holds), no more cells are taken
        // (fail closed: the release is refused, nothing is kept); checked after every cell, so that a
        // release that cannot fit is refused as soon as it overflows, not after its whole elimination
        // (each further cell of a large release costs more than the last: a hostile researcher must not
        // be able to keep the node busy with releases that are refused anyway). A release adding nothing
        // new (the same model again) adds no rank and still passes.
        if (
          s.namespace.endsWith(`\u0000${CELLS_KEY}`) &&
          auditor.size.rank > (rankBefore.get(s.namespace) ?? 0) &&
          auditor.bytes() > this.cellsStateLimit
        )
          throw refusal('capacity');
      }
    } catch (err) {
      for (const a of open.values()) a.rollback();
      throw err;
    }
    for (const a of open.values()) a.end();
    if (store) store();
    else
      this.db.transaction(() => {
        const id = Number(
          this.db
            .prepare(
              "INSERT INTO ledger_releases (at, study_id, task_id, run_id, algorithm, dataset, root, record_count, fingerprint) VALUES (?, '', '', '', '', '', '', ?, '')",
            )
            .run(new Date().toISOString(), sets[0]?.rows.length ?? 0).lastInsertRowid,
        );
        for (const s of sets) this.insertSet(id, s.namespace, s.rows);
        for (const c of cells?.sets ?? []) this.insertCells(id, c.namespace, c.rows);
      })();
    // counted per release and namespace, not per cell: a snapshot costs as much as many replayed releases
    for (const namespace of open.keys()) {
      const a = this.auditors.get(namespace)!;
      if (++a.sinceSnapshot >= SNAPSHOT_EVERY) this.snapshot(namespace, a.auditor);
    }
  }

  /** Stable rows of one namespace, for benchmarks: as {@link admitRows} with one set. */
  auditRows(root: string, key: string, rows: Int32Array, minSubsetSize: number): void {
    this.admitRows([{ namespace: `${root}\u0000${key}`, rows }], minSubsetSize);
  }

  /** Bytes the audit of a dataset root's cells holds (what `cellsStateLimit` is compared with). */
  cellsStateBytes(root: string): number {
    return this.auditor(`${root}\u0000${CELLS_KEY}`).auditor.bytes();
  }

  /** A cell's rows, as the sorted stable indices (cells are small: a bitset over the rows would not be). */
  private insertCells(releaseId: number, namespace: string, rows: Int32Array): void {
    this.db
      .prepare('INSERT INTO ledger_cells (release_id, namespace, rows) VALUES (?, ?, ?)')
      .run(releaseId, namespace, Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength));
  }

  private insertSet(releaseId: number, namespace: string, rows: Int32Array): void {
    this.db
      .prepare('INSERT INTO ledger_sets (release_id, namespace, record_count, bits) VALUES (?, ?, ?, ?)')
      .run(releaseId, namespace, rows.length, toBits(rows));
  }

  /** Whether nothing was ever recorded on the namespace (no elimination in memory, no set, no snapshot). */
  private unused(namespace: string): boolean {
    if (this.auditors.has(namespace)) return false;
    const table = namespace.endsWith(`\u0000${CELLS_KEY}`) ? 'ledger_cells' : 'ledger_sets';
    return (
      this.db.prepare(`SELECT 1 FROM ${table} WHERE namespace = ? LIMIT 1`).get(namespace) === undefined &&
      this.db.prepare('SELECT 1 FROM auditor_snapshots WHERE namespace = ? LIMIT 1').get(namespace) ===
        undefined
    );
  }

  /** Whether the namespace holds a release of exactly these rows. */
  private recorded(namespace: string, rows: Int32Array): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM ledger_sets WHERE namespace = ? AND record_count = ? AND bits = ? LIMIT 1')
        .get(namespace, rows.length, toBits(rows)) !== undefined
    );
  }

  /** The pairwise rule: no earlier set of the namespace 1..minSubset-1 rows away. */
  private pairwise(namespace: string, rows: Int32Array, minSubsetSize: number): void {
    const near = this.db
      .prepare('SELECT bits FROM ledger_sets WHERE namespace = ? AND record_count > ? AND record_count < ?')
      .all(namespace, rows.length - minSubsetSize, rows.length + minSubsetSize) as Array<{ bits: Buffer }>;
    if (near.length === 0) return;
    const mine = toBits(rows);
    for (const { bits } of near) {
      const d = symmetricDifference(mine, bits);
      if (d > 0 && d < minSubsetSize) throw refusal('pairwise');
    }
  }

  private auditor(namespace: string): { auditor: LinearAuditor; sinceSnapshot: number } {
    const hit = this.auditors.get(namespace);
    if (hit) return hit;
    const snap = this.db
      .prepare('SELECT through_release, state FROM auditor_snapshots WHERE namespace = ?')
      .get(namespace) as { through_release: number; state: Buffer } | undefined;
    // cells: sparse rows (small sets; a snapshot written with dense rows is converted on load)
    const isCells = namespace.endsWith(`\u0000${CELLS_KEY}`);
    const as = isCells ? 'sparse' : 'dense';
    const auditor = snap
      ? new LinearAuditor(decodeState(snap.state), as)
      : LinearAuditor.empty(this.primes, as);
    // releases after the snapshot are replayed in order: the same steps give the same state
    const later = isCells
      ? (
          this.db
            .prepare(
              'SELECT release_id AS id, rows FROM ledger_cells WHERE namespace = ? AND release_id > ? ORDER BY release_id, rowid',
            )
            .all(namespace, snap?.through_release ?? 0) as Array<{ id: number; rows: Buffer }>
        ).map((r) => ({ id: r.id, rows: fromInt32(r.rows) }))
      : (
          this.db
            .prepare(
              'SELECT release_id AS id, bits FROM ledger_sets WHERE namespace = ? AND release_id > ? ORDER BY release_id, rowid',
            )
            .all(namespace, snap?.through_release ?? 0) as Array<{ id: number; bits: Buffer }>
        ).map((r) => ({ id: r.id, rows: fromBits(r.bits) }));
    for (const { rows } of later) {
      const p = auditor.propose(rows, 0);
      p.commit();
    }
    const entry = { auditor, sinceSnapshot: new Set(later.map((r) => r.id)).size };
    this.auditors.set(namespace, entry);
    return entry;
  }

  private snapshot(namespace: string, auditor: LinearAuditor): void {
    const table = namespace.endsWith(`\u0000${CELLS_KEY}`) ? 'ledger_cells' : 'ledger_sets';
    const last = this.db
      .prepare(`SELECT COALESCE(MAX(release_id), 0) AS id FROM ${table} WHERE namespace = ?`)
      .get(namespace) as { id: number };
    this.db
      .prepare(
        'INSERT INTO auditor_snapshots (namespace, through_release, state) VALUES (?, ?, ?) ON CONFLICT (namespace) DO UPDATE SET through_release = excluded.through_release, state = excluded.state',
      )
      .run(namespace, last.id, encodeState(auditor.state()));
    this.auditors.get(namespace)!.sinceSnapshot = 0;
  }

  /** What this node has released, newest first (for the data officer); `cells`: record sets of cells. */
  releases(limit = 100): Array<{
    at: string;
    studyId: string;
    taskId: string;
    algorithm: string;
    dataset: string;
    recordCount: number;
    fingerprint: string;
    cells: number;
  }> {
    return (
      this.db
        .prepare(
          "SELECT at, study_id, task_id, algorithm, dataset, record_count, fingerprint, (SELECT count(*) FROM ledger_cells c WHERE c.release_id = r.id) AS cells FROM ledger_releases r WHERE dataset <> '' ORDER BY id DESC LIMIT ?",
        )
        .all(limit) as Array<{
        at: string;
        study_id: string;
        task_id: string;
        algorithm: string;
        dataset: string;
        record_count: number;
        fingerprint: string;
        cells: number;
      }>
    ).map((r) => ({
      at: r.at,
      studyId: r.study_id,
      taskId: r.task_id,
      algorithm: r.algorithm,
      dataset: r.dataset,
      recordCount: r.record_count,
      fingerprint: r.fingerprint,
      cells: r.cells,
    }));
  }

  close(): void {
    for (const [namespace, a] of this.auditors) if (a.sinceSnapshot > 0) this.snapshot(namespace, a.auditor);
    this.db.close();
  }
}

/** The refusal: the rule only, nothing derived from the data (no count, no row, no value). */
function refusal(rule: 'pairwise' | 'linear' | 'capacity'): FedhubError {
  return new FedhubError(
    'FH_ERR_DIFFERENCING',
    rule === 'pairwise'
      ? 'the rows this release uses are too close to those of an earlier release on this dataset'
      : rule === 'linear'
        ? 'combined with earlier releases on this dataset, this release would determine the values of fewer records than the minimum subset size'
        : "the node's audit of grouped releases (score groups, bins) on this dataset is full: no more can be checked, so none is released",
    { rule },
  );
}

/** The stable indices (sorted) of the row ids in `records`. */
function toDense(records: RecordSet, dense: Int32Array | null): Int32Array {
  if (!dense) {
    // the row ids are the indices
    const out = new Int32Array(records.size);
    let n = 0;
    const bits = records.bits;
    for (let byte = 0; byte < bits.length; byte++) {
      const b = bits[byte]!;
      if (b !== 0) for (let k = 0; k < 8; k++) if (b & (1 << k)) out[n++] = byte * 8 + k;
    }
    return out.subarray(0, n);
  }
  const out = new Int32Array(records.size);
  let n = 0;
  let sorted = true;
  const bits = records.bits;
  for (let byte = 0; byte < bits.length; byte++) {
    const b = bits[byte]!;
    if (b === 0) continue;
    for (let k = 0; k < 8; k++)
      if (b & (1 << k)) {
        const idx = dense[byte * 8 + k];
        if (idx !== undefined && idx >= 0) {
          if (n > 0 && idx < out[n - 1]!) sorted = false;
          out[n++] = idx;
        }
      }
  }
  const rows = out.subarray(0, n);
  return sorted ? rows.slice() : rows.slice().sort();
}

/** Bitsets of row sets, kept while the set is (a release's namespaces often share one set). */
const bitsOf = new WeakMap<Int32Array, Buffer>();

function toBits(rows: Int32Array): Buffer {
  const hit = bitsOf.get(rows);
  if (hit) return hit;
  const bits = computeBits(rows);
  bitsOf.set(rows, bits);
  return bits;
}

function computeBits(rows: Int32Array): Buffer {
  let max = -1;
  for (const r of rows) if (r > max) max = r;
  const bits = Buffer.alloc(Math.ceil((max + 1) / 8));
  for (const r of rows) bits[r >> 3]! |= 1 << (r & 7);
  return bits;
}

function fromInt32(buf: Buffer): Int32Array {
  // a copy: the buffer's offset need not be aligned for an Int32Array view
  return new Int32Array(new Uint8Array(buf).buffer);
}

function fromBits(bits: Uint8Array): Int32Array {
  const out: number[] = [];
  for (let byte = 0; byte < bits.length; byte++) {
    const b = bits[byte]!;
    if (b !== 0) for (let k = 0; k < 8; k++) if (b & (1 << k)) out.push(byte * 8 + k);
  }
  return Int32Array.from(out);
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, i) => {
  let c = 0;
  for (let v = i; v; v >>= 1) c += v & 1;
  return c;
});

function symmetricDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  let d = 0;
  for (let i = 0; i < n; i++) d += POPCOUNT[(a[i] ?? 0) ^ (b[i] ?? 0)]!;
  return d;
}

/**
 * Binary form of an auditor's state: a JSON header, then the typed arrays. Version 2 (sparse rows for the
 * cells) marks each field's representation; a header without a version is the first format (dense rows
 * only), which still loads.
 */
function encodeState(s: AuditorState): Buffer {
  const atoms = s.atomSize.length;
  const header = Buffer.from(
    JSON.stringify({
      version: 2,
      rows: s.atomOf.length,
      atoms,
      fields: s.fields.map((f) =>
        'sparse' in f
          ? { prime: f.prime, pivotOf: f.pivotOf, kind: 'sparse', nnz: f.sparse.map((r) => r.atoms.length) }
          : { prime: f.prime, pivotOf: f.pivotOf, kind: 'dense' },
      ),
    }),
  );
  const parts: Buffer[] = [Buffer.alloc(4), header];
  parts[0]!.writeUInt32LE(header.length);
  const bytes = (a: Int32Array | Uint32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  parts.push(bytes(s.atomOf), bytes(Int32Array.from(s.atomSize)));
  for (const f of s.fields)
    if ('sparse' in f) for (const r of f.sparse) parts.push(bytes(r.atoms), bytes(r.values));
    else for (const r of f.rows) parts.push(bytes(r.subarray(0, atoms)));
  return Buffer.concat(parts);
}

function decodeState(buf: Buffer): AuditorState {
  const headerLength = buf.readUInt32LE(0);
  const h = JSON.parse(buf.subarray(4, 4 + headerLength).toString('utf8')) as {
    version?: number;
    rows: number;
    atoms: number;
    fields: Array<{ prime: number; pivotOf: number[]; kind?: 'dense' | 'sparse'; nnz?: number[] }>;
  };
  if (h.version !== undefined && h.version !== 2)
    throw new FedhubError(
      'FH_ERR_INTERNAL',
      `privacy ledger: an auditor snapshot of format ${h.version} is newer than this node reads (2)`,
    );
  let at = 4 + headerLength;
  // copies: the buffer's offsets need not be aligned for typed-array views
  const take = (n: number) => {
    const out = new Uint8Array(buf.subarray(at, at + 4 * n));
    at += 4 * n;
    return out.buffer;
  };
  const atomOf = new Int32Array(take(h.rows));
  const atomSize = Array.from(new Int32Array(take(h.atoms)));
  const fields = h.fields.map((f) =>
    f.kind === 'sparse'
      ? {
          prime: f.prime,
          pivotOf: f.pivotOf,
          sparse: (f.nnz ?? []).map((n) => ({
            atoms: new Int32Array(take(n)),
            values: new Uint32Array(take(n)),
          })),
        }
      : { prime: f.prime, pivotOf: f.pivotOf, rows: f.pivotOf.map(() => new Uint32Array(take(h.atoms))) },
  );
  return { atomOf, atomSize, fields };
}
