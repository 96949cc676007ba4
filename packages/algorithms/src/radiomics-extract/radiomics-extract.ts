/**
 * `radiomics-extract`: IBSI radiomics features of one ROI for every patient in the node's DICOM store
 * (CT series with an RT structure set or SEG holding the ROI). The features stay at the node as a derived
 * dataset, one row per patient pseudonym, optionally joined to an outcome dataset by that pseudonym, so
 * that glm, coxph and validate can use them as covariates. Only counts leave the node: patients found,
 * processed, and failures per reason code (counts below the node's minimum cell count suppressed).
 */
import { FedhubError, type Json, RadiomicsExtractResultSchema } from '@fedhub/protocol';
import type { DicomDataset, Feature } from '@fedhub/radiomics';
import {
  ibsiConfigA,
  ibsiConfigB,
  ibsiConfigC,
  ibsiConfigD,
  ibsiConfigE,
  type RadiomicsConfig,
  RadiomicsError,
  validateConfig,
} from '@fedhub/radiomics/settings';
import { z } from 'zod';
import { columnParam, DatasetParam, examples, OutputDatasetParam } from '../common-params.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { type ImagingSeries, type ImagingSource, release } from '../types.js';

export const RADIOMICS_PRESETS: Record<string, RadiomicsConfig> = {
  'ibsi-ct-a': ibsiConfigA,
  'ibsi-ct-b': ibsiConfigB,
  'ibsi-ct-c': ibsiConfigC,
  'ibsi-ct-d': ibsiConfigD,
  'ibsi-ct-e': ibsiConfigE,
};

/** Bounds on the settings that drive a run's size (grid and histogram sizes): a poison task cannot pass. */
export const RADIOMICS_SIZE_BOUNDS = { maxBins: 4096, minBinWidth: 0.1, minSpacingMm: 0.5 } as const;

function settingsSizeProblems(c: RadiomicsConfig): string[] {
  const out: string[] = [];
  const b = RADIOMICS_SIZE_BOUNDS;
  const disc = (d: RadiomicsConfig['discretisation'] | undefined, where: string) => {
    if (d?.method === 'fbn' && d.bins > b.maxBins) out.push(`${where}.bins must be at most ${b.maxBins}`);
    if (d?.method === 'fbs' && d.width < b.minBinWidth)
      out.push(`${where}.width must be at least ${b.minBinWidth}`);
  };
  disc(c.discretisation, 'discretisation');
  disc(c.ivhDiscretisation, 'ivhDiscretisation');
  for (const [i, s] of (c.resampleSpacing ?? []).entries())
    if (s !== null && s < b.minSpacingMm)
      out.push(`resampleSpacing[${i}] must be at least ${b.minSpacingMm} mm`);
  return out;
}

