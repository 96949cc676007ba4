/**
 * Validating NTCP models across centres through a real hub and real nodes (`fedhub simulate`, loopback
 * processes, secure aggregation): the per-patient gEUD (n = 0.25) that dvh-extract computed from phantom
 * RT DICOM at three nodes (packages/node/fixtures/ntcp-logistic/data.csv, tied to the pipeline by
 * node/src/ntcp-logistic.test.ts) split into one file per centre; `validate` then takes a frozen logistic
 * formula on the gEUD, and a frozen LKB model's probability as a score column. Pooled AUC and Brier equal
 * R's (node/scripts/make-ntcp-validate-fixture.R). Cells of one are allowed (--min-cell 1), so that no
 * score bin is merged and the numbers compare exactly; 16 patients a centre are refused by default.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { lkbNtcp } from '@fedhub/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { FEDHUB_BIN } from '../child-process.js';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('../../../node/fixtures/ntcp-logistic/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fedhub-ntcp-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function centreFiles(): string[] {
  const [, ...lines] = readFileSync(`${fixtures}data.csv`, 'utf8').trim().split('\n');
  const byCentre = new Map<string, string[]>();
  for (const l of lines) {
    const [centre, patient, geud, , y] = l.split(',');
    const p = lkbNtcp(Number(geud), { TD50: 38, m: 0.2 });
    byCentre.set(centre!, [...(byCentre.get(centre!) ?? []), `${patient},${geud},${p},${y}`]);
  }
  return [...byCentre.keys()].sort().map((c, i) => {
    const file = join(dir, `centre-${i + 1}.csv`);
    writeFileSync(file, `patient,geud_n_0_25,p_lkb,y\n${byCentre.get(c)!.join('\n')}\n`);
    return file;
  });
}

async function simulateValidate(files: string[], model: unknown, extra: string[] = []) {
  const { stdout } = await run(
    process.execPath,
    [
      FEDHUB_BIN,
      'simulate',
      '--algorithm',
      'validate',
      ...files.flatMap((f, i) => ['--data', `centre-${i + 1}=${f}`]),
      ...extra,
      '--params',
      JSON.stringify({ outcome: 'y', model, scoreResolution: 0.0001 }),
      '--json',
    ],
    { maxBuffer: 1 << 24 },
  ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  return JSON.parse(stdout) as {
    status: string;
    result?: { pooled: { n: number; events: number; auc: number; brier: number } };
    error?: { code: string };
  };
}

describe('NTCP model validation across centres through a hub and nodes', () => {
  it('a frozen logistic formula on gEUD and a frozen LKB model: pooled AUC and Brier equal R', async () => {
    const R = JSON.parse(readFileSync(`${fixtures}r-validate.json`, 'utf8')) as Record<
      'logistic' | 'lkb',
      { pooled: { n: number; events: number; auc: number; brier: number } }
    >;
    const files = centreFiles();
    const models = {
      logistic: { formula: '~ geud_n_0_25', coefficients: { '(Intercept)': -9, geud_n_0_25: 0.25 } },
      lkb: { score: 'p_lkb' },
    };
    for (const name of ['logistic', 'lkb'] as const) {
      const task = await simulateValidate(files, models[name], ['--min-cell', '1', '--min-subset', '5']);
      expect(task.status).toBe('completed');
      const pooled = task.result!.pooled;
      expect([pooled.n, pooled.events]).toEqual([R[name].pooled.n, R[name].pooled.events]);
      expect(Math.abs(pooled.auc - R[name].pooled.auc)).toBeLessThan(1e-9);
      expect(Math.abs(pooled.brier - R[name].pooled.brier)).toBeLessThan(1e-4);
    }
    // under the default policy, 16 patients a centre leave score-bin cells under 5: refused, nothing released
    const refused = await simulateValidate(files, models.logistic);
    expect(refused.status).toBe('failed');
    expect(refused.result ?? null).toBeNull();
  }, 180_000);
});
