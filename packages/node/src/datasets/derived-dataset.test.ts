import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DerivedDataset } from '@fedhub/algorithms';
import type { ColumnSpec } from '@fedhub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from './duckdb-store.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-derived-'));
let store: DatasetStore;

const OUTCOMES: ColumnSpec[] = [
  { name: 'pid', type: 'categorical', identifier: true },
  { name: 'age', type: 'numeric' },
  { name: 'dead', type: 'integer' },
];

beforeAll(async () => {
  const file = join(dir, 'outcomes.csv');
  // p4 has outcomes but no features; the opt-out list removes p3
  writeFileSync(file, 'pid,age,dead\np1,61,0\np2,70,1\np3,55,0\np4,80,1\n');
  writeFileSync(join(dir, 'opt-out.txt'), 'p3\n');
  store = await DatasetStore.open([
    {
      name: 'outcomes',
      file,
      format: 'csv',
      columns: OUTCOMES,
      onInvalid: 'reject',
      optOut: { file: join(dir, 'opt-out.txt'), column: 'pid' },
    },
  ]);
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const features = (rows: DerivedDataset['rows'], extra: Partial<DerivedDataset> = {}): DerivedDataset => ({
  name: 'radiomics',
  columns: [
    { name: 'patient', type: 'categorical', identifier: true },
    { name: 'morph_volume', type: 'numeric', description: 'IBSI RNU0' },
  ],
  rows,
  ...extra,
});

describe('derived datasets', () => {
  const rows = [
    { patient: 'p2', morph_volume: 2000 },
    { patient: 'p1', morph_volume: 1000 },
    { patient: 'p3', morph_volume: 3000 },
    { patient: 'p9', morph_volume: Number.NaN },
  ];

  it('stores rows as a dataset read through the same handles (non-finite values missing)', async () => {
    expect(await store.registerDerived(features(rows))).toEqual({ rows: 4 });
    const ds = store.get('radiomics');
    expect(await ds.count()).toBe(4);
    const m = await ds.moments(['morph_volume']);
    expect(m[0]).toMatchObject({ n: 3, missing: 1, mean: 2000 });
    expect(store.dictionaries().map((d) => d.name)).toEqual(['outcomes', 'radiomics']);
  });

  it('joins to a declared dataset by the patient key, keeping its order and its consent opt-outs', async () => {
    const joined = features(rows, { join: { dataset: 'outcomes', column: 'pid' } });
    expect(await store.registerDerived(joined)).toEqual({ rows: 2 });
    const ds = store.get('radiomics');
    expect(ds.dictionary.columns.map((c) => c.name)).toEqual(['pid', 'age', 'dead', 'morph_volume']);
    const { data } = await ds.readColumns(['age', 'dead', 'morph_volume']);
    expect([...(data.age as Float64Array)]).toEqual([61, 70]);
    expect([...(data.morph_volume as Float64Array)]).toEqual([1000, 2000]);
    expect(ds.version).not.toBe(store.get('outcomes').version);
  });

  it('refuses a declared name, a column clash, and a dictionary without exactly one key', async () => {
    await expect(store.registerDerived({ ...features(rows), name: 'outcomes' })).rejects.toMatchObject({
      code: 'FH_ERR_ALREADY_EXISTS',
    });
    const clash = features(rows, { join: { dataset: 'outcomes', column: 'pid' } });
    await expect(
      store.registerDerived({ ...clash, columns: [...clash.columns, { name: 'age', type: 'numeric' }] }),
    ).rejects.toThrow(/"age" exist in "outcomes" too/);
    await expect(
      store.registerDerived({ ...features(rows), columns: [{ name: 'morph_volume', type: 'numeric' }] }),
    ).rejects.toThrow(/exactly one column must be the record key/);
    await expect(
      store.registerDerived(features(rows, { join: { dataset: 'outcomes', column: 'nope' } })),
    ).rejects.toMatchObject({ code: 'FH_ERR_UNKNOWN_COLUMN' });
  });

  it('survives a restart of the node (rows kept as Parquet, joined again to the current outcomes)', async () => {
    const derivedDir = join(dir, 'derived');
    const declared = [
      {
        name: 'outcomes',
        file: join(dir, 'outcomes.csv'),
        format: 'csv' as const,
        columns: OUTCOMES,
        onInvalid: 'reject' as const,
        optOut: { file: join(dir, 'opt-out.txt'), column: 'pid' },
      },
    ];
    const first = await DatasetStore.open(declared, { derivedDir });
    let version: string;
    try {
      await first.registerDerived(features(rows, { join: { dataset: 'outcomes', column: 'pid' } }));
      await first.registerDerived({ ...features(rows), name: 'plain' });
      version = first.get('radiomics').version;
    } finally {
      first.close();
    }
    const again = await DatasetStore.open(declared, { derivedDir });
    try {
      expect(again.get('radiomics').version).toBe(version);
      const { data } = await again.get('radiomics').readColumns(['age', 'morph_volume']);
      expect([...(data.morph_volume as Float64Array)]).toEqual([1000, 2000]);
      expect(await again.get('plain').count()).toBe(4);
      expect(again.reports.map((r) => [r.dataset, r.rows, r.problems])).toEqual([
        ['outcomes', 3, []],
        ['plain', 4, []],
        ['radiomics', 2, []],
      ]);
    } finally {
      again.close();
    }
    // p2 objects later: the restored join drops them
    writeFileSync(join(dir, 'opt-out.txt'), 'p3\np2\n');
    const later = await DatasetStore.open(declared, { derivedDir });
    try {
      const { data } = await later.get('radiomics').readColumns(['morph_volume']);
      expect([...(data.morph_volume as Float64Array)]).toEqual([1000]);
    } finally {
      later.close();
      writeFileSync(join(dir, 'opt-out.txt'), 'p3\n');
    }
  });

  it("keeps a dataset's value ranges, and reads a derived dataset's again when it is registered again", async () => {
    // p3 (age 55) objected: the declared dataset's ranges are those of the other rows
    expect(await store.valueRanges('outcomes')).toEqual({
      age: { min: 61, max: 80 },
      dead: { min: 0, max: 1 },
    });
    await store.registerDerived({ ...features([{ patient: 'p1', morph_volume: 5 }]), name: 'ranged' });
    expect(await store.valueRanges('ranged')).toEqual({ morph_volume: { min: 5, max: 5 } });
    await store.registerDerived({
      ...features([
        { patient: 'p1', morph_volume: 9 },
        { patient: 'p2', morph_volume: 7 },
      ]),
      name: 'ranged',
    });
    expect(await store.valueRanges('ranged')).toEqual({ morph_volume: { min: 7, max: 9 } });
    await expect(store.valueRanges('absent')).rejects.toMatchObject({ code: 'FH_ERR_UNKNOWN_DATASET' });
  });
});
