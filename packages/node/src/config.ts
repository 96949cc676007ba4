/**
 * The node's configuration: a YAML file (`fedhub node start --config node.yaml`), parsed once at the entry
 * point, with relative paths resolved against the file's folder.
 *
 * @example
 * hub:
 *   url: https://hub.example.org
 *   enrolmentToken: fhe_...          # used once; afterwards the node's credentials live in dataDir
 * dataDir: ./node-data
 * datasets:
 *   - name: cohort
 *     file: ./cohort.csv
 *     dictionary: ./cohort.dictionary.yaml
 * policy:
 *   minCellCount: 5
 *   minSubsetSize: 10
 *   minNodes: 3              # this node computes only in rounds of at least 3 nodes ...
 *   minOrganisations: 3      # ... of at least 3 distinct organisations
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import {
  ColumnSpecSchema,
  DisclosurePolicySchema,
  FedhubError,
  insecureCredentialUrl,
  SlugSchema,
} from '@fedhub/protocol';
import { z } from 'zod';
import {
  DicomConfigSchema,
  type ResolvedDicomConfig,
  resolveDicomConfig,
} from './dicom-store/dicom-config.js';
import { ApprovalsConfigSchema } from './governance/approval-gate.js';
import { PrivacyConfigSchema } from './governance/dp-config.js';
import { RoundFloorsSchema } from './governance/round-floors.js';
import { RunLimitsSchema } from './run-budget.js';

const require = createRequire(import.meta.url);
/** YAML is parsed only when a config or dictionary file is read (`fedhub simulate` passes objects). */
function parseYaml(text: string): unknown {
  return (require('yaml') as typeof import('yaml')).parse(text);
}

/**
 * A dataset's consent opt-out list: the identifiers (values of `column`) of patients whose records no
 * algorithm may read, from a file (one identifier a line, `#` comments) or inline.
 */
export const OptOutConfigSchema = z
  .strictObject({
    column: z.string().min(1).max(128).describe('The column holding the patient identifier'),
    file: z.string().min(1).optional().describe('One identifier a line; lines starting with # are comments'),
    ids: z.array(z.string().min(1).max(200)).max(1_000_000).optional().describe('Identifiers inline'),
  })
  .refine((o) => (o.file === undefined) !== (o.ids === undefined), {
    message: 'give exactly one of file and ids',
  });

export const DatasetConfigSchema = z.strictObject({
  name: SlugSchema,
  description: z.string().max(2000).optional(),
  file: z.string().min(1).describe('CSV or Parquet file'),
  format: z.enum(['csv', 'parquet']).optional().describe('Inferred from the file extension when omitted'),
  dictionary: z.union([z.string(), z.strictObject({ columns: z.array(ColumnSpecSchema).min(1) })]),
  onInvalid: z
    .enum(['reject', 'exclude'])
    .default('reject')
    .describe('Values outside the dictionary: refuse to start, or exclude those rows'),
  optOut: OptOutConfigSchema.optional().describe(
    'Patients who objected to research use: their records are removed before any algorithm reads the dataset',
  ),
});
export type DatasetConfig = z.infer<typeof DatasetConfigSchema>;

/** The disclosure policy and the node's floors on each round's peer set (see governance/round-floors.ts). */
export const NodePolicySchema = z.strictObject({
  ...DisclosurePolicySchema.shape,
  ...RoundFloorsSchema.shape,
});

export const NodeConfigSchema = z.strictObject({
  hub: z.strictObject({
    url: z.url(),
    enrolmentToken: z.string().optional(),
    enrolmentTokenFile: z.string().optional(),
    allowInsecureHttp: z
      .boolean()
      .default(false)
      .describe('Accept an http:// hub URL outside this machine (the node token would travel in clear)'),
  }),
  dataDir: z.string().default('./fedhub-node-data'),
  datasets: z.array(DatasetConfigSchema).default([]),
  // prefault({}): an absent section gets each field's own default, written once in its schema
  policy: NodePolicySchema.prefault({}),
  limits: RunLimitsSchema.prefault({}).describe(
    'Largest estimated memory and time of one run; beyond them the node refuses it (FH_ERR_RUN_TOO_LARGE)',
  ),
  models: z
    .strictObject({
      onnx: z
        .strictObject({
          maxModelMb: z.int().min(1).max(1024).default(64).describe('Largest ONNX file the node runs'),
          maxRunSeconds: z.int().min(1).max(86_400).default(60).describe('Longest one ONNX run may take'),
          threads: z.int().min(1).max(64).default(1).describe('onnxruntime intra- and inter-op threads'),
          maxInputElements: z
            .int()
            .min(1)
            .default(64 * 1024 * 1024)
            .describe('Most values fed to a model in one run'),
          maxRunnerMemoryMb: z
            .int()
            .min(64)
            .max(1_048_576)
            .default(2048)
            .describe(
              "Resident memory cap of the ONNX runner process (onnxruntime's buffers included); past it the run is stopped (FH_ERR_MODEL_MEMORY)",
            ),
        })
        .prefault({}),
    })
    .prefault({})
    .describe('Limits on registered models (ONNX) run at this node'),
  claimWaitMs: z.int().min(100).max(30000).default(20000),
  heartbeatIntervalMs: z.int().min(100).max(300000).default(15000),
  compute: z
    .strictObject({
      threads: z
        .int()
        .min(0)
        .max(64)
        .optional()
        .describe(
          'Worker threads for the row loops of model partials (0: in the node thread; default: the cores available, at most 8)',
        ),
    })
    .default({}),
  log: z
    .strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info') })
    .prefault({}),
  dicom: DicomConfigSchema.optional().describe(
    'DICOM intake: store, project key, C-STORE listener, DICOMweb',
  ),
  privacy: PrivacyConfigSchema.optional().describe(
    'Per-study quota of released results; differential privacy per dataset and study',
  ),
  rt: z
    .strictObject({ structureNames: z.record(z.string(), z.string()).default({}) })
    .optional()
    .describe('Radiotherapy: local structure (ROI) names mapped to AAPM TG-263 names, { local: standard }'),
  approvals: ApprovalsConfigSchema.prefault({}).describe(
    'Per-study approval mode (manual | automatic | deny), automatic policy, hub-relayed decisions',
  ),
});
export type NodeConfig = z.infer<typeof NodeConfigSchema>;

