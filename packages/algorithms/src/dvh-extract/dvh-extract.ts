/**
 * `dvh-extract`: dose–volume histograms of every patient's RT Dose + RT Structure Set in the node's DICOM
 * store, kept at the node as two derived datasets keyed by the patient pseudonym: `output`, one row per
 * patient and structure with the standard metrics (and any extra ones asked for), and, where
 * `differentialOutput` is given, the long differential DVH table (patient, structure, dose_gy, volume as a
 * fraction) that `lkb` reads. Structures are named by the node's TG-263 mapping (rt.structureNames);
 * either table can be joined to a clinical dataset by the pseudonym. Only counts leave the node.
 */
import { DvhExtractResultSchema, FedhubError, type Json } from '@fedhub/protocol';
import type { Dvh } from '@fedhub/rt';
import { z } from 'zod';
import { columnParam, DatasetParam, examples, OutputDatasetParam } from '../common-params.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { type ImagingSeries, release } from '../types.js';

const MetricName = z
  .string()
  .regex(
    /^(D\d+(\.\d+)?(%|cc)?|V\d+(\.\d+)?Gy%?|gEUD\((n|a)=-?\d+(\.\d+)?\)|NTCP_LKB\(TD50=\d+(\.\d+)?,m=\d+(\.\d+)?,n=\d+(\.\d+)?\))$/,
  )
  .describe(
    "A DVH metric: D95, D2cc, V20Gy (cc), V20Gy% , gEUD(n=0.25), or a frozen LKB model's probability NTCP_LKB(TD50=45,m=0.2,n=0.25)",
  );

export const DvhExtractParamsSchema = z.strictObject({
  output: OutputDatasetParam.describe('Derived dataset of metrics, one row per patient and structure').meta(
    examples('dvh_metrics'),
  ),
  differentialOutput: OutputDatasetParam.optional()
    .describe('Derived dataset of differential DVHs: patient, structure, dose_gy, volume (fraction)')
    .meta(examples('dvh_differential')),
  binGy: z
    .number()
    .min(0.01)
    .max(10)
    .default(1)
    .describe('Dose bin width of the differential table (Gy)')
    .meta(examples(0.5)),
  structures: z
    .array(z.string().min(1).max(64))
    .min(1)
    .max(100)
    .optional()
    .describe('Structures to keep (standard or local names); default every structure')
    .meta(examples(['Lung_L', 'Lung_R', 'Heart'])),
  metrics: z
    .array(MetricName)
    .max(50)
    .default([])
    .describe('Extra metrics, each a column of `output`')
    .meta(examples(['D95', 'V20Gy%', 'gEUD(n=0.25)'])),
  join: z
    .strictObject({
      dataset: DatasetParam,
      column: columnParam('key', 'Patient pseudonym column', 'patient_id'),
    })
    .optional()
    .describe('Join both tables to this dataset, whose `column` holds the patient pseudonym')
    .meta(examples({ dataset: 'cohort', column: 'patient_id' })),
  samples: z
    .int()
    .min(10_000)
    .max(20_000_000)
    .default(4_000_000)
    .describe('Dose samples aimed at per structure (sets the sampling resolution of the DVH engine)')
    .meta(examples(4_000_000)),
  key: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/)
    .default('patient_pseudonym')
    .describe('Name of the patient key column of the derived datasets')
    .meta(examples('patient_pseudonym')),
});
export type DvhExtractParams = z.infer<typeof DvhExtractParamsSchema>;

/** Column name of a metric: lower case, other characters as underscores (V20Gy% -> v20gy_pct). */
export function metricColumn(name: string): string {
  return name
    .replace('%', '_pct')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/_+$/, '')
    .toLowerCase();
}

const RT_MODALITIES = new Set(['RTDOSE', 'RTSTRUCT', 'RTPLAN']);

interface Release {
  output: string;
  patients: number;
  processed: number;
  failures: Array<{ reason: string; count: number | null }>;
  rows: number;
  differentialRows: number;
}

