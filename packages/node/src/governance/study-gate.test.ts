/**
 * The node refuses runs outside their study through the real executor, whatever the hub decided: columns
 * outside the study (in a formula or a filter), an algorithm or version not allowed, a study not started,
 * expired or stopped, too few participating nodes, and a run whose descriptor is absent or not its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coxph, type FederatedAlgorithm, glm, summary } from '@fedhub/algorithms';
import { DisclosurePolicySchema, type RunAssignment, type StudyDescriptor } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../datasets/duckdb-store.js';
import { executeRun } from '../executor.js';

const NODE = crypto.randomUUID();
const PEER = crypto.randomUUID();
const dir = mkdtempSync(join(tmpdir(), 'fedhub-study-gate-'));
let store: DatasetStore;
beforeAll(async () => {
  const file = join(dir, 'cohort.csv');
  writeFileSync(file, toCsv(generateCohort(DEMO_CENTRES[0]!, 150, 5)));
  store = await DatasetStore.open([
    { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
  ]);
});
afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function study(over: Partial<StudyDescriptor> = {}): StudyDescriptor {
  return {
    id: crypto.randomUUID(),
    title: 'Toxicity',
    status: 'active',
    nodeIds: [NODE, PEER],
    minNodes: 2,
    variables: [{ dataset: 'cohort', columns: ['age', 'sex', 'stage', 'dose_gy', 'toxicity'] }],
    algorithms: [{ name: 'summary' }, { name: 'glm' }],
    startsAt: '2020-01-01',
    endsAt: '2999-12-31',
    releasePerNodeBreakdown: false,
    ...over,
  };
}

function run(
  s: StudyDescriptor | undefined,
  algorithm: FederatedAlgorithm<unknown>,
  params: unknown,
  peers = [NODE, PEER],
) {
  const assignment = {
    runId: crypto.randomUUID(),
    taskId: crypto.randomUUID(),
    studyId: s?.id ?? crypto.randomUUID(),
    ...(s ? { study: s } : {}),
    algorithm: algorithm.name,
    version: algorithm.version,
    digest: algorithm.digest,
    params: params as never,
    round: 1,
    attempt: 1,
    input: algorithm.firstInput(params),
    leaseExpiresAt: new Date().toISOString(),
    leaseMs: 30000,
    peers: peers.map((nodeId) => ({ nodeId, x25519: '' })),
  } as RunAssignment;
  return executeRun(assignment, {
    node: { id: NODE, name: 'Hospital A' },
    policy: DisclosurePolicySchema.parse({ minCellCount: 1 }),
    floors: { minNodes: 1, minOrganisations: 1 } /* a one-node test of another rule */,
    datasets: store,
  });
}

const SUMMARY = { dataset: 'cohort', columns: ['age', 'dose_gy'] };
const GLM = { dataset: 'cohort', formula: 'toxicity ~ dose_gy + age', family: 'binomial' };

async function refusedWith(p: ReturnType<typeof run>, code: string, text: RegExp) {
  const o = await p;
  expect(o.outcome).toBe('refused');
  expect(o.error?.code).toBe(code);
  expect(o.error?.message).toMatch(text);
}

describe('the node re-checks each run against its study', () => {
  it('runs what the study allows', async () => {
    expect((await run(study(), summary as never, SUMMARY)).outcome).toBe('completed');
    expect((await run(study(), glm as never, GLM)).outcome).toBe('completed');
  });

  it('refuses columns outside the study, from a formula or a filter', async () => {
    await refusedWith(
      run(study(), glm as never, { ...GLM, formula: 'toxicity ~ dose_gy + bmi' }),
      'FH_ERR_OUTSIDE_STUDY',
      /column "bmi" of dataset "cohort"/,
    );
    await refusedWith(
      run(study(), summary as never, { ...SUMMARY, filter: { column: 'months', op: 'gt', value: 12 } }),
      'FH_ERR_OUTSIDE_STUDY',
      /"months"/,
    );
    await refusedWith(
      run(study({ variables: [{ dataset: 'doses', columns: ['age'] }] }), summary as never, SUMMARY),
      'FH_ERR_OUTSIDE_STUDY',
      /dataset "cohort"/,
    );
  });

  it('refuses an algorithm or a version the study does not allow', async () => {
    await refusedWith(
      run(study(), coxph as never, { dataset: 'cohort', formula: 'Surv(dose_gy, toxicity) ~ age' }),
      'FH_ERR_OUTSIDE_STUDY',
      /does not allow the algorithm coxph/,
    );
    await refusedWith(
      run(study({ algorithms: [{ name: 'summary', version: '0.0.1' }] }), summary as never, SUMMARY),
      'FH_ERR_OUTSIDE_STUDY',
      /only at version 0\.0\.1/,
    );
  });

  it('refuses outside the study period and once stopped', async () => {
    await refusedWith(
      run(study({ endsAt: '2021-06-30' }), summary as never, SUMMARY),
      'FH_ERR_STUDY_PERIOD',
      /ended on 2021-06-30/,
    );
    await refusedWith(
      run(study({ startsAt: '2999-01-01' }), summary as never, SUMMARY),
      'FH_ERR_STUDY_PERIOD',
      /starts on 2999-01-01/,
    );
    await refusedWith(
      run(study({ status: 'stopped' }), summary as never, SUMMARY),
      'FH_ERR_STUDY_STOPPED',
      /is stopped/,
    );
  });

  it('counts the participating nodes itself', async () => {
    await refusedWith(
      run(study({ minNodes: 3 }), summary as never, SUMMARY),
      'FH_ERR_TOO_FEW_NODES',
      /at least 3 nodes; 2 would take part/,
    );
    // a peer list without this node still counts it, and a repeated peer once
    await refusedWith(
      run(study({ minNodes: 3 }), summary as never, SUMMARY, [PEER, PEER]),
      'FH_ERR_TOO_FEW_NODES',
      /3 nodes; 2 would/,
    );
  });

  it('refuses a run without its own study descriptor, or for a study it is not part of', async () => {
    await refusedWith(
      run(undefined, summary as never, SUMMARY),
      'FH_ERR_OUTSIDE_STUDY',
      /no study descriptor/,
    );
    const s = study();
    const o = await executeRun(
      {
        ...({} as RunAssignment),
        runId: crypto.randomUUID(),
        taskId: crypto.randomUUID(),
        studyId: crypto.randomUUID(),
        study: s,
        algorithm: summary.name,
        version: summary.version,
        digest: summary.digest,
        params: SUMMARY,
        round: 1,
        attempt: 1,
        input: null,
        leaseExpiresAt: new Date().toISOString(),
        leaseMs: 30000,
        peers: [],
      },
      {
        node: { id: NODE, name: 'Hospital A' },
        policy: DisclosurePolicySchema.parse({}),
        datasets: store,
        floors: { minNodes: 1, minOrganisations: 1 } /* a one-node test of another rule */,
      },
    );
    expect(o.error?.code).toBe('FH_ERR_OUTSIDE_STUDY');
    expect(o.error?.message).toMatch(/carries the descriptor of study/);
    await refusedWith(
      run(study({ nodeIds: [PEER, crypto.randomUUID()] }), summary as never, SUMMARY),
      'FH_ERR_OUTSIDE_STUDY',
      /not a node of study/,
    );
  });
});