/** A resolved dataset declaration: absolute file path, format and dictionary columns. */
export interface ResolvedDataset {
  name: string;
  description?: string;
  file: string;
  format: 'csv' | 'parquet';
  columns: z.infer<typeof ColumnSpecSchema>[];
  onInvalid: 'reject' | 'exclude';
  /** Consent opt-outs: identifiers from `file` and/or `ids`, matched against `column`. */
  optOut?: { column: string; file?: string; ids?: string[] };
}

function issuesText(err: z.ZodError, where: string): string {
  return err.issues.map((i) => `${where}: ${i.path.join('.') || '(top)'}: ${i.message}`).join('\n');
}

/** Parses and validates a node configuration object, resolving paths against `baseDir`. */
export function parseNodeConfig(
  raw: unknown,
  baseDir: string,
  where = 'node config',
): NodeConfig & { resolvedDatasets: ResolvedDataset[]; resolvedDicom?: ResolvedDicomConfig } {
  const parsed = NodeConfigSchema.safeParse(raw);
  if (!parsed.success) throw new FedhubError('FH_ERR_VALIDATION', issuesText(parsed.error, where));
  const cfg = parsed.data;
  const insecure = insecureCredentialUrl(cfg.hub.url, cfg.hub.allowInsecureHttp);
  if (insecure) throw new FedhubError('FH_ERR_VALIDATION', `${where}: hub.url: ${insecure}`);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  if (cfg.hub.enrolmentTokenFile)
    cfg.hub.enrolmentToken = readFileSync(abs(cfg.hub.enrolmentTokenFile), 'utf8').trim();
  const names = new Set<string>();
  const resolvedDatasets = cfg.datasets.map((d, i) => {
    if (names.has(d.name))
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `${where}: datasets.${i}.name: "${d.name}" is declared twice`,
      );
    names.add(d.name);
    const file = abs(d.file);
    const ext = extname(file).toLowerCase();
    const format =
      d.format ?? (ext === '.parquet' ? 'parquet' : ext === '.csv' || ext === '.tsv' ? 'csv' : undefined);
    if (!format)
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `${where}: datasets.${i}.file: cannot tell the format of "${d.file}"; set format: csv or parquet`,
      );
    let columns: ResolvedDataset['columns'];
    if (typeof d.dictionary === 'string') {
      const dictPath = abs(d.dictionary);
      const text = readFileSync(dictPath, 'utf8');
      const dict = z
        .strictObject({ columns: z.array(ColumnSpecSchema).min(1), description: z.string().optional() })
        .safeParse(parseYaml(text));
      if (!dict.success) throw new FedhubError('FH_ERR_VALIDATION', issuesText(dict.error, dictPath));
      columns = dict.data.columns;
    } else columns = d.dictionary.columns;
    const colNames = new Set<string>();
    for (const c of columns) {
      if (colNames.has(c.name))
        throw new FedhubError(
          'FH_ERR_VALIDATION',
          `${where}: dataset "${d.name}": column "${c.name}" is declared twice`,
        );
      colNames.add(c.name);
    }
    if (d.optOut && !colNames.has(d.optOut.column))
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `${where}: datasets.${i}.optOut.column: "${d.optOut.column}" is not a column of dataset "${d.name}"`,
      );
    return {
      name: d.name,
      description: d.description,
      file,
      format,
      columns,
      onInvalid: d.onInvalid,
      ...(d.optOut
        ? {
            optOut: {
              column: d.optOut.column,
              ...(d.optOut.file ? { file: abs(d.optOut.file) } : {}),
              ...(d.optOut.ids ? { ids: d.optOut.ids } : {}),
            },
          }
        : {}),
    } satisfies ResolvedDataset;
  });
  const resolvedDicom = cfg.dicom ? resolveDicomConfig(cfg.dicom, abs, abs(cfg.dataDir), where) : undefined;
  return { ...cfg, dataDir: abs(cfg.dataDir), resolvedDatasets, ...(resolvedDicom ? { resolvedDicom } : {}) };
}

/** Reads, parses and validates a node YAML configuration file. */
export function loadNodeConfigFile(
  path: string,
): NodeConfig & { resolvedDatasets: ResolvedDataset[]; resolvedDicom?: ResolvedDicomConfig } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `cannot read node config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new FedhubError('FH_ERR_VALIDATION', `${path} is not valid YAML: ${(err as Error).message}`);
  }
  return parseNodeConfig(raw, dirname(resolve(path)), path);
}
