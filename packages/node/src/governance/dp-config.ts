/**
 * The node configuration's `privacy:` section: a per-study quota of released results and, per dataset,
 * differential privacy with one budget for the dataset, spent by every study (an entry for one study sets
 * what that study may release and the cap it sees on the dataset's common spend). Derived datasets are
 * governed by the entry of the dataset they come from.
 *
 * @example
 * privacy:
 *   quota:
 *     maxResultsPerStudy: 200          # tasks per study that may release results from this node
 *     perStudy: { 5f0c...: 20 }        # overrides by study id
 *   differential:
 *     - dataset: cohort
 *       study: '*'                     # every study: one budget for the dataset, shared by all studies
 *       mechanism: discrete-gaussian   # or laplace (pure epsilon-DP, delta ignored)
 *       budget: { epsilon: 2, delta: 1.0e-6 }
 *       perRelease: { epsilon: 0.25, delta: 1.0e-7 }
 */
import { SlugSchema } from '@fedhub/protocol';
import { z } from 'zod';

export const DifferentialPrivacyEntrySchema = z
  .strictObject({
    dataset: SlugSchema,
    study: z
      .string()
      .min(1)
      .max(200)
      .default('*')
      .describe("A study id, or '*' for every study (the budget is the dataset's, shared by all studies)"),
    mechanism: z.enum(['discrete-gaussian', 'laplace']).default('discrete-gaussian'),
    budget: z.strictObject({
      epsilon: z.number().positive().max(100),
      delta: z.number().min(0).lt(1).default(0),
    }),
    perRelease: z.strictObject({
      epsilon: z.number().positive().max(100),
      delta: z.number().min(0).lt(1).default(0),
    }),
    exactAlgorithms: z
      .array(z.string().min(1).max(100))
      .default([])
      .describe('Algorithms allowed to release exact results from this dataset despite the budget'),
  })
  .superRefine((e, ctx) => {
    if (e.perRelease.epsilon > e.budget.epsilon)
      ctx.addIssue({ code: 'custom', path: ['perRelease', 'epsilon'], message: 'exceeds budget.epsilon' });
    if (e.mechanism === 'discrete-gaussian') {
      if (!(e.perRelease.delta > 0))
        ctx.addIssue({
          code: 'custom',
          path: ['perRelease', 'delta'],
          message: 'the discrete Gaussian needs a delta > 0 per release',
        });
      if (e.perRelease.delta > e.budget.delta)
        ctx.addIssue({ code: 'custom', path: ['perRelease', 'delta'], message: 'exceeds budget.delta' });
    }
  });
export type DifferentialPrivacyEntry = z.infer<typeof DifferentialPrivacyEntrySchema>;

export const PrivacyConfigSchema = z.strictObject({
  quota: z
    .strictObject({
      maxResultsPerStudy: z.int().min(1),
      perStudy: z.record(z.string(), z.int().min(0)).default({}),
    })
    .optional(),
  differential: z.array(DifferentialPrivacyEntrySchema).default([]),
});
export type PrivacyConfig = z.infer<typeof PrivacyConfigSchema>;

/** The entry governing (dataset, study): an exact study id wins over '*'. */
export function dpEntryFor(
  config: PrivacyConfig | undefined,
  dataset: string,
  studyId: string,
): DifferentialPrivacyEntry | undefined {
  const entries = config?.differential ?? [];
  return (
    entries.find((e) => e.dataset === dataset && e.study === studyId) ??
    entries.find((e) => e.dataset === dataset && e.study === '*')
  );
}

/** The quota of `studyId`, or undefined when none is configured. */
export function quotaFor(config: PrivacyConfig | undefined, studyId: string): number | undefined {
  if (!config?.quota) return undefined;
  return config.quota.perStudy[studyId] ?? config.quota.maxResultsPerStudy;
}
