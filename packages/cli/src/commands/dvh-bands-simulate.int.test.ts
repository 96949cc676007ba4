/**
 * `fedhub simulate --algorithm dvh-bands` on three long-format differential DVH files (patient, dose,
 * volume): pooled population DVH bands through secure aggregation, each value within its stated range of
 * R's quantile(type = 7) (reference from packages/algorithms/src/dvh-bands/make-fixtures.R), and the
 * terminal table.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DvhBandsResult, TaskDetail } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { FEDHUB_BIN } from '../child-process.js';
import { formatTaskOutcome } from '../format-result.js';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('../../../algorithms/src/dvh-bands/fixtures/', import.meta.url));

describe('fedhub simulate --algorithm dvh-bands', () => {
  it('releases pooled percentile bands that hold R quantile(type 7) within their stated range', async () => {
    const ref = JSON.parse(readFileSync(`${fixtures}bands-reference.json`, 'utf8')) as {
      levels: number[];
      pooled: number[][];
    };
    const { stdout } = await run(
      process.execPath,
      [
        FEDHUB_BIN,
        'simulate',
        '--algorithm',
        'dvh-bands',
        ...['a', 'b', 'c'].flatMap((k) => ['--data', `centre-${k}=${fixtures}bands-${k}.csv`]),
        '--params',
        '{"patient": "patient", "dose": "dose", "volume": "volume", "structure": "Lung_L"}',
        '--json',
      ],
      { maxBuffer: 1 << 24 },
    );
    const task = JSON.parse(stdout) as { status: string; result: DvhBandsResult };
    expect(task.status).toBe('completed');
    const r = task.result;
    expect(r.doseGy).toEqual(ref.levels);
    expect(r.pooled.patients).toBe(105);
    r.pooled.bands.forEach((b, i) => {
      expect(b.withheld).toBeUndefined();
      ref.levels.forEach((_, j) => {
        expect(b.lower[j]! - 1e-9).toBeLessThanOrEqual(ref.pooled[i]![j]!);
        expect(ref.pooled[i]![j]!).toBeLessThanOrEqual(b.upper[j]! + 1e-9);
      });
    });
    const text = formatTaskOutcome(task as unknown as TaskDetail);
    expect(text).toContain('Population DVH bands of Lung_L');
    expect(text).toContain('across 105 patients pooled over 3 node(s)');
    expect(text).toMatch(/dose \(Gy\)\s+P5\s+P25\s+median\s+P75\s+P95/);
    // below every structure's minimum dose all patients receive it: exactly 100 %
    expect(text).toMatch(/\n\s+0\s+100\s+100\s+100\s+100\s+100\n/);
  });
});
