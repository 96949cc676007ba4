/**
 * Issue 19, item 3: `fedhub dicom deidentify` over a folder of truncated files aborted now and then with exit
 * 134 (a V8 `NodePlatform::ForIsolate` check in a compile thread) because the worker pool terminated
 * threads that were still starting. This runs the real CLI over 200 truncated real files again and again
 * (bounded to about 40 s) and requires every run to end normally with its summary.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FEDHUB_BIN } from '../child-process.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fixtures = resolve(repoRoot, 'packages/dicom/fixtures/dose');
const work = mkdtempSync(join(tmpdir(), 'fedhub-pool-stress-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('fedhub dicom deidentify: worker pool start-up and shutdown under repetition', () => {
  it('ends every run normally with a summary (no abort while workers start or stop)', () => {
    const inDir = join(work, 'in');
    mkdirSync(inDir);
    const sources = readdirSync(fixtures)
      .filter((f) => f.endsWith('.dcm'))
      .map((f) => readFileSync(join(fixtures, f)));
    for (let i = 0; i < 200; i++) {
      const src = sources[i % sources.length]!;
      // cut anywhere from the preamble to just before the end
      writeFileSync(join(inDir, `t${i}.dcm`), src.subarray(0, 100 + ((i * 7919) % (src.length - 100))));
    }
    const started = Date.now();
    const codes: Array<number | string | null> = [];
    for (let run = 0; run < 25 && (run < 3 || Date.now() - started < 35_000); run++) {
      const out = join(work, `out${run}`);
      const r = spawnSync(
        process.execPath,
        [
          FEDHUB_BIN,
          'dicom',
          'deidentify',
          inDir,
          out,
          '--key-file',
          join(work, 'key'),
          '--create-key',
          '--json',
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      codes.push(r.signal ?? r.status);
      expect(r.signal, r.stderr.slice(0, 2000)).toBeNull();
      expect([0, 2], r.stderr.slice(0, 2000)).toContain(r.status);
      const summary = JSON.parse(r.stdout) as Record<string, number>;
      expect(summary.ok! + summary.duplicates! + summary.quarantined! + summary.rejected!).toBe(200);
      rmSync(out, { recursive: true, force: true });
    }
    expect(codes.length).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
