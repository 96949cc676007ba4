import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { extractDoseFiles } from './extract-files.js';
import { importDoseFolder } from './import-dose-folder.js';
import { listInputFiles } from './walk-files.js';

// Synthetic CT images of @fedhub/dicom (fixtures/dose/make-ct-fixtures.mjs): one study, a body series of three
// images with CTDIvol 10, 12 and 14 mGy and a head series of two images with 50 mGy.
const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../../../dicom/fixtures/dose');
const work = mkdtempSync(join(tmpdir(), 'fedhub-dose-files-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('extractDoseFiles', () => {
  it('groups CT images of a study across files into one event per series, as a single extraction would', async () => {
    const files = (await listInputFiles([FIX])).filter((f) => /[\\/]ct-[^\\/]*\.dcm$/.test(f));
    expect(files).toHaveLength(5);
    const seen: number[] = [];
    const r = await extractDoseFiles(files, { onProgress: (p) => seen.push(p.done) });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(r.skipped).toEqual([]);
    expect(r.reports).toHaveLength(1);
    const events = r.reports[0]?.events ?? [];
    expect(events.map((e) => [e.phantom, e.ctdivolMGy]).sort()).toEqual([
      ['body32', 12],
      ['head16', 50],
    ]);
  });

  it('reports an unreadable path among the inputs as skipped rather than failing', async () => {
    const r = await extractDoseFiles([join(work, 'missing.dcm')]);
    expect(r.reports).toEqual([]);
    expect(r.skipped).toEqual([
      expect.objectContaining({ code: 'FH_ERR_DOSE_UNREADABLE', reason: expect.stringMatching(/ENOENT/) }),
    ]);
  });
});

describe('listInputFiles', () => {
  it('walks folders in path order, skips hidden entries, and names a missing path', async () => {
    const dir = join(work, 'tree');
    mkdirSync(join(dir, 'b', '.cache'), { recursive: true });
    mkdirSync(join(dir, 'a'), { recursive: true });
    for (const f of ['b/2.dcm', 'a/1.dcm', '.DS_Store', 'b/.cache/x.dcm']) writeFileSync(join(dir, f), 'x');
    expect(await listInputFiles([dir])).toEqual([join(dir, 'a/1.dcm'), join(dir, 'b/2.dcm')]);
    await expect(listInputFiles([join(work, 'nope')])).rejects.toMatchObject({ code: 'FH_ERR_VALIDATION' });
  });
});

describe('importDoseFolder with CT images only', () => {
  it('stores the header-fallback study, which gives CTDIvol rows without DLP, and re-imports unchanged', async () => {
    const folder = join(work, 'ct');
    cpSync(FIX, folder, {
      recursive: true,
      filter: (s) => !/\.dcm$/.test(s) || /[\\/]ct-[^\\/]*\.dcm$/.test(s),
    });
    const reg = join(work, 'ct-registry');
    const rules = join(work, 'rules.json');
    writeFileSync(
      rules,
      JSON.stringify({ version: 1, rules: [{ exam: 'head', field: 'any', pattern: '.' }] }),
    );
    const first = await importDoseFolder(folder, reg, { rules });
    expect(first.studies).toEqual([
      expect.objectContaining({
        status: 'added',
        exam: 'head',
        outcome: 'rows',
        events: 2,
        source: 'ct-header',
      }),
    ]);
    const again = await importDoseFolder(folder, reg, { rules });
    expect(again.studies.map((s) => s.status)).toEqual(['unchanged']);
    expect(again.rows).toBe(2);
  });
});
