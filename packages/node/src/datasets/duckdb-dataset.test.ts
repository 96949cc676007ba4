import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rowIdsOf } from '@fedhub/algorithms';
import { CODED_LEVELS, type CodedLevels } from '@fedhub/stats';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetStore } from './duckdb-store.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-readcolumns-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readColumns', () => {
  it('returns numbers (NaN for missing) and text (null for missing) in file order, for few- and many-valued text', async () => {
    const file = join(dir, 'd.csv');
    const rows: Array<[string, string, string, string]> = [];
    // 5000 rows: more than one DuckDB chunk (2048); "site" has 300 values (read as text), "arm" 3 (read as codes)
    for (let i = 0; i < 5000; i++)
      rows.push([
        i % 97 === 0 ? '' : String((i * 7919) % 1000) + '.25',
        i % 89 === 0 ? 'NA' : ['b', "o'k", 'a'][i % 3]!,
        i % 83 === 0 ? '' : `s${(i * 31) % 300}`,
        String(i % 2 === 0),
      ]);
    writeFileSync(file, `x,arm,site,flag\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    const store = await DatasetStore.open([
      {
        name: 'd',
        file,
        format: 'csv',
        onInvalid: 'reject',
        columns: [
          { name: 'x', type: 'numeric' },
          { name: 'arm', type: 'categorical' },
          { name: 'site', type: 'categorical' },
          { name: 'flag', type: 'boolean' },
        ],
      },
    ]);
    try {
      const { n, data } = await store
        .get('d')
        .readColumns(['x', 'arm', 'site', 'flag'], undefined, { allowMissing: ['x', 'arm', 'site'] });
      expect(n).toBe(5000);
      const x = data.x as Float64Array;
      expect(x).toBeInstanceOf(Float64Array);
      rows.forEach(([xs, arm, site, flag], i) => {
        if (xs === '') expect(x[i]).toBeNaN();
        else expect(x[i]).toBe(Number(xs));
        expect(data.arm![i]).toBe(arm === 'NA' ? null : arm);
        expect(data.site![i]).toBe(site === '' ? null : site);
        expect((data.flag as Float64Array)[i]).toBe(flag === 'true' ? 1 : 0);
      });
      // rows with a missing required column are left out
      const req = await store.get('d').readColumns(['x', 'arm'], undefined, { allowMissing: [] });
      expect(req.n).toBe(rows.filter(([xs, arm]) => xs !== '' && arm !== 'NA').length);
    } finally {
      store.close();
    }
  });

  it('carries level codes (one byte per row, two past 255 levels), row ids, and shared numbers on request', async () => {
    const file = join(dir, 'codes.csv');
    const levels = Array.from({ length: 256 }, (_, k) => `g${String(k).padStart(3, '0')}`);
    const rows: Array<[string, string, string]> = [];
    for (let i = 0; i < 4500; i++)
      rows.push([
        i % 101 === 0 ? '' : String(i / 4),
        i % 53 === 0 ? '' : levels[(i * 37) % 256]!,
        ['b', 'a', 'c'][i % 3]!,
      ]);
    writeFileSync(file, `x,g,arm\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    const store = await DatasetStore.open([
      {
        name: 'c',
        file,
        format: 'csv',
        onInvalid: 'reject',
        columns: [
          { name: 'x', type: 'numeric' },
          { name: 'g', type: 'categorical' },
          { name: 'arm', type: 'categorical' },
        ],
      },
    ]);
    try {
      const kept = rows.map((r, i) => ({ r, i })).filter(({ r }) => r[0] !== '' && r[1] !== '');
      for (const shared of [false, true]) {
        const { n, data } = await store
          .get('c')
          .tracked()
          .readColumns(['x', 'g', 'arm'], undefined, { knownValues: { g: levels }, shared });
        expect(n).toBe(kept.length);
        const x = data.x as Float64Array;
        expect(x.buffer instanceof SharedArrayBuffer).toBe(shared);
        expect(Array.from(x)).toEqual(kept.map(({ r }) => Number(r[0])));
        expect(Array.from(rowIdsOf(data)!.ids)).toEqual(kept.map(({ i }) => i));
        const g = (data.g as unknown as { [CODED_LEVELS]: CodedLevels })[CODED_LEVELS];
        const arm = (data.arm as unknown as { [CODED_LEVELS]: CodedLevels })[CODED_LEVELS];
        expect(g.codes).toBeInstanceOf(Uint16Array);
        expect(arm.codes).toBeInstanceOf(Uint8Array);
        expect(data.g).toEqual(kept.map(({ r }) => r[1]));
        expect(Array.from(g.codes, (c) => g.levels[c - 1])).toEqual(kept.map(({ r }) => r[1]));
        expect(data.arm).toEqual(kept.map(({ r }) => r[2]));
        expect(Array.from(arm.codes, (c) => arm.levels[c - 1])).toEqual(kept.map(({ r }) => r[2]));
      }
    } finally {
      store.close();
    }
  });
});
