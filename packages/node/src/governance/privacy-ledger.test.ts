import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summary } from '@fedhub/algorithms';
import { DisclosurePolicySchema, type Filter } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../datasets/duckdb-store.js';
import { executeRun } from '../executor.js';
import { LinearAuditor, primeFrom } from './linear-auditor.js';
import { CELLS_KEY, PrivacyLedger } from './privacy-ledger.js';
import { openStudy } from './study-gate.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const policy = DisclosurePolicySchema.parse({});
const rows = generateCohort(DEMO_CENTRES[0]!, 200, 5);
const file = join(dir, 'cohort.csv');
writeFileSync(file, toCsv(rows));
const oldest = Math.max(...rows.map((r) => r.age as number));

async function release(
  store: DatasetStore,
  ledger: PrivacyLedger,
  filter?: Filter,
  studyId = crypto.randomUUID(),
) {
  const params = { dataset: 'cohort', columns: ['dose_gy'], ...(filter ? { filter } : {}) };
  return executeRun(
    {
      runId: crypto.randomUUID(),
      taskId: crypto.randomUUID(),
      ...openStudy(studyId, ['n']),
      algorithm: 'summary',
      version: summary.version,
      digest: summary.digest,
      params,
      round: 1,
      attempt: 1,
      input: null,
      leaseExpiresAt: new Date().toISOString(),
      leaseMs: 30000,
      peers: [],
    },
    {
      node: { id: 'n', name: 'Hospital A' },
      policy,
      datasets: store,
      ledger,
      floors: { minNodes: 1, minOrganisations: 1 } /* a one-node test of another rule */,
    },
  );
}

