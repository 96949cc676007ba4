/**
 * ONNX models in the registry: a trained model brought as an ONNX file, stored at the hub with its sha256
 * (what node approvals and validation tasks bind to), the input/output signature read from its graph, and
 * a model card. Immutable: a new file is a new version.
 *
 * @example
 * POST /api/onnx-models { "name": "tox-net", "version": "1.0.0", "collaborationId": "…", "card": {…}, "onnx": "<base64>" }
 * → 201 { "name": "tox-net", "version": "1.0.0", "sha256": "9f…", "signature": { "inputs": [...] }, ... }
 */
import { z } from 'zod';
import { IdSchema, SlugSchema } from '../common.js';
import { ImagingModelSpecSchema } from '../imaging-preprocessing.js';

const text = (max: number) => z.string().trim().min(1).max(max);

/** The model card the authors give at registration (TRIPOD+AI items 3, 5, 8, 12; Mitchell et al. 2019). */
export const OnnxModelCardSchema = z
  .strictObject({
    intendedUse: text(5000).describe('Population, setting, clinical question, intended users'),
    trainingData: text(5000).describe(
      'Source, period, centres, size and outcome prevalence of the training data',
    ),
    inputs: z
      .array(
        z.strictObject({
          name: text(200).describe("The model's input name (as in the graph)"),
          description: text(2000),
          preprocessing: text(2000).describe(
            'Units, scaling, encoding or image preprocessing the input expects',
          ),
          columns: z
            .array(text(63))
            .max(500)
            .optional()
            .describe('Suggested data-dictionary columns, in order'),
        }),
      )
      .min(1)
      .max(16),
    output: z.strictObject({
      name: text(200).describe("The output the card's claims refer to"),
      meaning: text(2000).describe(
        'What the output value means, e.g. predicted probability of grade >= 2 toxicity',
      ),
    }),
    licence: text(200).describe('SPDX identifier or licence name'),
    authors: z.array(text(200)).max(50).default([]),
    limitations: z.array(text(2000)).max(50).default([]),
    references: z.array(text(500)).max(50).default([]),
    imaging: ImagingModelSpecSchema.optional().describe(
      'Image models: the preprocessing the model expects and what its output means (validate-imaging applies it at every node)',
    ),
  })
  .meta({ id: 'OnnxModelCard' });
export type OnnxModelCard = z.infer<typeof OnnxModelCardSchema>;

const DimSchema = z.union([z.int(), z.string(), z.null()]);
export const OnnxTensorInfoSchema = z.object({
  name: z.string(),
  kind: z.enum(['tensor', 'sequence', 'map', 'optional', 'sparse']),
  elementType: z.string().nullable(),
  shape: z.array(DimSchema).nullable(),
});

/** What the hub read from the graph at registration. */
export const OnnxSignatureSchema = z
  .object({
    irVersion: z.int(),
    opsets: z.array(z.object({ domain: z.string(), version: z.int() })),
    producer: z.object({ name: z.string(), version: z.string() }),
    inputs: z.array(OnnxTensorInfoSchema),
    outputs: z.array(OnnxTensorInfoSchema),
    operators: z.array(z.string()),
    nodeCount: z.int(),
    byteLength: z.int(),
  })
  .meta({ id: 'OnnxSignature' });

export const OnnxVersionSchema = z
  .string()
  .regex(/^[0-9A-Za-z][0-9A-Za-z.+_-]{0,39}$/, 'letters, digits, . + _ - (e.g. 1.0.0)')
  .describe('Version label given by the authors, e.g. 1.0.0');

export const RegisterOnnxModelRequestSchema = z
  .strictObject({
    name: SlugSchema,
    version: OnnxVersionSchema,
    collaborationId: IdSchema.describe('The collaboration whose studies may validate the model'),
    card: OnnxModelCardSchema,
    onnx: z.base64().describe('The ONNX file, base64'),
  })
  .meta({ id: 'RegisterOnnxModelRequest' });
export type RegisterOnnxModelRequest = z.input<typeof RegisterOnnxModelRequestSchema>;

export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits');

export const OnnxModelSchema = z
  .object({
    id: IdSchema,
    name: z.string(),
    version: z.string(),
    collaborationId: IdSchema,
    sha256: Sha256HexSchema,
    signature: OnnxSignatureSchema,
    card: OnnxModelCardSchema,
    createdBy: IdSchema,
    createdAt: z.string(),
  })
  .meta({ id: 'OnnxModel' });
export type OnnxModel = z.infer<typeof OnnxModelSchema>;

export const OnnxModelParamsSchema = z.object({ name: SlugSchema, version: OnnxVersionSchema });
export const OnnxDigestParamsSchema = z.object({ sha256: Sha256HexSchema });

/** A node's download of a model file by digest (JSON, base64). */
export const NodeOnnxModelResponseSchema = z
  .object({ sha256: Sha256HexSchema, onnx: z.base64() })
  .meta({ id: 'NodeOnnxModelResponse' });
