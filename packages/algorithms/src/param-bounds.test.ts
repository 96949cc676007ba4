/**
 * Every size-driving parameter of every algorithm is bounded (issue 15, item 5): resolutions and widths
 * have a positive lower bound, counts (bins, groups, iterations) an upper bound, lists a maximum length.
 * A new algorithm with an unbounded one fails here.
 */
import { describe, expect, it } from 'vitest';
import { listAlgorithms } from './registry.js';

const RESOLUTION = /resolution|width|spacing/i;
/** Bounded otherwise than JSON Schema can say, with where. */
const BOUNDED_BY_REFINEMENT: Record<string, string> = {
  'summary.bins.*.width': 'BinsSchema: (to - from) / width is at most 200 bins',
};
const COUNT = /bins|groups|maxit|maxiter|knots|breaks|rounds|iterations|levels|minN/i;

interface Node {
  type?: string | string[];
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  maxItems?: number;
  properties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  allOf?: Node[];
  additionalProperties?: Node | boolean;
}

function unbounded(name: string, n: Node, path: string, out: string[]): void {
  const types = Array.isArray(n.type) ? n.type : n.type ? [n.type] : [];
  if (types.includes('number') || types.includes('integer')) {
    if (RESOLUTION.test(name) && !((n.minimum ?? 0) > 0) && !BOUNDED_BY_REFINEMENT[path])
      out.push(`${path}: no positive lower bound (minimum ${n.minimum ?? n.exclusiveMinimum})`);
    if (COUNT.test(name) && n.maximum === undefined) out.push(`${path}: no upper bound`);
  }
  if (types.includes('array') && n.maxItems === undefined && COUNT.test(name))
    out.push(`${path}: no maximum length`);
  for (const [k, v] of Object.entries(n.properties ?? {})) unbounded(k, v, `${path}.${k}`, out);
  if (n.items) unbounded('', n.items, `${path}[]`, out);
  for (const v of [...(n.anyOf ?? []), ...(n.oneOf ?? []), ...(n.allOf ?? [])]) unbounded(name, v, path, out);
  if (n.additionalProperties && typeof n.additionalProperties === 'object')
    unbounded(name, n.additionalProperties, `${path}.*`, out);
}

describe('parameter bounds', () => {
  it('bounds every size-driving parameter of every algorithm', () => {
    const out: string[] = [];
    for (const a of listAlgorithms()) unbounded('', a.paramsJsonSchema() as Node, a.name, out);
    expect(out).toEqual([]);
  });

  const poison: Array<[string, Record<string, unknown>, string]> = [
    ['validate', { scoreResolution: 2e-7 }, 'scoreResolution'],
    ['validate-survival', { scoreResolution: 2e-7 }, 'scoreResolution'],
    ['validate-survival', { timeResolution: 1e-300 }, 'timeResolution'],
    ['km', { timeResolution: 1e-300 }, 'timeResolution'],
    ['coxph', { timeResolution: 1e-300 }, 'timeResolution'],
    ['summary', { bins: { age: { from: 0, to: 100, width: 1e-9 } } }, 'bins'],
    [
      'radiomics-extract',
      { settings: { ...radiomicsSettings(), discretisation: { method: 'fbn', bins: 1e7 } } },
      'bins',
    ],
    [
      'radiomics-extract',
      { settings: { ...radiomicsSettings(), resampleSpacing: [0.001, 0.001, 0.001] } },
      'resampleSpacing',
    ],
  ];
  it.each(poison)('%s refuses %j', (name, bad, field) => {
    const a = listAlgorithms().find((x) => x.name === name)!;
    const r = a.paramsSchema.safeParse({ ...validParams(name), ...bad });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(field);
    // the same parameters without the poisoned field are valid
    expect(a.paramsSchema.safeParse(validParams(name)).success).toBe(true);
  });
});

function radiomicsSettings() {
  return {
    dimensionality: '3D',
    resampleSpacing: [2, 2, 2],
    interpolation: 'linear',
    maskThreshold: 0.5,
    resegmentRange: [-1000, 400],
    outlierSigma: null,
    discretisation: { method: 'fbn', bins: 32 },
    ivhDiscretisation: { method: 'none' },
    ngldmAlpha: 0,
  };
}

function validParams(name: string): Record<string, unknown> {
  switch (name) {
    case 'validate':
      return {
        dataset: 'cohort',
        outcome: 'toxicity',
        model: { formula: '~ dose_gy', coefficients: { dose_gy: 0.04 } },
      };
    case 'validate-survival':
      return {
        dataset: 'cohort',
        model: { formula: 'Surv(months, dead) ~ age', coefficients: { age: 0.02 } },
      };
    case 'km':
      return { dataset: 'cohort', time: 'months', event: 'dead' };
    case 'coxph':
      return { dataset: 'cohort', formula: 'Surv(months, dead) ~ age' };
    case 'summary':
      return { dataset: 'cohort', columns: ['age'] };
    case 'radiomics-extract':
      return { roi: 'GTV', output: 'features' };
    default:
      return {};
  }
}
