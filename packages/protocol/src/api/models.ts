/**
 * The model registry: a model fitted in a study (a completed `glm` or `coxph` task) registered under a
 * name, versioned (1, 2, ...), immutable once registered, with its provenance, validation reports from
 * other centres attached, and a model card.
 *
 * @example
 * POST /api/models { "name": "toxicity-risk", "taskId": "…", "intendedUse": "Grade ≥2 toxicity risk before RT" }
 * → 201 { "name": "toxicity-risk", "version": 1, "kind": "glm", "coefficients": [...], ... }
 */
import { z } from 'zod';
import { IdSchema, JsonSchema, SlugSchema } from '../common.js';
import { FilterSchema } from '../dataset.js';

export const ModelKindSchema = z.enum(['glm', 'coxph']);
export type ModelKind = z.infer<typeof ModelKindSchema>;

export const RegisterModelRequestSchema = z
  .object({
    name: SlugSchema.describe('Model name; a new registration under an existing name is its next version'),
    taskId: IdSchema.describe('A completed glm or coxph task'),
    intendedUse: z.string().min(3).max(5000),
    description: z.string().max(5000).optional(),
    limitations: z.array(z.string().min(1).max(2000)).max(50).default([]),
  })
  .meta({ id: 'RegisterModelRequest' });
export type RegisterModelRequest = z.input<typeof RegisterModelRequestSchema>;

export const ModelCoefficientSchema = z.object({
  term: z.string(),
  estimate: z.number(),
  stdError: z.number().nullable(),
});

/** A validation report attached to a model version: the result of a `validate` task with its coefficients. */
export const ModelValidationSchema = z
  .object({
    id: IdSchema,
    taskId: IdSchema,
    studyId: IdSchema,
    nodes: z.array(z.string()),
    report: JsonSchema.describe("The validate task's result"),
    createdBy: IdSchema,
    createdAt: z.string(),
  })
  .meta({ id: 'ModelValidation' });
export type ModelValidation = z.infer<typeof ModelValidationSchema>;

export const ModelVersionSchema = z
  .object({
    id: IdSchema,
    name: SlugSchema,
    version: z.int().min(1),
    kind: ModelKindSchema,
    studyId: IdSchema,
    collaborationId: IdSchema,
    taskId: IdSchema,
    algorithm: z.object({ name: z.string(), version: z.string(), digest: z.string() }),
    dataset: z.string().nullable(),
    nodes: z
      .array(
        z.object({
          id: IdSchema,
          name: z.string(),
          dictionaryHash: z
            .string()
            .nullable()
            .describe("sha256 of the canonical JSON of the node's data dictionary at registration"),
        }),
      )
      .describe('Participating nodes'),
    formula: z.string(),
    family: z.string().nullable(),
    link: z.string().nullable(),
    ties: z.string().nullable(),
    coefficients: z.array(ModelCoefficientSchema),
    covariance: z.array(z.number()).nullable().describe('Row-major, in the order of coefficients'),
    training: z.record(z.string(), JsonSchema).describe('Summary of the training result (n, events, fit)'),
    intendedUse: z.string(),
    description: z.string().nullable(),
    limitations: z.array(z.string()),
    createdBy: IdSchema,
    createdAt: z.string(),
    validations: z.array(ModelValidationSchema),
  })
  .meta({ id: 'ModelVersion' });
export type ModelVersion = z.infer<typeof ModelVersionSchema>;

export const ModelNameParamsSchema = z.object({ name: SlugSchema });
export const ModelVersionParamsSchema = z.object({
  name: SlugSchema,
  version: z.coerce.number().int().min(1),
});

/**
 * Validate a model version at the nodes of a study: submits a task with the frozen coefficients, `validate`
 * for a binomial glm (needs `outcome`), `validate-survival` for a coxph model (Harrell's C; time and event
 * default to the model's Surv() columns, strata to its strata() term).
 */
export const ValidateModelRequestSchema = z
  .object({
    studyId: IdSchema,
    dataset: SlugSchema,
    outcome: z
      .string()
      .min(1)
      .max(63)
      .optional()
      .describe('Observed binary outcome column at the validating nodes (binomial glm models)'),
    time: z.string().min(1).max(63).optional().describe('coxph models: follow-up time column'),
    event: z.string().min(1).max(63).optional().describe('coxph models: event indicator column (0/1)'),
    strata: z.string().min(1).max(63).optional().describe('coxph models: compare pairs within strata'),
    timeResolution: z.number().positive().optional().describe('coxph models: event-time coarsening'),
    nodeIds: z.array(IdSchema).min(1).optional(),
    scoreResolution: z.number().positive().max(1).optional(),
    groups: z.int().min(3).max(20).optional(),
    filter: FilterSchema.optional(),
  })
  .meta({ id: 'ValidateModelRequest' });
export type ValidateModelRequest = z.input<typeof ValidateModelRequestSchema>;

export const AttachValidationRequestSchema = z
  .object({ taskId: IdSchema.describe('A completed validate task run with this version’s coefficients') })
  .meta({ id: 'AttachValidationRequest' });

/** The model card of one version, as JSON (the HTML rendering shows the same content). */
export const ModelCardSchema = z
  .object({
    model: z.object({ name: z.string(), version: z.int(), kind: ModelKindSchema, createdAt: z.string() }),
    intendedUse: z.string(),
    description: z.string().nullable(),
    specification: z.object({
      formula: z.string(),
      family: z.string().nullable(),
      link: z.string().nullable(),
      ties: z.string().nullable(),
      coefficients: z.array(ModelCoefficientSchema),
    }),
    provenance: z.object({
      studyId: IdSchema,
      taskId: IdSchema,
      algorithm: z.object({ name: z.string(), version: z.string(), digest: z.string() }),
      dataset: z.string().nullable(),
      nodes: z.array(z.object({ name: z.string(), dictionaryHash: z.string().nullable() })),
    }),
    trainingData: z.record(z.string(), JsonSchema),
    performance: z.array(
      z.object({
        validationTaskId: IdSchema,
        studyId: IdSchema,
        centre: z.string().describe('A centre, or "pooled"'),
        n: z.number().nullable(),
        events: z.number().nullable(),
        auc: z.number().nullable(),
        aucCiLower: z.number().nullable(),
        aucCiUpper: z.number().nullable(),
        brier: z.number().nullable(),
        calibrationSlope: z.number().nullable(),
        calibrationInLarge: z.number().nullable(),
        hosmerLemeshowP: z.number().nullable(),
        concordance: z.number().nullable().optional().describe("Harrell's C (survival models)"),
        concordanceCiLower: z.number().nullable().optional(),
        concordanceCiUpper: z.number().nullable().optional(),
      }),
    ),
    calibration: z.array(
      z.object({
        validationTaskId: IdSchema,
        groups: z.array(z.object({ n: z.number(), observed: z.number(), expected: z.number() })),
      }),
    ),
    limitations: z.array(z.string()),
  })
  .meta({ id: 'ModelCard' });
export type ModelCard = z.infer<typeof ModelCardSchema>;