export const dvhExtract = defineAlgorithm<DvhExtractParams>({
  name: 'dvh-extract',
  version: '1.0.0',
  title: 'DVH extraction',
  description:
    'Dose–volume histograms and metrics per patient and structure from the node DICOM store (RT Dose + RT Structure Set), kept at the node as derived datasets (metrics; long differential DVHs); only counts are released.',
  paramsSchema: DvhExtractParamsSchema,
  resultSchema: DvhExtractResultSchema,
  releases: {
    pooled:
      'counts of patients found, processed and failed per reason code (counts under the minimum cell count suppressed) and of rows stored; the DVH tables stay at the site as derived datasets',
    perNode: 'counts per node',
  },
  variables: (p) => ({ dataset: p.join?.dataset ?? null, columns: p.join ? [p.join.column] : [] }),
  firstInput: () => null,
  async local(ctx, params) {
    if (!ctx.imaging)
      throw new FedhubError('FH_ERR_UNKNOWN_DATASET', 'this node has no DICOM store to compute DVHs from');
    if (!ctx.registerDataset)
      throw new FedhubError('FH_ERR_FORBIDDEN', 'this node does not store derived datasets');
    const rt = await import('@fedhub/rt');
    const names = ctx.imaging.structureNames ?? {};
    const byPatient = new Map<string, ImagingSeries[]>();
    for (const s of await ctx.imaging.series())
      if (RT_MODALITIES.has(s.modality ?? ''))
        byPatient.set(s.patientPseudonym, [...(byPatient.get(s.patientPseudonym) ?? []), s]);
    const keep = params.structures ? new Set(params.structures) : null;
    const rows: Array<Record<string, number | string | null>> = [];
    const diff: Array<Record<string, number | string | null>> = [];
    const failures = new Map<string, number>();
    const fail = (code: string) => failures.set(code, (failures.get(code) ?? 0) + 1);
    let processed = 0;
    for (const [patient, series] of [...byPatient].sort(([a], [b]) => a.localeCompare(b))) {
      const files = (
        await Promise.all(
          series.map(async (s) =>
            (
              await ctx.imaging!.files(s.seriesInstanceUid)
            ).map((bytes, i) => ({
              name: `series ${s.seriesInstanceUid} file ${i + 1}`,
              bytes,
            })),
          ),
        )
      ).flat();
      let cases: ReturnType<typeof rt.groupRtCases>['cases'];
      try {
        cases = rt.groupRtCases(files).cases;
      } catch (err) {
        // only the code: messages name files
        fail(err instanceof FedhubError ? err.code : 'FH_ERR_ALGORITHM_FAILED');
        continue;
      }
      let any = false;
      for (const c of cases)
        for (const s of c.structureSet.structures) {
          if (s.contours.length === 0 || s.contours.every((k) => k.geometricType === 'POINT')) continue;
          const structure = rt.standardName(s.name, names) ?? s.name;
          if (keep && !keep.has(structure) && !keep.has(s.name)) continue;
          let dvh: Dvh;
          try {
            dvh = rt.computeDvh(s, c.structureSet.where, c.dose, { sampleBudget: params.samples });
          } catch (err) {
            fail(err instanceof FedhubError ? err.code : 'FH_ERR_ALGORITHM_FAILED');
            continue;
          }
          any = true;
          const m = rt.standardMetrics(dvh);
          const row: Record<string, number | string | null> = {
            [params.key]: patient,
            structure,
            volume_cc: m.volumeCc,
            mean_gy: m.meanGy,
            min_gy: m.minGy,
            max_gy: m.maxGy,
            d98_gy: m.D98,
            d95_gy: m.D95,
            d50_gy: m.D50,
            d2_gy: m.D2,
            d0_03cc_gy: m['D0.03cc'],
          };
          for (const name of params.metrics) row[metricColumn(name)] = rt.metric(dvh, name);
          rows.push(row);
          if (params.differentialOutput) {
            // re-binned at binGy: each bin's volume fraction at its centre dose
            const per = Math.max(1, Math.round(params.binGy / dvh.binWidthGy));
            const width = per * dvh.binWidthGy;
            for (let b = 0; b * per < dvh.differentialCc.length; b++) {
              let v = 0;
              for (let k = b * per; k < Math.min((b + 1) * per, dvh.differentialCc.length); k++)
                v += dvh.differentialCc[k]!;
              if (v > 0)
                diff.push({
                  [params.key]: patient,
                  structure,
                  dose_gy: Number(((b + 0.5) * width).toFixed(6)),
                  volume: v / dvh.volumeCc,
                });
            }
          }
        }
      if (any) processed++;
    }
    const join = params.join ? { join: params.join } : {};
    const key = {
      name: params.key,
      type: 'categorical' as const,
      identifier: true,
      description: 'Patient pseudonym',
    };
    const structureCol = {
      name: 'structure',
      type: 'categorical' as const,
      description: 'TG-263 name (local where unmapped)',
    };
    let stored = 0;
    let storedDiff = 0;
    if (rows.length > 0) {
      const gy = (name: string, description: string) => ({
        name,
        type: 'numeric' as const,
        unit: 'Gy',
        description,
      });
      stored = (
        await ctx.registerDataset({
          name: params.output,
          description: 'DVH metrics per patient and structure',
          columns: [
            key,
            structureCol,
            { name: 'volume_cc', type: 'numeric', unit: 'cm3', description: 'Structure volume' },
            gy('mean_gy', 'Mean dose'),
            gy('min_gy', 'Minimum dose'),
            gy('max_gy', 'Maximum dose'),
            gy('d98_gy', 'D98%'),
            gy('d95_gy', 'D95%'),
            gy('d50_gy', 'D50%'),
            gy('d2_gy', 'D2%'),
            gy('d0_03cc_gy', 'D0.03cc'),
            ...params.metrics.map((n) => ({
              name: metricColumn(n),
              type: 'numeric' as const,
              description: n,
            })),
          ],
          rows,
          ...join,
        })
      ).rows;
      if (params.differentialOutput)
        storedDiff = (
          await ctx.registerDataset({
            name: params.differentialOutput,
            description: `Differential DVHs (bins of ${params.binGy} Gy; volume as a fraction of the structure)`,
            columns: [
              key,
              structureCol,
              { name: 'dose_gy', type: 'numeric', unit: 'Gy', description: 'Bin centre' },
              { name: 'volume', type: 'numeric', description: 'Fraction of the structure volume in the bin' },
            ],
            rows: diff,
            ...join,
          })
        ).rows;
    }
    const min = ctx.policy.minCellCount;
    const summary: Release = {
      output: params.output,
      patients: byPatient.size,
      processed,
      failures: [...failures]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([reason, count]) => ({ reason, count: count >= min ? count : null })),
      rows: stored,
      differentialRows: storedDiff,
    };
    return release(summary as unknown as Json, {
      subsetSize: processed,
      cells: [
        { label: 'patients found', count: summary.patients, kind: 'records' },
        { label: 'patients processed', count: processed, kind: 'records' },
        { label: 'rows of the metrics dataset', count: stored, kind: 'records' },
        { label: 'rows of the differential dataset', count: storedDiff, kind: 'records' },
        ...summary.failures
          .filter((f) => f.count !== null)
          .map((f) => ({ label: `failures ${f.reason}`, count: f.count as number, kind: 'group' as const })),
      ],
    });
  },
  aggregate({ parts, releasePerNodeBreakdown }) {
    const nodes = parts
      .map((p) => ({ node: p.nodeName, ...(p.payload as unknown as Release) }))
      .sort((a, b) => a.node.localeCompare(b.node));
    return {
      kind: 'done',
      result: {
        algorithm: 'dvh-extract',
        nodes:
          releasePerNodeBreakdown === true ? nodes : nodes.map((n) => ({ node: n.node, output: n.output })),
        processed: nodes.reduce((s, n) => s + n.processed, 0),
        patients: nodes.reduce((s, n) => s + n.patients, 0),
      } as unknown as Json,
    };
  },
});
