// Server-side renders of the DVH plot and the dvh-bands view (no browser needed).
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { bandPairs, DvhPlot, dvhDoseAxis } from './dvh-plot.js';
import { ResultView } from './result-view.js';
import { curvesFromRtDvhJson } from './rt-dvh-file.js';

const count = (s: string, needle: string) => s.split(needle).length - 1;
const levels = [0, 10, 20, 30, 40];
const band = (prob: number, value: Array<number | null>, withheld = false) => ({
  prob,
  value: withheld ? value.map(() => null) : value,
  resolution: value.map((v): number | null => (v === null || withheld ? null : v === 100 || v === 0 ? 0 : 1)),
  lower: value.map((v) => (v === null || withheld ? null : Math.max(0, v - 1))),
  upper: value.map((v) => (v === null || withheld ? null : Math.min(100, v + 1))),
  ...(withheld ? { withheld: 'FH_ERR_SMALL_CELL' } : {}),
});
const bands = [
  band(0.05, [100, 60, 20, 2, 0], true),
  band(0.25, [100, 75, 35, 8.5, 0]),
  band(0.5, [100, 85, 50.5, 15, 0.5]),
  band(0.75, [100, 92.5, 66, 27 /* wider */, 1.5]),
  band(0.95, [100, 99.5, 80, 45, 5]),
];
bands[3]!.resolution[3] = 10;
bands[3]!.lower[3] = 21.5;
bands[3]!.upper[3] = 32.5;

describe('DVH plot', () => {
  it('pairs released percentiles symmetric about the median, skipping withheld ones', () => {
    const { pairs, median } = bandPairs(bands);
    // P5 withheld: P25-P75 is a pair; P95 has no partner and is not shaded
    expect(pairs.map(([a, b]) => [a.prob, b.prob])).toEqual([[0.25, 0.75]]);
    expect(median?.prob).toBe(0.5);
  });

  it('draws per-structure curves with Gy and % axes and a legend', () => {
    const out = renderToStaticMarkup(
      createElement(DvhPlot, {
        title: 'DVH',
        fileName: 'dvh',
        curves: [
          { name: 'PTV', doseGy: [0, 58, 60, 62], volumePct: [100, 99, 50, 0] },
          { name: 'Rectum', doseGy: [0, 20, 40, 60], volumePct: [100, 60, 25, 5] },
        ],
      }),
    );
    expect(count(out, 'data-testid="dvh-curve"')).toBe(2);
    expect(out).toContain('Dose (Gy)');
    expect(out).toContain('Volume (%)');
    expect(out).toContain('>PTV<');
    expect(out).toContain('>Rectum<');
  });
});

describe('DVH dose axis', () => {
  // dose levels 0..80 Gy every 2 Gy, as dvh-bands releases them whatever the doses
  const to80 = Array.from({ length: 41 }, (_, i) => 2 * i);
  // a released percentile curve: 100% at 0 Gy, falling linearly to 0% at `end` Gy, exact at 0% and 100%
  const falling = (prob: number, end: number) => {
    const value = to80.map((d) => Math.max(0, Math.round((100 * (end - d)) / end)));
    const exact = (v: number) => v === 0 || v === 100;
    return {
      prob,
      value,
      resolution: value.map((v) => (exact(v) ? 0 : 1)),
      lower: value.map((v) => (exact(v) ? v : v - 0.5)),
      upper: value.map((v) => (exact(v) ? v : v + 0.5)),
    };
  };

  it('ends a little beyond the last dose with a non-zero band, on a round tick, not at the last level', () => {
    // P95 reaches 0% at 64 Gy (last non-zero at 62), the median earlier: the axis ends at the next tick of 10
    const axis = dvhDoseAxis([], { doseGy: to80, bands: [falling(0.5, 40), falling(0.95, 64)] });
    expect(axis.domain).toEqual([0, 70]);
    expect(axis.ticks).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    // low doses (a contralateral organ): 0 to 20 Gy in steps of 2
    const low = dvhDoseAxis([], { doseGy: to80, bands: [falling(0.5, 12), falling(0.95, 19)] });
    expect(low.domain).toEqual([0, 20]);
  });

  it('ignores withheld percentiles, and spans every level when no band is above 0%', () => {
    const withheld = { ...falling(0.95, 78), withheld: 'FH_ERR_SMALL_CELL' as const };
    // the median's last non-zero level is 28 Gy, 0% from the next one, 30 Gy, on
    expect(dvhDoseAxis([], { doseGy: to80, bands: [falling(0.5, 30), withheld] }).domain).toEqual([0, 30]);
    expect(
      dvhDoseAxis([], {
        doseGy: to80,
        bands: [
          band(
            0.5,
            to80.map(() => 0),
          ),
        ],
      }).domain,
    ).toEqual([0, 80]);
  });

  it('covers the per-structure curves beside the bands, the furthest deciding', () => {
    const curve = { name: 'PTV', doseGy: [0, 58, 60, 62, 66], volumePct: [100, 99, 50, 0, 0] };
    expect(dvhDoseAxis([curve]).domain).toEqual([0, 70]);
    expect(dvhDoseAxis([curve], { doseGy: to80, bands: [falling(0.5, 20)] }).domain).toEqual([0, 70]);
  });

  it('draws no tick nor any point past the axis', () => {
    const out = renderToStaticMarkup(
      createElement(DvhPlot, {
        title: 'bands',
        fileName: 'bands',
        bands: { doseGy: to80, bands: [falling(0.25, 20), falling(0.5, 30), falling(0.75, 40)] },
      }),
    );
    // P75 falls to 0% at 40 Gy: the dose axis ends there (ticks 0, 5, ..., 40), not at 80 Gy
    const doseTicks = [...out.matchAll(/<text y="16" text-anchor="middle" fill="#222">([\d.]+)</g)].map((m) =>
      Number(m[1]),
    );
    expect(doseTicks).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40]);
    const xs = [...out.matchAll(/[ML](-?[\d.]+),-?[\d.]+/g)].map((m) => Number(m[1]));
    expect(xs.length).toBeGreaterThan(0);
    // the plot's x range is 64 to 700 px (720 wide, margins 64 and 20)
    expect(Math.max(...xs)).toBeLessThanOrEqual(700 + 1e-9);
  });
});

