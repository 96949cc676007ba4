/**
 * How an image model wants its input and what its output means: the imaging part of an ONNX model card.
 * The node applies exactly this (packages/algorithms/src/validate-imaging/preprocess.ts), so the card is
 * the one place where a model's preprocessing is declared; the model-card schema embeds it as `imaging`.
 *
 * Axes: x = image column, y = image row, z = slice (along the slice normal), as DICOM stores them.
 */
import { z } from 'zod';

const Mm = z.number().min(0.1).max(50);
const Size = z.int().min(1).max(1024);

/** Intensity normalisation, applied after resampling and crop/pad. */
export const IntensitySchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('window'),
      center: z.number().min(-5000).max(50000).describe('Window centre in modality units (HU for CT)'),
      width: z.number().gt(0).max(100000).describe('Window width in modality units'),
      range: z
        .tuple([z.number(), z.number()])
        .default([0, 1])
        .describe('Output range: values below the window map to range[0], above it to range[1]'),
    })
    .describe('Clip to [centre - width/2, centre + width/2] and scale linearly to `range`'),
  z
    .strictObject({
      kind: z.literal('zscore'),
      mean: z.number().optional().describe('Fixed mean (e.g. the training set); omitted: the image mean'),
      std: z.number().gt(0).optional().describe('Fixed SD; omitted: the image SD (population, n divisor)'),
      clip: z
        .tuple([z.number(), z.number()])
        .optional()
        .describe('Clip to this range in modality units before normalising'),
    })
    .describe('(value - mean) / SD'),
  z.strictObject({ kind: z.literal('none') }).describe('Modality units as they are (HU for CT)'),
]);
export type Intensity = z.infer<typeof IntensitySchema>;

export const ImagingPreprocessingSchema = z
  .strictObject({
    spacing: z
      .tuple([Mm.nullable(), Mm.nullable(), Mm.nullable()])
      .nullable()
      .default(null)
      .describe(
        'Voxel spacing [x, y, z] in mm to resample to (trilinear for images, nearest neighbour for masks; IBSI centre-aligned grid); null, or null on an axis, keeps the series spacing',
      ),
    intensity: IntensitySchema.default({ kind: 'none' }),
    size: z
      .tuple([Size, Size, Size.nullable()])
      .describe(
        'Size [x, y, z] in voxels after crop/pad; z null keeps every slice (2D models: the slices go one by one)',
      ),
    crop: z
      .enum(['centre', 'structure'])
      .default('centre')
      .describe(
        "Where the crop/pad window sits: on the volume's centre, or on the centre of the named structure's bounding box (the reference structure of the study)",
      ),
    padValue: z
      .number()
      .default(-1024)
      .describe('Value (modality units, before normalisation) outside the image'),
    mode: z
      .enum(['2d', '3d'])
      .default('3d')
      .describe('3d: one input per case; 2d: one input per axial slice'),
    layout: z
      .enum(['channels-first', 'channels-last'])
      .default('channels-first')
      .describe('[1, C, (D,) H, W] or [1, (D,) H, W, C]; H = rows (y), W = columns (x), D = slices (z)'),
    channels: z
      .int()
      .min(1)
      .max(4)
      .default(1)
      .describe('The grey image repeated on this many channels (3 for models trained on RGB)'),
    slices: z
      .enum(['all', 'structure'])
      .default('all')
      .describe('2d classifiers: score every slice, or only the slices the reference structure crosses'),
    sliceAggregation: z
      .enum(['max', 'mean'])
      .default('max')
      .describe("2d classifiers: the case's score from its slices' scores"),
  })
  .meta({ id: 'ImagingPreprocessing' });
export type ImagingPreprocessing = z.infer<typeof ImagingPreprocessingSchema>;
export type ImagingPreprocessingInput = z.input<typeof ImagingPreprocessingSchema>;

/** What the model's output means: a case score (classifier) or a mask (segmentation). */
export const ImagingOutputSchema = z
  .discriminatedUnion('task', [
    z.strictObject({
      task: z.literal('classification'),
      output: z.string().min(1).max(128).optional().describe('Output name (default: the first output)'),
      index: z.int().min(0).max(1023).default(0).describe('Element of the output holding the score'),
      scale: z
        .enum(['probability', 'logit'])
        .default('probability')
        .describe('A logit is turned into a probability with the logistic function'),
    }),
    z.strictObject({
      task: z.literal('segmentation'),
      output: z.string().min(1).max(128).optional().describe('Output name (default: the first output)'),
      channel: z.int().min(0).max(255).default(0).describe('Channel of the structure in the output'),
      threshold: z.number().default(0.5).describe('Voxels whose output exceeds this are inside'),
    }),
  ])
  .meta({ id: 'ImagingOutput' });
export type ImagingOutput = z.infer<typeof ImagingOutputSchema>;

/** The imaging section of a model card: preprocessing and the meaning of the output. */
export const ImagingModelSpecSchema = z
  .strictObject({
    input: z.string().min(1).max(128).optional().describe('Input name (default: the only input)'),
    preprocessing: ImagingPreprocessingSchema,
    output: ImagingOutputSchema,
  })
  .meta({ id: 'ImagingModelSpec' });
export type ImagingModelSpec = z.infer<typeof ImagingModelSpecSchema>;
export type ImagingModelSpecInput = z.input<typeof ImagingModelSpecSchema>;
