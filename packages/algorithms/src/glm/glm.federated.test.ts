/**
 * Federated glm with secure aggregation against R glm() on the pooled rows, and per-centre fits.
 * Over the reference federation (three DuckDB-backed nodes, the node's executor, secure aggregation).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLocalFederation } from '@fedhub/node';
import { describe, expect, it } from 'vitest';
import {
  STATS_FIXTURES as fixtures,
  rel,
  useReferenceFederation,
} from '../test-support/reference-federation.js';

const fed = useReferenceFederation();
const { nodes } = fed;

interface RFit {
  name: string;
  formula: string;
  family: 'gaussian' | 'binomial' | 'poisson';
  weights: string;
  names: string[];
  estimate: number[];
  se: number[];
  deviance: number;
  null_deviance?: number;
  nullDeviance?: number;
  aic: number;
  [k: string]: unknown;
}

const fits = (JSON.parse(readFileSync(join(fixtures, 'glm.json'), 'utf8')) as { fits: RFit[] }).fits;

describe('federated glm with secure aggregation equals R on the pooled data', () => {
  for (const fit of fits) {
    it(`${fit.name}: ${fit.formula}`, async () => {
      const params = {
        dataset: 'cohort',
        formula: fit.formula,
        family: fit.family,
        ...(fit.weights ? { weights: fit.weights } : {}),
      };
      const { result, transcript } = await runLocalFederation('glm', params, nodes);
      const r = result as {
        coefficients: Array<{ term: string; estimate: number; stdError: number }>;
        deviance: number;
        nullDeviance: number;
        aic: number;
      };
      expect(r.coefficients.map((c) => c.term)).toEqual(fit.names);
      r.coefficients.forEach((c, j) => {
        expect(rel(c.estimate, fit.estimate[j]!)).toBeLessThan(1e-6);
        expect(rel(c.stdError, fit.se[j]!)).toBeLessThan(1e-6);
      });
      expect(rel(r.deviance, fit.deviance)).toBeLessThan(1e-8);
      expect(rel(r.aic, fit.aic)).toBeLessThan(1e-8);
      const rNull = (fit.null_deviance ?? fit.nullDeviance) as number;
      expect(rel(r.nullDeviance, rNull)).toBeLessThan(1e-8);
      // every model round crossed the hub masked: no node's partial in the clear
      for (const round of transcript.slice(1))
        for (const payload of round) expect(payload).not.toHaveProperty('additive');
    });
  }
});

describe('per-centre glm fits (forest plot of centres) equal R glm at each centre', () => {
  const ref = JSON.parse(readFileSync(join(fixtures, 'glm-per-centre.json'), 'utf8')) as {
    formula: string;
    centres: Record<string, { n: number; names: string[]; estimate: number[]; se: number[] }>;
  };
  const params = { dataset: 'cohort', formula: ref.formula, family: 'binomial', perCentre: true };

  it('releases each centre its own coefficients beside the pooled fit, where the study allows it', async () => {
    const { result, transcript } = await runLocalFederation('glm', params, nodes);
    const r = result as {
      coefficients: Array<{ term: string }>;
      perCentre: Array<{
        centre: string;
        n: number;
        coefficients: Array<{ term: string; estimate: number; stdError: number }>;
      }>;
    };
    expect(r.perCentre.map((c) => c.centre)).toEqual(Object.keys(ref.centres).map((c) => `Centre ${c}`));
    for (const c of r.perCentre) {
      const want = ref.centres[c.centre.replace('Centre ', '')]!;
      expect(c.n).toBe(want.n);
      expect(c.coefficients.map((x) => x.term)).toEqual(want.names);
      c.coefficients.forEach((x, j) => {
        expect(rel(x.estimate, want.estimate[j]!)).toBeLessThan(1e-6);
        expect(rel(x.stdError, want.se[j]!)).toBeLessThan(1e-6);
      });
    }
    expect(r.coefficients.map((c) => c.term)).toEqual(ref.centres.A!.names);
    // the pooled rounds stayed masked; only the last round carries each centre's own table
    for (const round of transcript.slice(1, -1))
      for (const payload of round) expect(payload).not.toHaveProperty('coefficients');
  });

  it('is refused in a study that does not allow per-node breakdowns', async () => {
    const study = {
      id: crypto.randomUUID(),
      title: 'pooled only',
      status: 'active' as const,
      nodeIds: nodes.map((n) => n.id),
      minNodes: 1,
      variables: null,
      algorithms: null,
      startsAt: null,
      endsAt: null,
      releasePerNodeBreakdown: false,
    };
    await expect(runLocalFederation('glm', params, nodes, { study, studyId: study.id })).rejects.toThrow(
      /does not allow per-node breakdowns/,
    );
  });
});

describe('ci = "profile": profile-likelihood intervals equal R confint(fit) (MASS profile.glm)', () => {
  const ref = JSON.parse(readFileSync(join(fixtures, 'glm-profile.json'), 'utf8')) as {
    cases: Array<{
      name: string;
      formula: string;
      family: string;
      weights: string;
      data: string;
      names: string[];
      lower: number[];
      upper: number[];
      wald: number[];
    }>;
  };
  for (const c of ref.cases.filter((x) => x.data === 'cohort' && ['binomial', 'poisson'].includes(x.name))) {
    it(`${c.name}: ${c.formula}`, async () => {
      const params = { dataset: 'cohort', formula: c.formula, family: c.family, ci: 'profile' };
      const { result, transcript } = await runLocalFederation('glm', params, nodes);
      const r = result as {
        ciMethod: string;
        profileRounds: number;
        coefficients: Array<{ term: string; ciLower: number; ciUpper: number }>;
      };
      expect(r.ciMethod).toBe('profile');
      expect(r.coefficients.map((x) => x.term)).toEqual(c.names);
      r.coefficients.forEach((x, j) => {
        const width = c.upper[j]! - c.lower[j]!;
        expect(Math.abs(x.ciLower - c.lower[j]!)).toBeLessThan(1e-4 * width);
        expect(Math.abs(x.ciUpper - c.upper[j]!)).toBeLessThan(1e-4 * width);
      });
      // the profile rounds are model partials like the fit's: masked at the hub
      expect(transcript.length).toBeGreaterThan(r.profileRounds);
      for (const round of transcript.slice(1))
        for (const payload of round) expect(payload).not.toHaveProperty('additive');
    });
  }
});