describe('dvh-bands view', () => {
  it('draws the pooled bands and each centre, and tabulates the percentiles with their rounding', () => {
    const result = {
      algorithm: 'dvh-bands',
      structure: 'Lung_L',
      probs: [0.05, 0.25, 0.5, 0.75, 0.95],
      doseGy: levels,
      gridPct: 1,
      minCellCount: 5,
      pooled: { patients: 60, bands },
      centres: [
        { node: 'centre-a', patients: 30, bands },
        { node: 'centre-b', patients: 30, bands },
      ],
      nodes: ['centre-a', 'centre-b'],
    };
    const out = renderToStaticMarkup(createElement(ResultView, { algorithm: 'dvh-bands', result }));
    expect(count(out, 'data-testid="dvh-plot"')).toBe(3);
    expect(count(out, 'data-testid="dvh-median"')).toBe(3);
    expect(out).toContain('Lung_L: pooled population DVH (60 patients)');
    expect(out).toContain('Lung_L: centre-b (30 patients)');
    expect(out).toContain('data-testid="dvh-bands-table"');
    // a value released on a 10-point interval shows the range that holds the exact percentile
    expect(out).toContain('27 ±5.5');
    expect(out).toContain('withheld');
    expect(out).toContain('Withheld: P5');
  });
});

describe('a plan from `fedhub rt dvh --json`', () => {
  const file = JSON.stringify({
    cases: [
      {
        structureSetFile: 'rs.dcm',
        structures: [
          {
            name: 'Lung Lt',
            standardName: 'Lung_L',
            cumulative: { doseGy: [0, 20, 40], volumePct: [100, 30, 5] },
          },
          { name: 'PTV', standardName: 'PTV', cumulative: { doseGy: [0, 60], volumePct: [100, 0] } },
        ],
      },
    ],
    names: {},
    ignoredFiles: [],
  });
  it("picks the curve of the bands' structure by TG-263 or local name", () => {
    const out = curvesFromRtDvhJson(file, 'Lung_L');
    expect('curves' in out && out.curves.map((c) => c.name)).toEqual(['Lung Lt (Lung_L)']);
    expect('curves' in out && out.curves[0]!.volumePct).toEqual([100, 30, 5]);
    const none = curvesFromRtDvhJson(file, 'Heart');
    expect('curves' in none && none.curves).toEqual([]);
    expect('available' in none && none.available).toEqual(['Lung_L', 'PTV']);
  });
  it('says what is wrong with another file', () => {
    expect(curvesFromRtDvhJson('not json', 'Lung_L')).toEqual({
      error: 'the file is not JSON: choose the output of "fedhub rt dvh --json"',
    });
    expect('error' in curvesFromRtDvhJson('{"cases": 3}', 'Lung_L')).toBe(true);
  });
});
