/**
 * Red team, class 7: the hub (or anyone reading its database) saw each node's partials: summary's n, mean
 * and M2, crosstab's cells, Cox's set-up round with every event time of every node. Now everything a
 * node posts for these is either masked (the hub learns only the sum across nodes) or public: the same
 * whatever the node's data. The test runs each analysis twice over three nodes whose data differ
 * between the two federations (same dictionary) and requires the clear part of every payload the
 * aggregator received (what the hub stores) to be identical, and the masked part to be there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADDITIVE_FIELD, MASKED_FIELD } from '@fedhub/algorithms';
import { generateNodeKeys } from '@fedhub/crypto';
import { DisclosurePolicySchema, type Json, type StudyDescriptor } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../../datasets/duckdb-store.js';
import { type LocalNode, runLocalFederation } from '../../local-federation.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-red-sums-'));
const federations: LocalNode[][] = [];
const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];

beforeAll(async () => {
  for (const seed of [1, 2]) {
    const nodes: LocalNode[] = [];
    for (const [i, centre] of DEMO_CENTRES.slice(0, 3).entries()) {
      const file = join(dir, `s${seed}-c${i}.csv`);
      writeFileSync(file, toCsv(generateCohort(centre, 150 + 40 * seed + 7 * i, 100 * seed + i)));
      nodes.push({
        id: ids[i]!,
        name: centre.name,
        datasets: await DatasetStore.open([
          { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
        ]),
        keys: generateNodeKeys(),
        policy: DisclosurePolicySchema.parse({ minCellCount: 1 }),
        organisationId: ids[i]!,
      });
    }
    federations.push(nodes);
  }
});
afterAll(() => {
  for (const f of federations) for (const n of f) n.datasets.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A study that does not allow per-node breakdowns (the default). */
const study = (): StudyDescriptor => ({
  id: crypto.randomUUID(),
  title: 'sums only',
  status: 'active',
  nodeIds: ids,
  minNodes: 3,
  variables: null,
  algorithms: null,
  startsAt: null,
  endsAt: null,
  releasePerNodeBreakdown: false,
});

/** A payload without its masked vector: what the hub could read of it. */
function clearPart(payload: Json): Json {
  const { [MASKED_FIELD]: _masked, ...rest } = payload as Record<string, Json>;
  return rest;
}

/** Algorithm, parameters, rounds to inspect, and whether every payload of those rounds has a masked vector. */
const CASES: Array<[string, Record<string, unknown>, number, boolean]> = [
  [
    'summary',
    { dataset: 'cohort', columns: ['age', 'dose_gy'], bins: { age: { from: 20, to: 100, width: 20 } } },
    1,
    true,
  ],
  ['crosstab', { dataset: 'cohort', rows: 'sex', cols: 'stage' }, 1, true],
  ['chisq', { dataset: 'cohort', rows: 'sex', cols: 'toxicity' }, 1, true],
  // the set-up rounds: levels and event times
  [
    'coxph',
    { dataset: 'cohort', formula: 'Surv(months, dead) ~ age + factor(stage)', timeResolution: 1 },
    1,
    true,
  ],
  [
    'validate-survival',
    {
      dataset: 'cohort',
      time: 'months',
      event: 'dead',
      model: { score: 'age' },
      strata: 'sex',
      scoreResolution: 1,
      timeResolution: 6,
    },
    1,
    true,
  ],
  // glm's levels round (with its first IRLS partial)
  [
    'glm',
    { dataset: 'cohort', formula: 'toxicity ~ dose_gy + factor(stage) + sex', family: 'binomial' },
    1,
    true,
  ],
  // the levels round of a frozen model's validation
  [
    'validate',
    {
      dataset: 'cohort',
      outcome: 'toxicity',
      model: {
        formula: '~ dose_gy + factor(stage)',
        coefficients: {
          '(Intercept)': -3,
          dose_gy: 0.04,
          'factor(stage)II': 0.1,
          'factor(stage)III': 0.2,
          'factor(stage)IV': 0.3,
        },
      },
    },
    1,
    true,
  ],
  // set-up from the dictionary (nothing from the data), then the masked tables
  ['km', { dataset: 'cohort', time: 'months', event: 'dead', group: 'stage' }, 2, false],
];

describe('the hub learns only sums', () => {
  for (const [algorithm, params, rounds, allMasked] of CASES) {
    it(`${algorithm}: every payload the hub stores is masked numbers plus data-independent fields`, async () => {
      const transcripts = [];
      for (const nodes of federations) {
        const { transcript } = await runLocalFederation(algorithm, params, nodes, { study: study() });
        transcripts.push(transcript.slice(0, rounds));
      }
      for (const t of transcripts)
        for (const round of t)
          for (const payload of round) {
            const p = payload as Record<string, unknown>;
            expect(p[ADDITIVE_FIELD], 'no clear additive vector').toBeUndefined();
            if (allMasked) expect(p[MASKED_FIELD], 'a masked vector').toBeDefined();
          }
      // different data, same dictionary: the clear parts cannot differ
      const [a, b] = transcripts.map((t) => t.map((round) => round.map(clearPart)));
      expect(a).toEqual(b);
    });
  }

  it('the masks hide each node: one node’s masked vector is not its clear vector', async () => {
    const nodes = federations[0]!;
    const clear = await runLocalFederation('summary', { dataset: 'cohort', columns: ['age'] }, nodes, {
      study: study(),
      secureAggregation: false,
    });
    const masked = await runLocalFederation('summary', { dataset: 'cohort', columns: ['age'] }, nodes, {
      study: study(),
    });
    const n0 = (clear.transcript[0]![0] as { additive: number[] }).additive[0]!;
    expect(n0).toBeGreaterThan(100);
    expect(JSON.stringify(masked.transcript[0]![0])).not.toContain(`"additive"`);
    // the pooled results agree (the masked sum is exact in the ring; the clear one rounds in doubles)
    const col = (r: Json) => (r as { columns: Array<{ n: number; mean: number; sd: number }> }).columns[0]!;
    expect(col(masked.result).n).toBe(col(clear.result).n);
    expect(Math.abs(col(masked.result).mean / col(clear.result).mean - 1)).toBeLessThan(1e-13);
    expect(Math.abs(col(masked.result).sd / col(clear.result).sd - 1)).toBeLessThan(1e-13);
  });
});
