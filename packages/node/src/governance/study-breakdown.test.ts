/**
 * Per-node parts of results (summary counts per node, validation per centre) leave the aggregator only
 * when the study allows per-node breakdowns; the pooled part is the same either way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNodeKeys } from '@fedhub/crypto';
import { DisclosurePolicySchema, type StudyDescriptor } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../datasets/duckdb-store.js';
import { type LocalNode, runLocalFederation } from '../local-federation.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-breakdown-'));
const nodes: LocalNode[] = [];
beforeAll(async () => {
  for (const [i, centre] of DEMO_CENTRES.slice(0, 3).entries()) {
    const file = join(dir, `c${i}.csv`);
    // a frozen score to validate: a fixed function of dose and age
    const rows = generateCohort(centre, 200, 40 + i).map((r) => ({
      ...r,
      score:
        Math.round(
          (1 / (1 + Math.exp(-(-6 + 0.08 * (r.dose_gy as number) + 0.01 * (r.age as number))))) * 1000,
        ) / 1000,
    }));
    writeFileSync(file, toCsv(rows));
    const datasets = await DatasetStore.open([
      {
        name: 'cohort',
        file,
        format: 'csv',
        columns: [...COHORT_DICTIONARY, { name: 'score', type: 'numeric', min: 0, max: 1 }],
        onInvalid: 'reject',
      },
    ]);
    nodes.push({
      id: `node-${i}`,
      name: centre.name,
      datasets,
      keys: generateNodeKeys(),
      policy: DisclosurePolicySchema.parse({}),
    });
  }
});
afterAll(() => {
  for (const n of nodes) n.datasets.close();
  rmSync(dir, { recursive: true, force: true });
});

function study(releasePerNodeBreakdown: boolean): StudyDescriptor {
  return {
    id: crypto.randomUUID(),
    title: 'Breakdown',
    status: 'active',
    nodeIds: nodes.map((n) => n.id),
    minNodes: 3,
    variables: null,
    algorithms: null,
    startsAt: null,
    endsAt: null,
    releasePerNodeBreakdown,
  };
}

async function both(algorithm: string, params: unknown, minCellCount?: number) {
  const at =
    minCellCount === undefined ? nodes : nodes.map((n) => ({ ...n, policy: { ...n.policy, minCellCount } }));
  const [pooled, broken] = await Promise.all(
    [false, true].map(async (allowed) => {
      const s = study(allowed);
      return runLocalFederation(algorithm, params, at, { study: s, studyId: s.id });
    }),
  );
  return {
    pooled: pooled!.result as Record<string, unknown>,
    broken: broken!.result as Record<string, unknown>,
    // what the nodes sent, round by round
    sentPooled: JSON.stringify(pooled!.transcript),
    sentBroken: JSON.stringify(broken!.transcript),
  };
}

describe('per-node breakdowns follow the study', () => {
  it('summary: counts per node only when allowed, pooled statistics identical', async () => {
    const { pooled, broken } = await both('summary', { dataset: 'cohort', columns: ['age', 'dose_gy'] });
    type Col = { column: string; n: number; mean: number; perNode?: Array<{ node: string; n: number }> };
    const p = pooled.columns as Col[];
    const b = broken.columns as Col[];
    for (const c of p) expect(c).not.toHaveProperty('perNode');
    expect(b[0]!.perNode!.map((x) => x.node)).toEqual(nodes.map((n) => n.name));
    expect(b[0]!.perNode!.reduce((s, x) => s + x.n, 0)).toBe(b[0]!.n);
    expect(p.map(({ column, n, mean }) => ({ column, n, mean }))).toEqual(
      b.map(({ column, n, mean }) => ({ column, n, mean })),
    );
  });

  it('validate: per-centre results only when allowed, pooled AUC identical', async () => {
    // a Hosmer–Lemeshow decile holds fewer than 5 of one hospital's records: allowed here, the test is
    // about breakdowns (the release gate's refusal is tested in models-federated.test.ts)
    const { pooled, broken, sentPooled, sentBroken } = await both(
      'validate',
      {
        dataset: 'cohort',
        outcome: 'toxicity',
        model: { score: 'score' },
        scoreResolution: 0.001,
      },
      1,
    );
    expect(pooled).not.toHaveProperty('perCentre');
    expect((broken.perCentre as Array<{ centre: string }>).map((c) => c.centre)).toEqual(
      nodes.map((n) => n.name),
    );
    expect(pooled.pooled).toEqual(broken.pooled);
    // no centre's name appears beside a number in the pooled-only result
    for (const n of nodes) expect(JSON.stringify(pooled.pooled)).not.toContain(n.name);
    // and the nodes did not send their own metrics to the hub when the study does not allow them
    expect(sentPooled).not.toContain('"centre"');
    expect(sentBroken).toContain('"centre"');
  });
});
