/**
 * Datasets at a node are declared with a data dictionary; researchers address them only through
 * column names and a small typed filter grammar, never SQL.
 */
import { z } from 'zod';
import { SlugSchema } from './common.js';

export const COLUMN_TYPES = ['numeric', 'integer', 'categorical', 'boolean', 'date'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** One column of a data dictionary. */
export const ColumnSpecSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a column name is a letter or _ then letters, digits, _'),
    type: z.enum(COLUMN_TYPES),
    description: z.string().max(500).optional(),
    unit: z.string().max(40).optional().describe('UCUM unit, e.g. "Gy", "a" (years), "mo"'),
    min: z.number().optional().describe('Smallest allowed value (numeric/integer)'),
    max: z.number().optional().describe('Largest allowed value (numeric/integer)'),
    levels: z
      .array(z.string().max(120))
      .max(1000)
      .optional()
      .describe('Allowed levels (categorical), in order'),
    resolution: z
      .number()
      .positive()
      .optional()
      .describe(
        'Release precision (numeric/integer): histogram breaks and quantiles are released on multiples of it, e.g. 1 for age in years, 0.5 for dose in Gy. Default: 1 for integers; for numeric columns a power of ten giving about 50 steps over min..max, else 1',
      ),
    identifier: z
      .boolean()
      .optional()
      .describe('A pseudonymous record key: usable for linkage and consent, never released or filtered on'),
  })
  .meta({ id: 'ColumnSpec' });
export type ColumnSpec = z.infer<typeof ColumnSpecSchema>;

/** A dataset's data dictionary, as the node publishes it to the hub. */
export const DataDictionarySchema = z
  .object({
    name: SlugSchema,
    description: z.string().max(2000).optional(),
    columns: z.array(ColumnSpecSchema).min(1).max(2000),
  })
  .meta({ id: 'DataDictionary' });
export type DataDictionary = z.infer<typeof DataDictionarySchema>;

const Scalar = z.union([z.number(), z.string().max(200), z.boolean()]);

export type Filter =
  | { column: string; op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; value: number | string | boolean }
  | { column: string; op: 'between'; low: number | string; high: number | string }
  | { column: string; op: 'in' | 'not-in'; values: Array<number | string | boolean> }
  | { column: string; op: 'is-missing' | 'not-missing' }
  | { and: Filter[] }
  | { or: Filter[] }
  | { not: Filter };

/**
 * The filter grammar: comparisons, closed ranges, set membership, missingness, and/or/not.
 *
 * @example
 * { and: [{ column: 'age', op: 'ge', value: 18 }, { column: 'stage', op: 'in', values: ['III', 'IV'] }] }
 */
export const FilterSchema: z.ZodType<Filter> = z.lazy(() =>
  z.union([
    z.strictObject({
      column: z.string().max(63),
      op: z.enum(['eq', 'ne', 'lt', 'le', 'gt', 'ge']),
      value: Scalar,
    }),
    z.strictObject({
      column: z.string().max(63),
      op: z.literal('between'),
      low: z.union([z.number(), z.string().max(40)]),
      high: z.union([z.number(), z.string().max(40)]),
    }),
    z.strictObject({
      column: z.string().max(63),
      op: z.enum(['in', 'not-in']),
      values: z.array(Scalar).min(1).max(1000),
    }),
    z.strictObject({ column: z.string().max(63), op: z.enum(['is-missing', 'not-missing']) }),
    z.strictObject({ and: z.array(FilterSchema).min(1).max(50) }),
    z.strictObject({ or: z.array(FilterSchema).min(1).max(50) }),
    z.strictObject({ not: FilterSchema }),
  ]),
);

/** Depth and size limits for a filter, enforced before it is compiled. */
export const FILTER_LIMITS = { maxDepth: 8, maxNodes: 200 } as const;

/** The columns a filter reads, in order of first appearance. */
export function filterColumns(filter: Filter | undefined): string[] {
  const out = new Set<string>();
  const walk = (f: Filter): void => {
    if ('and' in f) f.and.forEach(walk);
    else if ('or' in f) f.or.forEach(walk);
    else if ('not' in f) walk(f.not);
    else out.add(f.column);
  };
  if (filter) walk(filter);
  return [...out];
}

/** The number of nodes and the depth of a filter tree. */
export function filterSize(filter: Filter): { nodes: number; depth: number } {
  if ('and' in filter || 'or' in filter) {
    const kids = 'and' in filter ? filter.and : filter.or;
    let nodes = 1;
    let depth = 0;
    for (const k of kids) {
      const s = filterSize(k);
      nodes += s.nodes;
      depth = Math.max(depth, s.depth);
    }
    return { nodes, depth: depth + 1 };
  }
  if ('not' in filter) {
    const s = filterSize(filter.not);
    return { nodes: s.nodes + 1, depth: s.depth + 1 };
  }
  return { nodes: 1, depth: 1 };
}

/** The disclosure policy a node enforces on everything it releases. */
export const DisclosurePolicySchema = z
  .object({
    minCellCount: z
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .describe('Every released non-zero count must be at least this'),
    minSubsetSize: z
      .int()
      .min(1)
      .max(100000)
      .default(10)
      .describe('Every analysis must use at least this many records'),
    maxParameterRatio: z
      .number()
      .positive()
      .max(1)
      .default(0.33)
      .describe('Model parameters at most this x n'),
    minResidualDf: z.int().min(0).default(10),
    levels: z
      .object({
        max: z
          .int()
          .min(2)
          .max(10000)
          .default(40)
          .describe('At most this many levels in a factor (DataSHIELD nfilter.levels.max)'),
        density: z
          .number()
          .gt(0)
          .max(1)
          .default(0.33)
          .describe('Levels at most this fraction of the records (DataSHIELD nfilter.levels.density)'),
      })
      .optional()
      .describe(
        'Limits on the levels of a factor, as DataSHIELD: a factor is refused beyond either (default 40 and 0.33)',
      ),
  })
  .meta({ id: 'DisclosurePolicy' });
export type DisclosurePolicy = z.infer<typeof DisclosurePolicySchema>;
