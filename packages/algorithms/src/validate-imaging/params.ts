/** The parameters of `validate-imaging`. */
import { ImagingModelSpecSchema, paramMeta } from '@fedhub/protocol';
import { z } from 'zod';
import { columnParam, DatasetParam, examples, FilterParam } from '../common-params.js';
import { METRIC_GRIDS } from './metric-summary.js';

const onGrid = (grid: readonly number[], what: string) =>
  z
    .array(z.number())
    .max(10)
    .refine((ts) => ts.every((t) => grid.includes(t)), {
      message: `${what} thresholds must be edges of the platform's grid: ${grid.join(', ')}`,
    });

export const ValidateImagingParamsSchema = z.strictObject({
  model: z
    .strictObject({
      onnx: z
        .string()
        .regex(/^sha256:[0-9a-f]{64}$/, 'sha256:<64 lowercase hex digits>')
        .describe("The registered ONNX file's digest, sha256:<hex> (what node approvals bind to)"),
      registered: z.string().max(200).optional().describe('name@version in the registry, for the report'),
      imaging: ImagingModelSpecSchema.describe(
        "The imaging section of the model's card: preprocessing and the meaning of the output",
      ),
    })
    .describe('The image model')
    .meta(
      // the form picks it from the ONNX registry (models whose card has an imaging section)
      paramMeta({
        widget: 'onnx-model',
        examples: [
          {
            onnx: `sha256:${'0'.repeat(64)}`,
            registered: 'gtv-seg@2',
            imaging: {
              preprocessing: { size: [128, 128, 64], crop: 'structure' },
              output: { task: 'segmentation' },
            },
          },
        ],
      }),
    ),
  selection: z
    .strictObject({
      modality: z
        .string()
        .regex(/^[A-Z]{2,8}$/)
        .default('CT')
        .describe('Modality of the image series (CT, MR, PT...)'),
      bodyPart: z
        .string()
        .regex(/^[A-Za-z0-9 _-]{1,64}$/)
        .optional()
        .describe('Body Part Examined (0018,0015), case-insensitive'),
      seriesDescription: z
        .string()
        .min(1)
        .max(128)
        .optional()
        .describe('Series Description pattern: * any characters, ? one; case-insensitive'),
    })
    .default({ modality: 'CT' })
    .describe("Which series is a case's image (one per patient; a patient with several is excluded)")
    .meta(examples({ modality: 'CT', seriesDescription: '*thorax*' })),
  cohort: z
    .strictObject({
      dataset: DatasetParam.describe('The cohort table: one row per patient'),
      patient: columnParam(
        'key',
        "Column of the patient pseudonym, as the node's DICOM store holds it",
        'patient_id',
      ),
      label: columnParam('binary', 'Observed binary outcome (0/1), for classifiers', 'malignant').optional(),
      filter: FilterParam,
    })
    .describe('The patients validated on')
    .meta(examples({ dataset: 'cohort', patient: 'patient_id', label: 'malignant' })),
  structure: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe(
      "Reference structure (RT structure set ROI or SEG segment, by name, number or the node's TG-263 name) for segmentation models and structure crops",
    )
    .meta(examples('GTV', 'Lung_L')),
  tolerances: z
    .array(z.number().gt(0).max(20))
    .min(1)
    .max(5)
    .default([1, 2])
    .describe('Surface Dice tolerances (mm)')
    .meta(examples([1, 2])),
  thresholds: z
    .strictObject({
      dice: onGrid(METRIC_GRIDS.fraction, 'Dice').default([0.7, 0.8]),
      hd95: onGrid(METRIC_GRIDS.mm, 'HD95').default([5, 10]),
      surfaceDice: onGrid(METRIC_GRIDS.fraction, 'surface Dice').default([0.9]),
    })
    .default({ dice: [0.7, 0.8], hd95: [5, 10], surfaceDice: [0.9] })
    .describe('Cases counted under these values (grid edges)')
    .meta(examples({ dice: [0.7, 0.8], hd95: [5, 10], surfaceDice: [0.9] })),
  scoreResolution: z
    .number()
    .min(1e-4)
    .max(0.1)
    .default(0.001)
    .describe('Classifiers: predicted probabilities are histogrammed at this resolution')
    .meta(examples(0.001)),
  groups: z
    .int()
    .min(3)
    .max(20)
    .default(10)
    .describe('Classifiers: Hosmer–Lemeshow risk groups')
    .meta(examples(10)),
});
export type ValidateImagingParams = z.infer<typeof ValidateImagingParamsSchema>;
