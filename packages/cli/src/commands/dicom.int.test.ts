/**
 * `fedhub dicom deidentify` end to end on the real dose reports: every report de-identified, the burned-in
 * dose screen quarantined, non-DICOM files rejected, dcmtk's dcmdump parses every output, and the
 * de-identified reports still give the same dose totals.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { extractDoseReport } from '@fedhub/dicom';
import { afterAll, describe, expect, it } from 'vitest';
import { FEDHUB_BIN } from '../child-process.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const rdsr = resolve(repoRoot, '../shared/reference/rdsr');
const work = mkdtempSync(join(tmpdir(), 'fedhub-deid-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('fedhub dicom deidentify', () => {
  it('de-identifies the reference dose reports, quarantines the burned-in page, keeps the doses', async () => {
    expect(existsSync(rdsr), `reference data missing at ${rdsr}`).toBe(true);
    const out = join(work, 'out');
    const { stdout } = await run(process.execPath, [
      FEDHUB_BIN,
      'dicom',
      'deidentify',
      rdsr,
      out,
      '--key-file',
      join(work, 'key'),
      '--create-key',
      '--reid-map',
      join(work, 'reid.sealed'),
      '--json',
    ]);
    const r = JSON.parse(stdout) as {
      ok: number;
      quarantined: number;
      rejected: number;
      failures: Array<{ file: string; code: string }>;
    };
    const dcm = readdirSync(rdsr).filter((f) => f.endsWith('.dcm'));
    expect(r.ok).toBe(dcm.length - 1);
    expect(r.failures.find((f) => f.file.startsWith('CT-SC-Philips'))?.code).toBe(
      'FH_QUAR_BURNED_IN_ANNOTATION',
    );
    const outputs = filesUnder(out);
    expect(outputs).toHaveLength(r.ok);
    // no input name, patient name or id survives in the output paths or bytes
    for (const f of outputs) {
      expect(f).not.toMatch(/OpenREM|Siemens|QATesting/);
      expect(readFileSync(f).includes(Buffer.from('OpenREM^'))).toBe(false);
    }
    // the dose values survive: total DLP per de-identified report equals the original's
    const totals = (files: string[]) =>
      files
        .map((f) => {
          try {
            return extractDoseReport(readFileSync(f)).totals.eventDlpSumMGyCm;
          } catch {
            return null;
          }
        })
        .filter((x): x is number => typeof x === 'number')
        .sort((a, b) => a - b);
    expect(totals(outputs)).toEqual(
      totals(dcm.filter((f) => !f.startsWith('CT-SC')).map((f) => join(rdsr, f))),
    );
  });

  it('a CD export with a DICOMDIR comes out as a File-set whose DICOMDIR is rebuilt', async () => {
    const fileset = resolve(repoRoot, 'packages/dicom/fixtures/dicomdir/fileset');
    const out = join(work, 'fileset-out');
    const { stdout } = await run(process.execPath, [
      FEDHUB_BIN,
      'dicom',
      'deidentify',
      fileset,
      out,
      '--key-file',
      join(work, 'key'),
      '--create-key',
      '--json',
    ]);
    const r = JSON.parse(stdout) as { ok: number; dicomdir?: unknown; failures: unknown[] };
    expect(r).toMatchObject({
      ok: 5,
      failures: [],
      dicomdir: { inputs: 1, files: 5, records: 12, unreferenced: 0 },
    });
    const outputs = filesUnder(out).map((f) => f.slice(out.length + 1));
    expect(outputs).toHaveLength(6);
    expect(outputs).toContain('DICOMDIR');
    for (const f of outputs) expect(f).toMatch(/^([A-Z0-9_]{1,8}\/)*[A-Z0-9_]{1,8}$/);
    const d = await run('dcmdump', ['-q', join(out, 'DICOMDIR')]);
    expect(d.stdout.match(/\(0004,1430\) CS \[IMAGE\]/g)).toHaveLength(5);
    expect(d.stdout).not.toMatch(/DOE|ROE|MRN/);
  });

  it('every output parses with dcmtk dcmdump', async () => {
    const out = join(work, 'out');
    const outputs = filesUnder(out);
    for (const f of outputs) {
      const { stderr } = await run('dcmdump', ['-q', f]);
      expect(stderr).toBe('');
    }
  });

  it('names an unknown option', async () => {
    await expect(
      run(process.execPath, [
        FEDHUB_BIN,
        'dicom',
        'deidentify',
        rdsr,
        join(work, 'x'),
        '--key-file',
        join(work, 'key'),
        '--options',
        'retain-everything',
      ]),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('unknown option "retain-everything"'),
    });
  });
});
