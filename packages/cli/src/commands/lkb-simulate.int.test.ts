/**
 * `fedhub simulate --algorithm lkb` on three long-format DVH files (patient, dose, volume, outcome): the
 * federated LKB fit with secure aggregation against R's optim on the pooled DVHs, with profile-likelihood
 * intervals (reference from packages/algorithms/src/lkb/make-fixtures.R).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TaskDetail } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { FEDHUB_BIN } from '../child-process.js';
import { formatTaskOutcome } from '../format-result.js';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('../../../algorithms/src/lkb/fixtures/', import.meta.url));

interface Reference {
  patients: number;
  events: number;
  TD50: number;
  m: number;
  n: number;
  logLik: number;
  ci95: Record<'TD50' | 'm' | 'n', [number, number]>;
  fixedN1: { TD50: number; m: number; logLik: number; ci95: Record<'TD50' | 'm', [number, number]> };
}

async function simulateLkb(extra: Record<string, unknown> = {}) {
  const { stdout } = await run(
    process.execPath,
    [
      FEDHUB_BIN,
      'simulate',
      '--algorithm',
      'lkb',
      ...['a', 'b', 'c'].flatMap((k) => ['--data', `centre-${k}=${fixtures}lkb-${k}.csv`]),
      '--params',
      JSON.stringify({ patient: 'patient', dose: 'dose', volume: 'volume', outcome: 'outcome', ...extra }),
      '--json',
    ],
    { maxBuffer: 1 << 24 },
  );
  return JSON.parse(stdout) as {
    status: string;
    result: {
      estimates: Record<'TD50' | 'm' | 'n', number>;
      profileIntervals: Record<'TD50' | 'm' | 'n', [number | null, number | null]>;
      logLik: number;
      patients: number;
      events: number;
      converged: boolean;
    };
  };
}

describe('fedhub simulate --algorithm lkb', () => {
  it('equals the pooled maximum-likelihood LKB fit and its profile intervals (R optim) to 1e-6', async () => {
    const ref = JSON.parse(readFileSync(`${fixtures}lkb-reference.json`, 'utf8')) as Reference;
    const { stdout } = await run(
      process.execPath,
      [
        FEDHUB_BIN,
        'simulate',
        '--algorithm',
        'lkb',
        ...['a', 'b', 'c'].flatMap((k) => ['--data', `centre-${k}=${fixtures}lkb-${k}.csv`]),
        '--params',
        '{"patient": "patient", "dose": "dose", "volume": "volume", "outcome": "outcome"}',
        '--json',
      ],
      { maxBuffer: 1 << 24 },
    );
    const task = JSON.parse(stdout) as {
      status: string;
      result: {
        estimates: Record<'TD50' | 'm' | 'n', number>;
        profileIntervals: Record<'TD50' | 'm' | 'n', [number, number]>;
        logLik: number;
        patients: number;
        events: number;
        converged: boolean;
        ntcpCurve: Array<{ geudGy: number; ntcp: number; lower: number; upper: number }>;
      };
    };
    expect(task.status).toBe('completed');
    const r = task.result;
    expect([r.patients, r.events, r.converged]).toEqual([ref.patients, ref.events, true]);
    const rel = (a: number, b: number) => Math.abs(a / b - 1);
    expect(rel(r.logLik, ref.logLik)).toBeLessThan(1e-9);
    for (const k of ['TD50', 'm', 'n'] as const) {
      expect(rel(r.estimates[k], ref[k])).toBeLessThan(1e-6);
      expect(rel(r.profileIntervals[k][0], ref.ci95[k][0])).toBeLessThan(1e-6);
      expect(rel(r.profileIntervals[k][1], ref.ci95[k][1])).toBeLessThan(1e-6);
    }
    // the NTCP curve: 1/2 at TD50, inside its interval, increasing
    const atTd50 = r.ntcpCurve[20]!;
    expect(rel(atTd50.geudGy, ref.TD50)).toBeLessThan(1e-5);
    expect(atTd50.ntcp).toBeCloseTo(0.5, 5);
    expect(atTd50.lower).toBeLessThan(0.5);
    expect(atTd50.upper).toBeGreaterThan(0.5);
    for (let i = 1; i < r.ntcpCurve.length; i++)
      expect(r.ntcpCurve[i]!.ntcp).toBeGreaterThan(r.ntcpCurve[i - 1]!.ntcp);
    const text = formatTaskOutcome(task as unknown as TaskDetail);
    expect(text).toContain(`LKB NTCP: ${ref.patients} patients, ${ref.events} with the complication`);
    expect(text).toMatch(/TD50\s+42\.87\s+40\.23 \.\. 45\.61/);
    // the curve with its CI in one column, "lower to upper" (the shared number format)
    expect(text).toMatch(/gEUD \(Gy\)\s+NTCP\s+95% CI/);
    expect(text).toMatch(/\d to \d/);
  });

  it('with n fixed at 1 (a mean-dose model) equals R optim over TD50 and m, with their profile intervals', async () => {
    const ref = JSON.parse(readFileSync(`${fixtures}lkb-reference.json`, 'utf8')) as Reference;
    const task = await simulateLkb({ n: 1 });
    expect(task.status).toBe('completed');
    const r = task.result;
    const rel = (a: number, b: number) => Math.abs(a / b - 1);
    expect(r.estimates.n).toBe(1);
    expect(r.profileIntervals.n).toEqual([null, null]);
    expect(rel(r.logLik, ref.fixedN1.logLik)).toBeLessThan(1e-9);
    for (const k of ['TD50', 'm'] as const) {
      expect(rel(r.estimates[k], ref.fixedN1[k])).toBeLessThan(1e-6);
      expect(rel(r.profileIntervals[k][0]!, ref.fixedN1.ci95[k][0])).toBeLessThan(1e-6);
      expect(rel(r.profileIntervals[k][1]!, ref.fixedN1.ci95[k][1])).toBeLessThan(1e-6);
    }
  });
});