describe('privacy ledger', () => {
  it('refuses a query that differs from an earlier one by one patient, through any equivalent filter, across restarts', async () => {
    const ledgerDir = join(dir, 'node');
    let store = await DatasetStore.open([
      { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
    ]);
    let ledger = new PrivacyLedger(ledgerDir);
    expect((await release(store, ledger)).outcome).toBe('completed');
    const minusOne = await release(store, ledger, { column: 'age', op: 'lt', value: oldest });
    expect(minusOne.error?.code).toBe('FH_ERR_DIFFERENCING');
    // the refusal says which rule, not by how many records (that would answer the differencing question)
    expect(minusOne.error?.message).toBe(
      'Hospital A: With earlier releases, the query would single out fewer records than the minimum subset size',
    );
    // the same selection written differently, by another study, after the node restarts
    store.close();
    ledger.close();
    store = await DatasetStore.open([
      { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
    ]);
    ledger = new PrivacyLedger(ledgerDir);
    const equivalent = await release(store, ledger, { not: { column: 'age', op: 'ge', value: oldest } });
    expect(equivalent.error?.code).toBe('FH_ERR_DIFFERENCING');
    // the identical selection again reveals nothing new; a very different one is fine
    expect((await release(store, ledger)).outcome).toBe('completed');
    expect((await release(store, ledger, { column: 'age', op: 'lt', value: 60 })).outcome).toBe('completed');
    expect(ledger.releases().length).toBe(3);
    store.close();
    ledger.close();
  });

  it('decides the same with in-memory row identities (a throwaway node), across a new version of the file', async () => {
    // fedhub simulate's nodes: the first version is indexed by row id, a later one matched by identity text
    const ledger = new PrivacyLedger(join(dir, 'unused'), undefined, { rowIdentity: 'in-memory' });
    const open = (f: string) =>
      DatasetStore.open([
        { name: 'cohort', file: f, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
      ]);
    const first = await open(file);
    expect((await release(first, ledger)).outcome).toBe('completed');
    expect((await release(first, ledger, { column: 'age', op: 'lt', value: oldest })).error?.code).toBe(
      'FH_ERR_DIFFERENCING',
    );
    // the same patients in another order: the same rows, the same answer is allowed
    const reordered = join(dir, 'reordered.csv');
    writeFileSync(reordered, toCsv([...rows].reverse()));
    const second = await open(reordered);
    expect((await release(second, ledger)).outcome).toBe('completed');
    // one patient more: the same query would give the newcomer's dose
    const grown = join(dir, 'grown.csv');
    writeFileSync(grown, toCsv([...rows, generateCohort(DEMO_CENTRES[0]!, 1, 77, 'NEW')[0]!]));
    const third = await open(grown);
    expect((await release(third, ledger)).error?.code).toBe('FH_ERR_DIFFERENCING');
    for (const s of [first, second, third]) s.close();
    ledger.close();
    // nothing on disk: the indices would mean nothing to another process
    expect(existsSync(join(dir, 'unused', 'privacy-ledger.sqlite'))).toBe(false);
  });
});

describe('privacy ledger: the auditor state across restarts', () => {
  const rows = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
  const union = (...xs: Int32Array[]) => Int32Array.from(new Set(xs.flatMap((x) => [...x]))).sort();
  // S1 - S2 - S4 + S3 = row 0, each pair >= 10 rows apart (see red-team/differencing-linear-combination)
  const A = rows(1, 12);
  const B = rows(12, 30);
  const C = rows(30, 50);
  const S1 = union(Int32Array.of(0), A, B);
  const S2 = union(B);
  const S4 = union(A, C);
  const S3 = union(Int32Array.of(0), C);

  it('refuses the completing release after a crash (replayed) and after a clean close (snapshot)', () => {
    const ledgerDir = join(dir, 'restarts');
    const first = new PrivacyLedger(ledgerDir);
    for (const s of [S1, S2, S4]) first.auditRows('cohort', 'dose_gy', s, 10);
    // no close: as after a crash, the next ledger replays the recorded releases
    const replayed = new PrivacyLedger(ledgerDir);
    expect(() => replayed.auditRows('cohort', 'dose_gy', S3, 10)).toThrow(
      expect.objectContaining({ code: 'FH_ERR_DIFFERENCING', details: { rule: 'linear' } }),
    );
    // another column is another namespace: the same rows are fine there
    replayed.auditRows('cohort', 'age', S3, 10);
    replayed.close();
    first.close();
    const snapshot = new PrivacyLedger(ledgerDir);
    expect(() => snapshot.auditRows('cohort', 'dose_gy', S3, 10)).toThrow(
      expect.objectContaining({ code: 'FH_ERR_DIFFERENCING' }),
    );
    snapshot.close();
  });

  it('audits the records of declared cells: a group differing by one record is refused, the whole release undone, across restarts', () => {
    const ledgerDir = join(dir, 'cells');
    const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
    const cellsNs = `cohort\u0000${CELLS_KEY}`;
    const selection = [{ namespace: 'cohort\u0000#', rows: range(0, 40) }];
    const groups = (cut: number) => ({
      sets: [
        { namespace: cellsNs, rows: range(0, cut) },
        { namespace: cellsNs, rows: range(cut, 40) },
      ],
      minGroup: 5,
    });
    const first = new PrivacyLedger(ledgerDir);
    // groups of 20 and 20: each of at least the minimum cell count, released
    first.admitRows(selection, 10, undefined, groups(20));
    // the same selection with groups of 21 and 19: record 20 changed group, its membership would follow
    expect(() => first.admitRows(selection, 10, undefined, groups(21))).toThrow(
      expect.objectContaining({ code: 'FH_ERR_DIFFERENCING', details: { rule: 'linear' } }),
    );
    // a cell of fewer records than the minimum cell count is determined by itself
    expect(() =>
      first.admitRows([], 10, undefined, {
        sets: [{ namespace: cellsNs, rows: range(40, 43) }],
        minGroup: 5,
      }),
    ).toThrow(expect.objectContaining({ code: 'FH_ERR_DIFFERENCING' }));
    // a release whose second cell is refused is undone whole: its first cell ({0..29}) is not kept, so
    // {0..28} passes after it (kept, it would set record 29 apart)
    const cells = (...sets: Int32Array[]) => ({
      sets: sets.map((rows) => ({ namespace: cellsNs, rows })),
      minGroup: 5,
    });
    expect(() => first.admitRows(selection, 10, undefined, cells(range(0, 30), range(40, 43)))).toThrow(
      expect.objectContaining({ code: 'FH_ERR_DIFFERENCING' }),
    );
    first.admitRows(selection, 10, undefined, cells(range(0, 29)));
    // no close (as after a crash): the cells are replayed from the ledger
    const replayed = new PrivacyLedger(ledgerDir);
    expect(() => replayed.admitRows(selection, 10, undefined, groups(21))).toThrow(
      expect.objectContaining({ code: 'FH_ERR_DIFFERENCING' }),
    );
    replayed.close();
    first.close();
  });

  it('refuses new cells once the cell audit is full (fail closed), while a repeat still passes', () => {
    const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
    const cellsNs = `cohort\u0000${CELLS_KEY}`;
    const cells = (...sets: Int32Array[]) => ({
      sets: sets.map((rows) => ({ namespace: cellsNs, rows })),
      minGroup: 5,
    });
    // a limit just above what the first release holds: it fits, a release adding rank does not
    const probe = new PrivacyLedger(join(dir, 'cells-capacity-probe'));
    probe.admitRows([], 10, undefined, cells(range(0, 20), range(20, 40)));
    const held = probe.cellsStateBytes('cohort');
    probe.close();
    expect(held).toBeGreaterThan(0);
    const small = new PrivacyLedger(join(dir, 'cells-capacity'), held + 1);
    small.admitRows([], 10, undefined, cells(range(0, 20), range(20, 40)));
    expect(small.cellsStateBytes('cohort')).toBe(held);
    expect(() => small.admitRows([], 10, undefined, cells(range(0, 30), range(30, 40)))).toThrow(
      expect.objectContaining({ code: 'FH_ERR_DIFFERENCING', details: { rule: 'capacity' } }),
    );
    small.admitRows([], 10, undefined, cells(range(0, 20), range(20, 40)));
    small.close();
  });

  it('decides the same after more releases than a snapshot interval, reopened or not', () => {
    let seed = 3;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const sets = Array.from({ length: 160 }, () => {
      const lo = Math.floor(rnd() * 300);
      const hi = lo + 12 + Math.floor(rnd() * 200);
      return rows(lo, hi);
    });
    const decide = (l: PrivacyLedger, s: Int32Array) => {
      try {
        l.auditRows('cohort', 'months', s, 10);
        return 'released';
      } catch (err) {
        return (err as { details?: { rule?: string } }).details?.rule ?? 'error';
      }
    };
    const live = new PrivacyLedger(join(dir, 'live'));
    const reopenedDir = join(dir, 'reopened');
    const expected = sets.map((s) => decide(live, s));
    live.close();
    const got: string[] = [];
    for (const [i, s] of sets.entries()) {
      const l = new PrivacyLedger(reopenedDir);
      got.push(decide(l, s));
      // a clean close every other time, a crash otherwise
      if (i % 2 === 0) l.close();
    }
    expect(got).toEqual(expected);
    expect(expected.filter((x) => x !== 'released').length).toBeGreaterThan(0);
  });

  it('decides first sets and repeats without an elimination exactly as the elimination does', () => {
    // the ledger skips the elimination for a namespace's first set (refused iff 1..min-1 rows) and for a
    // set it has recorded before; a reference audits every set with the elimination and the pairwise rule
    let seed = 11;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pool: Int32Array[] = [];
    const sets = Array.from({ length: 400 }, () => {
      if (pool.length > 0 && rnd() < 0.4) return pool[Math.floor(rnd() * pool.length)]!;
      const lo = Math.floor(rnd() * 200);
      const s = rows(lo, lo + 1 + Math.floor(rnd() * (rnd() < 0.2 ? 12 : 120)));
      pool.push(s);
      return s;
    });
    const namespaces = ['age', 'months', 'bmi', 'dose_gy', 'stage', 'sex'];
    const plan = sets.map((s, i) => ({
      key: namespaces[Math.floor(rnd() * (1 + i / 60)) % namespaces.length]!,
      s,
    }));
    const ledger = new PrivacyLedger(join(dir, 'shortcuts'));
    const got = plan.map(({ key, s }) => {
      try {
        ledger.auditRows('cohort', key, s, 10);
        return 'released';
      } catch (err) {
        return (err as { details?: { rule?: string } }).details?.rule ?? 'error';
      }
    });
    const auditors = new Map<string, LinearAuditor>();
    const accepted = new Map<string, Int32Array[]>();
    const expected = plan.map(({ key, s }) => {
      const earlier = accepted.get(key) ?? [];
      const mine = new Set(s);
      for (const e of earlier) {
        const d = e.filter((r) => !mine.has(r)).length + s.filter((r) => !e.includes(r)).length;
        if (d > 0 && d < 10) return 'pairwise';
      }
      const a = auditors.get(key) ?? LinearAuditor.empty([primeFrom(1 << 30), primeFrom(3 << 29)]);
      auditors.set(key, a);
      if (a.apply(s, 10)) return 'linear';
      accepted.set(key, [...earlier, s]);
      return 'released';
    });
    expect(got).toEqual(expected);
    expect(new Set(expected)).toEqual(new Set(['released', 'pairwise', 'linear']));
    ledger.close();
  });
});
