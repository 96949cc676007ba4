import { DisclosurePolicySchema, type Json } from '@fedhub/protocol';
import { normalCdf } from '@fedhub/stats';
import { describe, expect, it } from 'vitest';
import type { DatasetHandle, LocalContext } from '../types.js';
import { lkb } from './lkb.js';
import { type LkbData, lkbPartial, logGeud, ntcpCurve, type Theta } from './lkb-math.js';

// two patients, three bins each (relative volumes)
const data: LkbData = {
  start: Int32Array.from([0, 3, 6]),
  dose: Float64Array.from([10, 30, 60, 5, 40, 70]),
  volume: Float64Array.from([0.5, 0.3, 0.2, 0.6, 0.3, 0.1]),
  outcome: Uint8Array.from([1, 0]),
  logMaxDose: Float64Array.from([Math.log(60), Math.log(70)]),
};

describe('LKB partials', () => {
  it('log gEUD and its derivative in log n match the definition and finite differences', () => {
    const s = Math.log(0.25);
    const g = (0.5 * 10 ** 4 + 0.3 * 30 ** 4 + 0.2 * 60 ** 4) ** 0.25;
    expect(Math.exp(logGeud(data, 0, s).logG)).toBeCloseTo(g, 10);
    const h = 1e-6;
    const fd = (logGeud(data, 0, s + h).logG - logGeud(data, 0, s - h).logG) / (2 * h);
    expect(logGeud(data, 0, s).dLogG).toBeCloseTo(fd, 7);
  });

  it('the gradient is the derivative of the log-likelihood; the likelihood is the probit one', () => {
    const th: Theta = [Math.log(40), Math.log(0.3), Math.log(0.4)];
    const p = lkbPartial(data, [th]);
    const h = 1e-6;
    for (let a = 0; a < 3; a++) {
      const up = [...th] as [number, number, number];
      const dn = [...th] as [number, number, number];
      up[a] = th[a]! + h;
      dn[a] = th[a]! - h;
      const fd = (lkbPartial(data, [up])[0]! - lkbPartial(data, [dn])[0]!) / (2 * h);
      expect(p[1 + a]).toBeCloseTo(fd, 6);
    }
    // the log-likelihood by hand: log Phi(t) for the patient with the complication, log(1 - Phi(t)) for the other
    const t = (i: number) => (Math.exp(logGeud(data, i, th[2]).logG) / 40 - 1) / 0.3;
    expect(p[0]).toBeCloseTo(Math.log(normalCdf(t(0))) + Math.log(1 - normalCdf(t(1))), 12);
    // Fisher information: symmetric positive semi-definite (a Gram matrix of the patients' gradients)
    expect(p[4]! * p[7]! - p[5]! * p[5]!).toBeGreaterThanOrEqual(-1e-12);
  });
});

function fakeContext(rows: Array<[string, number, number, number]>): LocalContext {
  const ds: Partial<DatasetHandle> = {
    column: (name: string) => ({ name, type: name === 'pid' ? 'categorical' : 'numeric' }) as never,
    readColumns: async () => ({
      n: rows.length,
      data: {
        pid: rows.map((r) => r[0]),
        dose: Float64Array.from(rows, (r) => r[1]),
        vol: Float64Array.from(rows, (r) => r[2]),
        tox: Float64Array.from(rows, (r) => r[3]),
      },
    }),
  };
  return {
    node: { id: 'n', name: 'n' },
    policy: DisclosurePolicySchema.parse({}),
    dataset: async () => ds as DatasetHandle,
    cache: new Map(),
  };
}
const params = lkb.paramsSchema.parse({
  dataset: 'dvh',
  patient: 'pid',
  dose: 'dose',
  volume: 'vol',
  outcome: 'tox',
});

describe('lkb local half', () => {
  it('declares the patients with outcome 1 and 0 as cells and releases only sums', async () => {
    const rows: Array<[string, number, number, number]> = [
      ['A', 10, 0.5, 1],
      ['A', 50, 0.5, 1],
      ['B', 20, 1, 0],
      ['C', 30, 0.25, 0],
      ['C', 60, 0.75, 0],
    ];
    const r = await lkb.local(fakeContext(rows), params, { phase: 'start' } as Json, 1);
    expect(r.disclosure).toEqual({
      subsetSize: 3,
      cells: [
        { label: 'patients with outcome 1', count: 1, kind: 'outcome' },
        { label: 'patients with outcome 0', count: 2, kind: 'outcome' },
      ],
      parameters: 3,
    });
    // counts and sums of mean doses: 1 event (mean 30), 2 others (means 20 and 52.5)
    expect((r.payload as { additive: number[] }).additive).toEqual([1, 2, 30, 72.5, 900 + 400 + 52.5 ** 2]);
  });

  it('refuses outcomes that change within a patient and fractions that do not sum to 1, naming no patient', async () => {
    const mixed = fakeContext([
      ['PATIENT-X', 10, 0.5, 1],
      ['PATIENT-X', 50, 0.5, 0],
    ]);
    await expect(lkb.local(mixed, params, { phase: 'start' } as Json, 1)).rejects.toThrow(
      /column "tox" must hold 0 or 1, the same on every row of a patient/,
    );
    const cc = fakeContext([
      ['PATIENT-X', 10, 12, 1],
      ['PATIENT-X', 50, 3, 1],
    ]);
    const err = await lkb.local(cc, params, { phase: 'start' } as Json, 1).catch((e: Error) => e);
    expect(String((err as Error).message)).toMatch(/volumeKind 'fraction'/);
    expect(String((err as Error).message)).not.toContain('PATIENT-X');
    const asCc = lkb.paramsSchema.parse({ ...params, volumeKind: 'cc' });
    const ok = await lkb.local(cc, asCc, { phase: 'start' } as Json, 1);
    expect((ok.payload as { additive: number[] }).additive[2]).toBeCloseTo(0.8 * 10 + 0.2 * 50, 12);
  });
});

describe('NTCP curve', () => {
  it('is 1/2 at TD50 with the Wald interval of log TD50 there, and increases with gEUD', () => {
    const cov = [
      [0.04, 0.01],
      [0.01, 0.09],
    ];
    const [lo, mid, hi] = ntcpCurve(50, 0.2, cov, [40, 50, 60], 0.95);
    expect(mid!.ntcp).toBeCloseTo(0.5, 15);
    // t = 0: grad = (-1/m, 0), se = sqrt(0.04) / 0.2 = 1
    expect(mid!.lower).toBeCloseTo(normalCdf(-1.959963984540054), 12);
    expect(mid!.upper).toBeCloseTo(normalCdf(1.959963984540054), 12);
    expect(lo!.ntcp).toBeCloseTo(normalCdf(-1), 12);
    expect(hi!.ntcp).toBeCloseTo(normalCdf(1), 12);
    // at 60 Gy: t = 1, grad = (-6, -1): var = 36 * 0.04 + 2 * 6 * 0.01 + 0.09 = 1.65
    expect(hi!.lower).toBeCloseTo(normalCdf(1 - 1.959963984540054 * Math.sqrt(1.65)), 12);
  });
});
