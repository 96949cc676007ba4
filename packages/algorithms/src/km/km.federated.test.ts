/**
 * Federated Kaplan–Meier and log-rank against R survfit/survdiff on the binned pooled rows.
 * Over the reference federation (three DuckDB-backed nodes, the node's executor, secure aggregation).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLocalFederation } from '@fedhub/node';
import { describe, expect, it } from 'vitest';
import {
  STATS_FIXTURES as fixtures,
  rel,
  statsFixture,
  useReferenceFederation,
} from '../test-support/reference-federation.js';

const fed = useReferenceFederation();
const { nodes } = fed;
/** The time grid of the survival fixtures (R's coarsening), from the Cox reference file. */
const cox = statsFixture<{ resolution: number }>('cox.json');

interface RKm {
  strata: string[];
  time: number[];
  nRisk: number[];
  nEvent: number[];
  surv: number[];
  stdErrLogS: number[];
  lower: number[];
  upper: number[];
  median: number[];
}
const kmRef = JSON.parse(readFileSync(join(fixtures, 'km.json'), 'utf8')) as {
  overall: RKm;
  bySex: RKm;
  logrankStage: { chisq: number; df: number; p: number; observed: number[]; expected: number[] };
  logrankSexStrataCentre: { chisq: number; observed: number[]; expected: number[] };
};

type KmCurve = {
  group: string;
  time: number[];
  nRisk: number[];
  nEvent: number[];
  surv: number[];
  stdErrLogSurv: number[];
  lower: Array<number | null>;
  upper: Array<number | null>;
  median: number | null;
};
type KmResult = {
  curves: KmCurve[];
  logRank: { chisq: number; df: number; pValue: number; observed: number[]; expected: number[] } | null;
  mergedBins: number;
};

describe('federated Kaplan–Meier and log-rank equal R survfit/survdiff on the binned pooled data', () => {
  const exactPolicy = () => nodes.map((n) => ({ ...n, policy: { ...n.policy, minCellCount: 1 } }));
  function compareCurve(got: KmCurve, ref: RKm, label: string) {
    // the released curve lists the event times (censorings are released as their own counts)
    const idx = ref.strata.map((s, i) => (s === label && ref.nEvent[i]! > 0 ? i : -1)).filter((i) => i >= 0);
    expect(got.time).toEqual(idx.map((i) => ref.time[i]));
    expect(got.nRisk).toEqual(idx.map((i) => ref.nRisk[i]));
    idx.forEach((i, k) => {
      expect(Math.abs(got.surv[k]! - ref.surv[i]!)).toBeLessThan(1e-9);
      expect(Math.abs(got.stdErrLogSurv[k]! - ref.stdErrLogS[i]!)).toBeLessThan(1e-9);
      if (got.lower[k] !== null) expect(Math.abs(got.lower[k]! - ref.lower[i]!)).toBeLessThan(1e-9);
      if (got.upper[k] !== null) expect(Math.abs(got.upper[k]! - ref.upper[i]!)).toBeLessThan(1e-9);
    });
  }
  it('overall curve', async () => {
    const { result } = await runLocalFederation(
      'km',
      { dataset: 'cohort', time: 'months', event: 'dead', timeResolution: cox.resolution },
      exactPolicy(),
    );
    const r = result as unknown as KmResult;
    expect(r.mergedBins).toBe(0);
    compareCurve(r.curves[0]!, kmRef.overall, 'all');
    expect(r.curves[0]!.median).toBe(kmRef.overall.median[0]);
  });
  it('curves by sex and the log-rank test by stage and by sex stratified by centre', async () => {
    const bySex = (
      await runLocalFederation(
        'km',
        { dataset: 'cohort', time: 'months', event: 'dead', group: 'sex', timeResolution: cox.resolution },
        exactPolicy(),
      )
    ).result as unknown as KmResult;
    compareCurve(bySex.curves[0]!, kmRef.bySex, 'sex=F');
    compareCurve(bySex.curves[1]!, kmRef.bySex, 'sex=M');
    const stage = (
      await runLocalFederation(
        'km',
        { dataset: 'cohort', time: 'months', event: 'dead', group: 'stage', timeResolution: cox.resolution },
        exactPolicy(),
      )
    ).result as unknown as KmResult;
    expect(rel(stage.logRank!.chisq, kmRef.logrankStage.chisq)).toBeLessThan(1e-9);
    expect(stage.logRank!.observed).toEqual(kmRef.logrankStage.observed);
    const strat = (
      await runLocalFederation(
        'km',
        {
          dataset: 'cohort',
          time: 'months',
          event: 'dead',
          group: 'sex',
          strata: 'centre',
          timeResolution: cox.resolution,
        },
        exactPolicy(),
      )
    ).result as unknown as KmResult;
    expect(rel(strat.logRank!.chisq, kmRef.logrankSexStrataCentre.chisq)).toBeLessThan(1e-9);
  });
  it('merges time bins whose released totals fall under the minimum cell count', async () => {
    const { result } = await runLocalFederation(
      'km',
      { dataset: 'cohort', time: 'months', event: 'dead', group: 'sex', timeResolution: cox.resolution },
      nodes,
    );
    const r = result as unknown as KmResult;
    expect(r.mergedBins).toBeGreaterThan(0);
    for (const c of r.curves) {
      for (let k = 0; k < c.nEvent.length; k++) expect(c.nEvent[k] === 0 || c.nEvent[k]! >= 5).toBe(true);
    }
  });
});
