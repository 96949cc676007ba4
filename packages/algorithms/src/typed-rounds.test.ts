/**
 * Typed rounds at the edges (define-algorithm.ts): a round input that is not one of the algorithm's inputs
 * is refused at the node before any data is read, and a payload that is not one of its payloads is refused
 * at the hub before the aggregate reads it; both with a coded error that names the path, never a value.
 */
import type { FedhubError, Json } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { coxph } from './coxph/coxph.js';
import { glm } from './glm/glm.js';
import { listAlgorithms } from './registry.js';
import type { FederatedAlgorithm, LocalContext, NodePart } from './types.js';
import { validate } from './validate/validate.js';

/** A node whose data must not be read. */
const untouchable = {
  node: { id: 'n1', name: 'Hospital A' },
  policy: { minCellCount: 5, minSubsetSize: 10 },
  cache: new Map(),
  dataset: () => {
    throw new Error('the data was read');
  },
} as unknown as LocalContext;

async function refusal(f: () => unknown): Promise<FedhubError> {
  try {
    await f();
  } catch (err) {
    return err as FedhubError;
  }
  throw new Error('not refused');
}

// the algorithms seen as the hub and the node see them: JSON in, JSON out
const asJson = (a: unknown) => a as FederatedAlgorithm<unknown>;
const glmParams = glm.paramsSchema.parse({ dataset: 'd', formula: 'y ~ x', family: 'binomial' });

describe('typed rounds', () => {
  it('glm, coxph, validate and validate-survival declare their round inputs and payloads', () => {
    for (const name of ['glm', 'coxph', 'validate', 'validate-survival']) {
      const a = listAlgorithms().find((x) => x.name === name)!;
      expect(a.inputSchema, name).toBeDefined();
      expect(a.payloadSchema, name).toBeDefined();
      // the first input is one of the inputs
      expect(a.inputSchema!.safeParse(a.firstInput(a.paramsSchema.parse(paramsOf(name)))).success, name).toBe(
        true,
      );
    }
  });

  it('refuses at the node an input of no phase, or with a wrong field, before reading any data', async () => {
    for (const input of [
      { phase: 'exfiltrate' },
      { phase: 'irls', levels: {}, beta: ['1'] },
      { phase: 'irls', levels: {}, beta: null, extra: 1 },
      null,
    ] as Json[]) {
      const err = await refusal(() => asJson(glm).local(untouchable, glmParams, input, 2));
      expect(err.code, JSON.stringify(input)).toBe('FH_ERR_ALGORITHM_FAILED');
      expect(err.message).toMatch(/^glm: the round's input from the hub does not match/);
    }
    const err = await refusal(() =>
      asJson(coxph).local(
        untouchable,
        coxph.paramsSchema.parse({ dataset: 'd', formula: 'Surv(t, e) ~ x' }),
        {
          phase: 'newton',
          levels: {},
          strata: [''],
          grid: { strata: [0], times: ['secret-value'] },
          beta: null,
        },
        2,
      ),
    );
    expect(err.code).toBe('FH_ERR_ALGORITHM_FAILED');
    expect(err.message).toContain('grid.times.0');
    expect(err.message).not.toContain('secret-value');
  });

  it("refuses at the hub a node's payload that is none of the algorithm's, naming the node", async () => {
    const parts: NodePart[] = [
      { nodeId: 'n1', nodeName: 'Hospital A', payload: { declared: [], additive: [10] } },
      {
        nodeId: 'n2',
        nodeName: 'Hospital B',
        payload: { declared: [], additive: [12], counts: 'secret-value' },
      },
    ];
    const err = await refusal(() =>
      asJson(glm).aggregate({ params: glmParams, round: 1, state: null, parts }),
    );
    expect(err.code).toBe('FH_ERR_ALGORITHM_FAILED');
    expect(err.message).toMatch(/^glm: node Hospital B sent a payload that does not match/);
    expect(err.message).not.toContain('secret-value');
    // a payload of another round than the one asked for (a later round's partial in the levels round)
    const wrongRound = await refusal(() =>
      asJson(validate).aggregate({
        params: validate.paramsSchema.parse(paramsOf('validate')),
        round: 1,
        state: null,
        parts: [{ nodeId: 'n1', nodeName: 'Hospital A', payload: { additive: [1, 2] } }],
      }),
    );
    expect(wrongRound.code).toBe('FH_ERR_ALGORITHM_FAILED');
    expect(wrongRound.message).toContain('node Hospital A sent a payload of another round');
  });
});

function paramsOf(name: string): unknown {
  switch (name) {
    case 'glm':
      return { dataset: 'd', formula: 'y ~ x' };
    case 'coxph':
      return { dataset: 'd', formula: 'Surv(t, e) ~ x' };
    case 'validate':
      return { dataset: 'd', outcome: 'y', model: { score: 'p' } };
    default:
      return { dataset: 'd', model: { score: 'q' }, time: 't', event: 'e' };
  }
}
