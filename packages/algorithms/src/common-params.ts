import { type ColumnKind, FilterSchema, paramMeta, SlugSchema } from '@fedhub/protocol';
import { z } from 'zod';

/**
 * Every parameter carries form metadata (`.meta(paramMeta(...))`, see @fedhub/protocol's param-meta.ts):
 * an example always, the column kind of a column, the widget where the JSON type does not say it. The
 * dashboard builds its widgets from it; `param-meta.test.ts` fails on a parameter without an example.
 */
export const DatasetParam = SlugSchema.describe('Name of the dataset at each node').meta(
  paramMeta({ widget: 'dataset', examples: ['cohort'] }),
);
/** The name of a derived dataset an algorithm writes at each node (a new name, not a picker). */
export const OutputDatasetParam = SlugSchema.describe('Name of the derived dataset stored at each node');
export const ColumnParam = z.string().min(1).max(63).describe('Column name from the data dictionary');
export const FilterParam = FilterSchema.optional()
  .describe('Rows to include (typed filter, validated against the dictionary)')
  .meta(
    paramMeta({
      widget: 'filter',
      examples: [
        {
          and: [
            { column: 'age', op: 'ge', value: 50 },
            { column: 'stage', op: 'in', values: ['III', 'IV'] },
          ],
        },
      ],
    }),
  );

/** A column parameter: which columns it accepts, what it means, an example from the demo cohort. */
export function columnParam(columnKind: ColumnKind, description: string, example: string) {
  return ColumnParam.describe(description).meta(paramMeta({ columnKind, examples: [example] }));
}

/** Examples for a parameter whose JSON type already says its widget. */
export function examples(...values: unknown[]) {
  return paramMeta({ examples: values });
}

/** Histogram bins: explicit breaks, or an evenly spaced grid. */
export const BinsSchema = z.union([
  z.strictObject({ breaks: z.array(z.number()).min(2).max(201) }),
  z
    .strictObject({ from: z.number(), to: z.number(), width: z.number().positive() })
    .refine((b) => b.to > b.from && (b.to - b.from) / b.width <= 200.5, {
      message: 'bins: from < to and at most 200 bins of the given width',
    }),
]);
export type Bins = z.infer<typeof BinsSchema>;

/** The break points of a bins specification; throws when they are not strictly increasing or too many. */
export function binBreaks(bins: Bins): number[] {
  let breaks: number[];
  if ('breaks' in bins) breaks = bins.breaks;
  else {
    const k = Math.round((bins.to - bins.from) / bins.width);
    if (
      !(k >= 1 && k <= 200) ||
      Math.abs(bins.from + k * bins.width - bins.to) > 1e-9 * Math.max(1, Math.abs(bins.to))
    )
      throw new RangeError(`bins: (to - from) / width must be a whole number of bins between 1 and 200`);
    breaks = Array.from({ length: k + 1 }, (_, i) => bins.from + i * bins.width);
  }
  for (let i = 1; i < breaks.length; i++)
    if (!(breaks[i]! > breaks[i - 1]!)) throw new RangeError('bins: breaks must be strictly increasing');
  return breaks;
}

export { paramMeta };