const SettingsParam = z
  .union([z.enum(Object.keys(RADIOMICS_PRESETS) as [string, ...string[]]), z.record(z.string(), z.unknown())])
  .superRefine((v, ctx) => {
    if (typeof v === 'string') return;
    try {
      validateConfig(v as unknown as RadiomicsConfig);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return;
    }
    for (const problem of settingsSizeProblems(v as unknown as RadiomicsConfig))
      ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe(
    'An IBSI configuration name (ibsi-ct-a..e) or a settings object (see @fedhub/radiomics RadiomicsConfig)',
  )
  .meta(examples('ibsi-ct-c'));

export const RadiomicsExtractParamsSchema = z.strictObject({
  roi: z
    .string()
    .min(1)
    .max(64)
    .describe(
      'ROI name or number in the RT structure sets, or SEG segment label or number. The Basic de-identification profile empties ROI names: nodes that keep them use the clean-descriptors option, otherwise give the ROI number',
    )
    .meta(examples('GTV', '1')),
  settings: SettingsParam.default('ibsi-ct-c'),
  output: OutputDatasetParam.describe('Name of the derived dataset stored at each node').meta(
    examples('radiomics_gtv'),
  ),
  features: z
    .array(z.string().regex(/^[a-z]+_[A-Za-z0-9_]+$/))
    .min(1)
    .max(1000)
    .optional()
    .describe('IBSI tags to keep (default: every feature)')
    .meta(examples(['morph_volume', 'stat_mean'])),
  join: z
    .strictObject({
      dataset: DatasetParam,
      column: columnParam('key', 'Patient pseudonym column', 'patient_id'),
    })
    .optional()
    .describe('Join the features to this dataset, whose `column` holds the patient pseudonym')
    .meta(examples({ dataset: 'cohort', column: 'patient_id' })),
  key: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/)
    .default('patient_pseudonym')
    .describe('Name of the patient key column of the derived dataset')
    .meta(examples('patient_pseudonym')),
  fractionalThreshold: z
    .number()
    .gt(0)
    .max(1)
    .default(0.5)
    .describe('Fractional SEG: smallest fraction inside')
    .meta(examples(0.5)),
});
export type RadiomicsExtractParams = z.infer<typeof RadiomicsExtractParamsSchema>;

/** What one node releases: counts only. */
export interface RadiomicsExtractRelease {
  output: string;
  patients: number;
  processed: number;
  /** Failures per reason code; `count` null where it was below the node's minimum cell count. */
  failures: Array<{ reason: string; count: number | null }>;
  features: number;
  settingsHash: string | null;
  rows: number;
}

const MASK_MODALITIES = new Set(['RTSTRUCT', 'SEG']);

/** The DICOM reader and the feature code, loaded when features are first computed (not with the registry). */
type RadiomicsModule = typeof import('@fedhub/radiomics');

function roiIn(rx: RadiomicsModule, d: DicomDataset, roi: string): boolean {
  const { isRtStruct, isSeg, readRtStruct, segSegments } = rx;
  const lc = roi.toLowerCase();
  if (isRtStruct(d))
    return readRtStruct(d).rois.some((r) => r.name.toLowerCase() === lc || String(r.number) === roi);
  if (isSeg(d)) return segSegments(d).some((s) => s.label.toLowerCase() === lc || String(s.number) === roi);
  return false;
}

/** Features of one patient, or the reason code of the failure. */
async function patientFeatures(
  rx: RadiomicsModule,
  imaging: ImagingSource,
  series: ImagingSeries[],
  params: RadiomicsExtractParams,
  config: RadiomicsConfig,
): Promise<{ features: Feature[] } | { reason: string }> {
  const { computeFeatures, findRoi, isRtStruct, parseDicom, readDicomRoi, readRtStruct } = rx;
  const parse = async (s: ImagingSeries) =>
    (await imaging.files(s.seriesInstanceUid)).map((b, i) =>
      parseDicom(b, `series ${s.seriesInstanceUid} file ${i + 1}`),
    );
  try {
    let mask: DicomDataset | undefined;
    for (const s of series.filter((x) => MASK_MODALITIES.has(x.modality ?? ''))) {
      mask = (await parse(s)).find((d) => roiIn(rx, d, params.roi));
      if (mask) break;
    }
    if (!mask) return { reason: 'FH_ERR_RADIOMICS_ROI_NOT_FOUND' };
    const imageSeries = series.filter((x) => !MASK_MODALITIES.has(x.modality ?? ''));
    if (imageSeries.length === 0) return { reason: 'FH_ERR_DICOM_SERIES' };
    const images = (await Promise.all(imageSeries.map(parse))).flat();
    // Several image series: the one on the ROI's frame of reference.
    const frame = String(
      (isRtStruct(mask) ? findRoi(readRtStruct(mask), params.roi).frameOfReferenceUid : undefined) ??
        mask.ds.FrameOfReferenceUID ??
        '',
    );
    const onFrame = images.filter((d) => d.ds.FrameOfReferenceUID === frame);
    const candidates = onFrame.length > 0 ? onFrame : images;
    // A PET or MR series on the same frame as the CT: the features are those of the CT.
    const ct = candidates.filter((d) => d.ds.Modality === 'CT');
    const chosen = ct.length > 0 ? ct : candidates;
    const seriesUids = new Set(chosen.map((d) => String(d.ds.SeriesInstanceUID)));
    const roi = readDicomRoi(chosen, mask, {
      roi: params.roi,
      threshold: params.fractionalThreshold,
      ...(seriesUids.size === 1 ? { seriesInstanceUid: [...seriesUids][0] as string } : {}),
    });
    return { features: computeFeatures(roi.image, roi.mask, config).features };
  } catch (err) {
    // Only the code leaves the function: messages name files and may quote header values.
    if (err instanceof RadiomicsError || err instanceof FedhubError) return { reason: err.code };
    return { reason: 'FH_ERR_ALGORITHM_FAILED' };
  }
}

export const radiomicsExtract = defineAlgorithm<RadiomicsExtractParams>({
  name: 'radiomics-extract',
  // 1.1.0: per-node counts only where the study allows per-node breakdowns
  version: '1.1.0',
  title: 'Radiomics feature extraction',
  description:
    'IBSI radiomics features of one ROI per patient from the node DICOM store, kept at the node as a derived dataset (optionally joined to an outcome dataset); only counts are released.',
  paramsSchema: RadiomicsExtractParamsSchema,
  resultSchema: RadiomicsExtractResultSchema,
  releases: {
    pooled:
      'counts of patients found, processed and failed per reason (counts under the minimum cell count suppressed); the features stay at the site as a derived dataset',
    perNode: 'counts per node',
  },
  variables: (p) => ({ dataset: p.join?.dataset ?? null, columns: p.join ? [p.join.column] : [] }),
  firstInput: () => null,
  async local(ctx, params) {
    if (!ctx.imaging)
      throw new FedhubError(
        'FH_ERR_UNKNOWN_DATASET',
        'this node has no DICOM store to extract radiomics from',
      );
    if (!ctx.registerDataset)
      throw new FedhubError('FH_ERR_FORBIDDEN', 'this node does not store derived datasets');
    const config =
      typeof params.settings === 'string'
        ? (RADIOMICS_PRESETS[params.settings] as RadiomicsConfig)
        : (params.settings as unknown as RadiomicsConfig);
    const rx = await import('@fedhub/radiomics');
    const byPatient = new Map<string, ImagingSeries[]>();
    for (const s of await ctx.imaging.series())
      byPatient.set(s.patientPseudonym, [...(byPatient.get(s.patientPseudonym) ?? []), s]);
    const rows: Array<Record<string, number | string | null>> = [];
    const failures = new Map<string, number>();
    let columns: Feature[] | null = null;
    const keep = params.features ? new Set(params.features) : null;
    for (const [patient, series] of [...byPatient].sort(([a], [b]) => a.localeCompare(b))) {
      const r = await patientFeatures(rx, ctx.imaging, series, params, config);
      if ('reason' in r) {
        failures.set(r.reason, (failures.get(r.reason) ?? 0) + 1);
        continue;
      }
      const chosen = keep ? r.features.filter((f) => keep.has(f.tag)) : r.features;
      columns ??= chosen;
      const row: Record<string, number | string | null> = { [params.key]: patient };
      for (const f of chosen) row[f.tag] = f.value;
      rows.push(row);
    }
    if (keep && columns) {
      const missing = [...keep].filter((t) => !columns?.some((f) => f.tag === t));
      if (missing.length > 0)
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `features ${missing.slice(0, 5).join(', ')} are not computed with these settings`,
        );
    }
    let stored = 0;
    if (columns) {
      const registered = await ctx.registerDataset({
        name: params.output,
        description: `IBSI radiomics features of ROI "${params.roi}" (settings ${columns[0]?.settingsHash ?? ''})`,
        columns: [
          { name: params.key, type: 'categorical', identifier: true, description: 'Patient pseudonym' },
          ...columns.map((f) => ({
            name: f.tag,
            type: 'numeric' as const,
            description: `IBSI ${f.code ?? '?'}; family ${f.family} (${f.familyCode ?? '?'}); aggregation ${f.aggregation}${f.aggregationCode ? ` (${f.aggregationCode})` : ''}; settings ${f.settingsHash}`,
          })),
        ],
        rows,
        ...(params.join ? { join: params.join } : {}),
      });
      stored = registered.rows;
    }
    const min = ctx.policy.minCellCount;
    const summary: RadiomicsExtractRelease = {
      output: params.output,
      patients: byPatient.size,
      processed: rows.length,
      failures: [...failures]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([reason, count]) => ({ reason, count: count >= min ? count : null })),
      features: columns?.length ?? 0,
      settingsHash: columns?.[0]?.settingsHash ?? null,
      rows: stored,
    };
    return release(summary as unknown as Json, {
      subsetSize: rows.length,
      cells: [
        { label: 'patients found', count: summary.patients, kind: 'records' },
        { label: 'patients processed', count: rows.length, kind: 'records' },
        { label: 'rows of the derived dataset', count: stored, kind: 'records' },
        ...summary.failures
          .filter((f) => f.count !== null)
          .map((f) => ({ label: `failures ${f.reason}`, count: f.count as number, kind: 'group' as const })),
      ],
    });
  },
  aggregate({ parts, releasePerNodeBreakdown }) {
    const nodes = parts
      .map((p) => ({ node: p.nodeName, ...(p.payload as unknown as RadiomicsExtractRelease) }))
      .sort((a, b) => a.node.localeCompare(b.node));
    return {
      kind: 'done',
      result: {
        algorithm: 'radiomics-extract',
        // without the study's leave, each node's counts stay pooled; what it derived (name, settings) is no data
        nodes:
          releasePerNodeBreakdown === true
            ? nodes
            : nodes.map((n) => ({
                node: n.node,
                output: n.output,
                features: n.features,
                settingsHash: n.settingsHash,
              })),
        processed: nodes.reduce((s, n) => s + n.processed, 0),
        patients: nodes.reduce((s, n) => s + n.patients, 0),
      } as unknown as Json,
    };
  },
});
