import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inferDictionary } from './infer-dictionary.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-infer-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inferDictionary', () => {
  it('types columns, lists the levels of few-valued text and marks many-valued text as identifier', async () => {
    const file = join(dir, 'cohort.csv');
    const rows = ['record,age,dose,arm,site,flag,visit'];
    // 3000 rows: "site" has exactly 50 distinct values (the most listed as levels), "record" 3000
    for (let i = 0; i < 3000; i++)
      rows.push(
        `r${i},${40 + (i % 37)},${(60 + (i % 7) * 0.5).toFixed(1)},${['B', 'A', 'C'][i % 3]},s${String(i % 50).padStart(2, '0')},${i % 2 === 0},2024-01-${String(1 + (i % 28)).padStart(2, '0')}`,
      );
    rows.push(',NA,,,,,');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const cols = await inferDictionary(file);
    expect(cols).toEqual([
      { name: 'record', type: 'categorical', identifier: true },
      { name: 'age', type: 'integer' },
      { name: 'dose', type: 'numeric' },
      { name: 'arm', type: 'categorical', levels: ['A', 'B', 'C'] },
      {
        name: 'site',
        type: 'categorical',
        levels: Array.from({ length: 50 }, (_, i) => `s${String(i).padStart(2, '0')}`),
      },
      { name: 'flag', type: 'boolean' },
      { name: 'visit', type: 'date' },
    ]);
  });

  it('treats text with more than 50 distinct values as an identifier', async () => {
    const file = join(dir, 'many.csv');
    const rows = ['code,x'];
    for (let i = 0; i < 5000; i++) rows.push(`c${i % 51},${i}`);
    writeFileSync(file, `${rows.join('\n')}\n`);
    expect(await inferDictionary(file)).toEqual([
      { name: 'code', type: 'categorical', identifier: true },
      { name: 'x', type: 'integer' },
    ]);
  });
});
