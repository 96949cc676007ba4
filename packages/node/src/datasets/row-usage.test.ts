/**
 * The rows each read books for the privacy ledger: the rows the aggregate actually used (issue #14,
 * class 4), not the filter's selection. Row ids are the table's, in file order.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordSet } from '../governance/record-set.js';
import { COUNT_KEY } from './duckdb-dataset.js';
import { DatasetStore } from './duckdb-store.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-row-usage-'));
let store: DatasetStore;
// row i: id p<i>, x missing at rows 1 and 4, w zero at row 2, g missing at row 3
const csv = 'id,x,w,g,y\np0,1,1,a,1\np1,,1,a,2\np2,3,0,b,3\np3,4,1,,4\np4,,1,b,5\np5,6,2,a,6\n';
beforeAll(async () => {
  const file = join(dir, 'd.csv');
  writeFileSync(file, csv);
  store = await DatasetStore.open([
    {
      name: 'd',
      file,
      format: 'csv',
      onInvalid: 'reject',
      columns: [
        { name: 'id', type: 'categorical', identifier: true },
        { name: 'x', type: 'numeric' },
        { name: 'w', type: 'numeric' },
        { name: 'g', type: 'categorical', levels: ['a', 'b'] },
        { name: 'y', type: 'numeric' },
      ],
    },
  ]);
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function ids(s: RecordSet | undefined): number[] {
  const out: number[] = [];
  if (s) for (let i = 0; i < s.bits.length * 8; i++) if (s.bits[i >> 3]! & (1 << (i & 7))) out.push(i);
  return out;
}

describe('rows used per read', () => {
  it('moments and histogram book the non-missing rows of each column; counts the selection', async () => {
    const d = store.get('d').tracked();
    await d.moments(['x', 'y']);
    await d.histogram('x', [0, 10]);
    const u = await d.usage();
    expect(ids(u.get('x'))).toEqual([0, 2, 3, 5]);
    expect(ids(u.get('y'))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ids(u.get(COUNT_KEY))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('readColumns books the rows it returns, less zero weights, per column; the selection for counts', async () => {
    const d = store.get('d').tracked();
    await d.readColumns(['y', 'x', 'w'], { column: 'y', op: 'le', value: 5 }, { weights: 'w' });
    const u = await d.usage();
    expect(ids(u.get('y'))).toEqual([0, 3]);
    expect(ids(u.get('x'))).toEqual([0, 3]);
    expect(ids(u.get(COUNT_KEY))).toEqual([0, 1, 2, 3, 4]);
  });

  it('groupCounts books the selection behind its counts, no summed column; an untouched dataset nothing', async () => {
    const d = store.get('d').tracked();
    expect((await d.usage()).size).toBe(0);
    await d.groupCounts(['g'], { column: 'y', op: 'ge', value: 2 });
    const u = await d.usage();
    expect([...u.keys()]).toEqual([COUNT_KEY]);
    expect(ids(u.get(COUNT_KEY))).toEqual([1, 2, 3, 4, 5]);
  });

  it('identifies rows by the record identifier, whatever their position', async () => {
    const k = await store.get('d').rowKeys();
    expect(k.rowids).toEqual([0, 1, 2, 3, 4, 5]);
    expect(k.keys).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
  });

  it("a derived dataset joined to the source has the source's namespace and row identities", async () => {
    await store.registerDerived({
      name: 'feat',
      columns: [
        { name: 'key', type: 'categorical', identifier: true },
        { name: 'f', type: 'numeric' },
      ],
      rows: [
        { key: 'p5', f: 1 },
        { key: 'p2', f: 2 },
      ],
      join: { dataset: 'd', column: 'id' },
    });
    const derived = store.get('feat');
    expect(derived.lineage.root).toBe('d');
    const mine = await derived.rowKeys();
    const source = await store.get('d').rowKeys();
    expect(mine.keys).toEqual(['p2', 'p5']);
    for (const k of mine.keys) expect(source.keys).toContain(k);
  });
});
