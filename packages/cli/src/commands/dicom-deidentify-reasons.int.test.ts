/**
 * Issue 19, item 7: `fedhub dicom deidentify --json` says why each file failed (the engine's reason), and
 * the reason holds no patient value; item 1: the summary adds up to the files given and to the files written.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FEDHUB_BIN } from '../child-process.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fixtures = resolve(repoRoot, 'packages/dicom/fixtures/dose');
const work = mkdtempSync(join(tmpdir(), 'fedhub-deid-reasons-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('fedhub dicom deidentify --json', () => {
  it('carries the engine reason of each failure, without patient values, and counts every file once', async () => {
    const inDir = join(work, 'in');
    mkdirSync(inDir);
    const ct = readFileSync(join(fixtures, 'ct-body-1.dcm'));
    writeFileSync(join(inDir, 'ok.dcm'), ct);
    writeFileSync(join(inDir, 'ok-again.dcm'), ct); // the same file twice: a duplicate, not a loss
    writeFileSync(join(inDir, 'cut.dcm'), ct.subarray(0, ct.length - 7));
    writeFileSync(join(inDir, 'notes.txt'), 'plain text');
    writeFileSync(join(inDir, 'page.dcm'), readFileSync(join(fixtures, 'dose-page-burned-in.dcm')));
    const { stdout } = await run(process.execPath, [
      FEDHUB_BIN,
      'dicom',
      'deidentify',
      inDir,
      join(work, 'out'),
      '--key-file',
      join(work, 'key'),
      '--create-key',
      '--json',
    ]).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    const r = JSON.parse(stdout) as {
      ok: number;
      duplicates: number;
      quarantined: number;
      rejected: number;
      failures: Array<{ file: string; status: string; code: string; reason: string }>;
    };
    expect(r).toMatchObject({ ok: 1, duplicates: 1, quarantined: 1, rejected: 2 });
    const written = readdirSync(join(work, 'out'), { recursive: true, withFileTypes: true }).filter((e) =>
      e.isFile(),
    );
    expect(written).toHaveLength(r.ok);
    const by = Object.fromEntries(r.failures.map((f) => [f.file, f]));
    expect(by['cut.dcm']).toMatchObject({ status: 'rejected', code: 'FH_ERR_DICOM_TRUNCATED' });
    expect(by['cut.dcm']?.reason).toMatch(/truncated|declares|left/);
    expect(by['notes.txt']).toMatchObject({ code: 'FH_ERR_DICOM_NOT_DICOM' });
    expect(by['notes.txt']?.reason).toMatch(/not a DICOM file/);
    expect(by['page.dcm']).toMatchObject({ status: 'quarantined', code: 'FH_QUAR_BURNED_IN_ANNOTATION' });
    expect(by['page.dcm']?.reason).toMatch(/Burned In Annotation/);
    // no value of the files in any reason: accession number, descriptions, original UIDs, dates
    for (const f of r.failures)
      for (const v of ['ACC1', 'CHEST', 'CAP', '2.25.918273645546372819', '20240301'])
        expect(f.reason, f.file).not.toContain(v);
  });
});
