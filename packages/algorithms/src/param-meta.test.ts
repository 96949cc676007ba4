import { COLUMN_KINDS, readParamMeta } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listAlgorithms } from './registry.js';

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  examples?: unknown[];
}

/** The zod schema of each parameter (the object's shape, through refinements). */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  const s = schema as unknown as { shape?: Record<string, z.ZodType> };
  if (!s.shape) throw new Error('parameter schema is not an object');
  return s.shape;
}

describe('parameter metadata', () => {
  for (const a of listAlgorithms()) {
    const json = a.paramsJsonSchema() as Node;
    const props = Object.entries(json.properties ?? {});
    it(`${a.name}: every parameter has an example that its own schema accepts`, () => {
      const shape = shapeOf(a.paramsSchema as z.ZodType);
      const missing = props.filter(([, p]) => !readParamMeta(p).examples).map(([k]) => k);
      expect(missing, `${a.name}: parameters without examples`).toEqual([]);
      for (const [k, p] of props)
        for (const ex of readParamMeta(p).examples ?? []) {
          const r = shape[k]!.safeParse(ex);
          expect(r.success, `${a.name}.${k}: example ${JSON.stringify(ex)} fails its schema`).toBe(true);
        }
    });
    it(`${a.name}: column parameters say which columns they accept; JSON-typed ones name a widget`, () => {
      for (const [k, p] of props) {
        const m = readParamMeta(p);
        if (m.columnKind) expect(COLUMN_KINDS).toContain(m.columnKind);
        // an object or array parameter without a widget is typed as JSON: allowed only for expert settings
        const expert = [
          'control',
          'references',
          'columns',
          'settings',
          'join',
          'structures',
          'metrics',
          'features',
          'probs',
          // validate-imaging: the model (digest and the card's imaging section, filled from the registry),
          // the case selection, the cohort table and the metric thresholds
          'model',
          'selection',
          'cohort',
          'thresholds',
        ];
        if ((p.type === 'object' || p.type === undefined) && !m.widget && !expert.includes(k))
          throw new Error(`${a.name}.${k} is structured but has no widget`);
        if (m.widget === 'levels' || m.widget === 'bins')
          expect(Object.keys(json.properties ?? {}), `${a.name}.${k}: levelsOf names a sibling`).toContain(
            m.levelsOf,
          );
      }
    });
  }
  it('zod keeps metadata through describe and optional', () => {
    const s = z.strictObject({
      a: z
        .string()
        .meta({ columnKind: 'time', examples: ['m'] })
        .describe('x')
        .optional(),
    });
    expect(
      readParamMeta((z.toJSONSchema(s) as { properties: Record<string, unknown> }).properties.a),
    ).toEqual({
      columnKind: 'time',
      examples: ['m'],
    });
  });
});
