/**
 * `fedhub simulate --algorithm validate` with an ONNX file: the throwaway hub registers the file (checks,
 * signature, digest), three node processes' agents fetch it by digest over the node protocol, check it, run
 * it in onnxruntime under limits and release only validation aggregates. The pooled metrics are compared
 * with numpy/statsmodels on the same predictions (packages/algorithms/scripts/make-onnx-validate-fixture.py).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FEDHUB_BIN } from '../child-process.js';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('../../../algorithms/fixtures/onnx-validate/', import.meta.url));
const ref = JSON.parse(readFileSync(join(fixtures, 'reference.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'fedhub-onnx-int-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const lines = readFileSync(join(fixtures, 'cohort.csv'), 'utf8').trim().split('\n');
const dataArgs = ['A', 'B', 'C'].flatMap((c) => {
  const f = join(work, `centre-${c}.csv`);
  writeFileSync(f, `${lines[0]}\n${lines.filter((l) => l.startsWith(`${c},`)).join('\n')}\n`);
  return ['--data', `centre-${c}=${f}`];
});

async function simulate(model: Record<string, unknown>) {
  try {
    const { stdout } = await run(
      process.execPath,
      [
        FEDHUB_BIN,
        'simulate',
        '--algorithm',
        'validate',
        ...dataArgs,
        // the 0.001 score grid leaves score bins of one patient: allowed here to compare the numbers
        '--min-cell',
        '1',
        '--params',
        JSON.stringify({ outcome: 'y', model }),
        '--json',
      ],
      { maxBuffer: 1 << 24, timeout: 240_000 },
    );
    return { code: 0, out: JSON.parse(stdout), stderr: '' };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: null, stderr: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('fedhub simulate --algorithm validate with an ONNX model', () => {
  it('equals the pooled computation on the same predictions', async () => {
    const r = await simulate({
      onnx: join(fixtures, 'logistic.onnx'),
      inputs: { features: ['age', 'dose_gy', 'male'] },
      output: 'probability',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.out.status).toBe('completed');
    const pooled = r.out.result.pooled;
    expect(r.out.result.model.onnx).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pooled.n).toBe(ref.n);
    expect(Math.abs(pooled.auc - ref.auc)).toBeLessThan(1e-3);
    expect(Math.abs(pooled.brier - ref.brier)).toBeLessThan(1e-4);
    expect(Math.abs(pooled.calibrationSlope - ref.calibrationSlope)).toBeLessThan(1e-3);
    expect(Math.abs(pooled.calibrationInLarge - ref.calibrationInLarge)).toBeLessThan(1e-3);
    expect(pooled.excluded).toEqual({ missingValues: 9, centresWithFewerMissingThanMinimum: 0 });
    expect(r.out.result.nodes).toHaveLength(3);
  }, 300_000);

  it('refuses a column mapping that does not fit the model before any node runs it', async () => {
    const r = await simulate({
      onnx: join(fixtures, 'logistic.onnx'),
      inputs: { features: ['age', 'dose_gy'] },
      output: 'probability',
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('FH_ERR_MODEL_INPUT_MISMATCH');
    expect(r.stderr).toContain('takes 3 columns; 2 are named');
  }, 300_000);
});
