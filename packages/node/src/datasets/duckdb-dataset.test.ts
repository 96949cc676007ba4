import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
