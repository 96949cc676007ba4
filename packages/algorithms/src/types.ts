/**
 * The shape of a federated algorithm: a `local` half that runs at each node over its data and returns a
 * partial result with its disclosure declaration, and an `aggregate` half that combines partials (at the
 * hub) and may ask for another round.
 */

import type { OnnxLimits } from '@fedhub/inference';
import type {
  AlgorithmReleases,
  ColumnSpec,
  DataDictionary,
  DisclosurePolicy,
  Filter,
  Json,
} from '@fedhub/protocol';
import { FedhubError } from '@fedhub/protocol';
import { CODED_LEVELS, type CodedLevels, type RowPool } from '@fedhub/stats';
import type { z } from 'zod';

/** One numeric column's sufficient statistics at a node: n, missing, mean and the sum of squared deviations. */
export interface NumericMoments {
  column: string;
  n: number;
  missing: number;
  mean: number;
  /** Sum of squared deviations from the node's own mean (M2). */
  m2: number;
}

/** Columns read whole into JavaScript: numeric columns as Float64Array (NaN for missing), others as strings. */
export type ColumnData = Record<string, Float64Array | Array<string | null>>;

/**
 * The node's read-only view of one dataset. Every method takes an optional validated filter; the node
 * compiles it to SQL against the data dictionary and applies consent opt-outs before anything is read.
 */
export interface DatasetHandle {
  readonly dictionary: DataDictionary;
  /** The spec of `name`; throws FH_ERR_UNKNOWN_COLUMN naming the column and dataset. */
  column(name: string): ColumnSpec;
  /** Number of records selected by the filter. */
  count(filter?: Filter): Promise<number>;
  /** Moments of numeric columns, computed in SQL. */
  moments(columns: string[], filter?: Filter): Promise<NumericMoments[]>;
  /** Counts per bin [b_i, b_{i+1}) for i = 0..k-2 (the last bin closed), plus below and above the range. */
  histogram(
    column: string,
    breaks: number[],
    filter?: Filter,
  ): Promise<{ counts: number[]; below: number; above: number }>;
  /** Counts of each combination of levels of categorical columns (missing as null). */
  groupCounts(
    columns: string[],
    filter?: Filter,
  ): Promise<Array<{ levels: Array<string | null>; n: number }>>;
  /**
   * Whole columns for model fitting, read once; rows with a missing value in any listed column are dropped,
   * except in the columns named in `allowMissing` (NaN or null there).
   */
  readColumns(
    columns: string[],
    filter?: Filter,
    opts?: {
      allowMissing?: string[];
      /**
       * Values of text columns already known (e.g. from this task's levels round), a superset of those in
       * the selected rows: the reader then need not look them up.
       */
      knownValues?: Record<string, readonly string[]>;
      /**
       * The column of prior weights, when one is read: rows weighted zero take no part in any sum, so the
       * node's privacy ledger books them as unused.
       */
      weights?: string;
      /**
       * Columns read only to group rows at the node (a patient key of a long table): a record identifier
       * may be one; its values never leave the node.
       */
      groupKeys?: string[];
      /**
       * Numeric columns on SharedArrayBuffers, so worker threads (a RowPool) read them without a copy (a
       * model's response and weights).
       */
      shared?: boolean;
    },
  ): Promise<{ n: number; data: ColumnData }>;
}

/** One series of the node's de-identified imaging store. */
export interface ImagingSeries {
  readonly patientPseudonym: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly modality: string | null;
  /** Series Description (0008,103E), where the store indexes it (case selection by pattern). */
  readonly seriesDescription?: string | null;
}

/** Read access to the node's de-identified DICOM store (images never leave the node). */
export interface ImagingSource {
  /** Every series of the store. */
  series(): Promise<ImagingSeries[]>;
  /** The files (DICOM Part 10 bytes) of one series. */
  files(seriesInstanceUid: string): Promise<Uint8Array[]>;
  /** The node's mapping of local RT structure (ROI) names to AAPM TG-263 names (node config rt.structureNames). */
  readonly structureNames?: Readonly<Record<string, string>>;
}

/** A dataset computed at the node (e.g. radiomics features), kept there for later analyses. */
export interface DerivedDataset {
  readonly name: string;
  readonly description?: string;
  /** The columns; exactly one is the record key (`identifier: true`). */
  readonly columns: ColumnSpec[];
  readonly rows: Array<Record<string, number | string | null>>;
  /**
   * Join the rows to an existing dataset: the derived dataset is then that dataset's columns plus these
   * (inner join of `dataset.column` = the key of these rows), so models can mix both.
   */
  readonly join?: { readonly dataset: string; readonly column: string };
}

/** What a node gives the local half of an algorithm. */
export interface LocalContext {
  readonly node: { id: string; name: string };
  readonly policy: DisclosurePolicy;
  /** The named dataset; throws FH_ERR_UNKNOWN_DATASET. */
  dataset(name: string): Promise<DatasetHandle>;
  /**
   * Memory kept at the node between the rounds of one task (e.g. a design matrix read once and reused
   * by every Newton iteration); never released, dropped when the task ends or the node restarts.
   */
  readonly cache: Map<string, unknown>;
  /** The node's DICOM store, where the node has one. */
  readonly imaging?: ImagingSource;
  /** Stores a derived dataset at the node (replacing one of the same name); where the node allows it. */
  readonly registerDataset?: (d: DerivedDataset) => Promise<{ rows: number }>;
  /**
   * The study's permission to release this node's own results (per-centre metrics, a local model fit), as
   * the node read it from the study descriptor; absent or false means pooled partials only.
   */
  readonly releasePerNodeBreakdown?: boolean;
  /**
   * The study's permission to release results broken down by the levels of a declared categorical column
   * (subgroup analyses), as the node read it from the study descriptor; absent or false means none.
   */
  readonly releaseSubgroupAnalyses?: boolean;
  /**
   * Reports progress over the run's cases (validate-imaging): the node forwards it to the hub with the
   * run's heartbeat, so the researcher sees cases done / total per node. Counts only, no identifiers.
   */
  readonly progress?: (done: number, total: number) => void;
  /**
   * The node's worker threads for the row loops of model partials, where it has them: the result is the
   * same to the last bit as computed in this thread, only sooner on several cores.
   */
  readonly rowPool?: RowPool;
  /** Registered model files by digest, fetched from the hub and checked against the digest (ONNX). */
  readonly models?: ModelSource;
  /**
   * Books the image cases a release used (pseudonymised patient and image series) in the node's privacy
   * ledger with the release, as a row set of their own: where the node keeps a ledger, a release whose case
   * set differs from an earlier one's by fewer than the minimum subset size is refused.
   */
  readonly bookImagingCases?: (cases: ReadonlyArray<{ patient: string; series: string }>) => void;
}

/** Where a node gets a registered model's bytes: `sha256` is lowercase hex; the bytes must hash to it. */
export interface ModelSource {
  onnx(sha256: string): Promise<Uint8Array>;
  /** The node's limits on reading and running a model (the runtime's defaults when absent). */
  readonly onnxLimits?: OnnxLimits;
}

/** Why a count cell is declared: the gate treats them alike; the kind helps the data officer read the log. */
export type CellKind =
  | 'records'
  | 'level'
  | 'design'
  | 'outcome'
  | 'missing'
  | 'bin'
  | 'group'
  | 'stratum'
  | 'contributor'
  | 'other';

/**
 * One count a release depends on. The label may name levels and values: it goes to the node's own log
 * only, never to the hub (see the node's release gate).
 */
export interface DisclosureCell {
  label: string;
  count: number;
  kind?: CellKind;
  /**
   * The records the count (and every sum released per this cell) is over, where they are a subset of the
   * rows read that the node cannot see from the read itself (a score group, a bin, a merged time point):
   * the node's privacy ledger audits them like a selection, so two releases that differ by one record's
   * membership (two crafted models) are refused. Taken from {@link rowIdsOf} of the rows read; `count`
   * must equal their number.
   */
  rows?: RowIds;
}

/** Records of one dataset of the node, by the ids its reads carry (see {@link ROW_IDS}). */
export interface RowIds {
  readonly dataset: string;
  readonly ids: ArrayLike<number>;
}

/**
 * Where the node audits releases, the `data` of a {@link DatasetHandle.readColumns} result carries the
 * node's record id of each row under this key (not enumerable: never serialised, never released).
 */
export const ROW_IDS: unique symbol = Symbol.for('fedhub.rowIds');

/** The record ids of the rows of a read (undefined where the node does not audit them, e.g. in tests). */
export function rowIdsOf(data: object): RowIds | undefined {
  return (data as { [ROW_IDS]?: RowIds })[ROW_IDS];
}

/** Attaches record ids to a read's data (see {@link ROW_IDS}). */
export function withRowIds<T extends object>(data: T, rows: RowIds | undefined): T {
  if (rows) Object.defineProperty(data, ROW_IDS, { value: rows, enumerable: false });
  return data;
}

/** The records of `rows` at the given positions (0-based) of the read they came from. */
export function rowsAt(rows: RowIds, positions: ArrayLike<number>): RowIds {
  const ids = new Int32Array(positions.length);
  for (let k = 0; k < positions.length; k++) ids[k] = rows.ids[positions[k]!]!;
  return { dataset: rows.dataset, ids };
}

/** What the node must check before a local result leaves it. */
export interface DisclosureDeclaration {
  /** Records used; null when the algorithm reads no records at all (e.g. `ping`). */
  subsetSize: number | null;
  /** Every count cell the released numbers depend on (minimum cell count on each non-zero one). */
  cells: DisclosureCell[];
  /** Number of model parameters estimated from these records (checked against maxParameterRatio). */
  parameters?: number;
  /**
   * The additive vector's length is fixed by a layout read from no data (declared levels, a declared
   * grid), so the gate does not read a length equal to the record count as one entry per record.
   */
  additiveLayout?: 'declared';
}

declare const RELEASE_BRAND: unique symbol;

/**
 * A local result and what the node must check before releasing it: the number of records it used
 * (minimum subset size) and every count it reveals (minimum cell count). Only {@link release} makes one:
 * an algorithm cannot hand the node numbers without their cells (the type says so, and the node's gate
 * refuses an object that {@link release} did not make).
 */
export interface LocalRelease<Payload = Json> {
  readonly payload: Payload;
  readonly disclosure: Readonly<DisclosureDeclaration>;
  readonly [RELEASE_BRAND]: true;
}

const made = new WeakSet<object>();

/**
 * The one way to build a {@link LocalRelease}.
 *
 * @example
 * return release({ additive }, { subsetSize: n, cells: [{ label: 'events', count: e, kind: 'outcome' }] });
 */
export function release<Payload = Json>(
  payload: Payload,
  disclosure: DisclosureDeclaration,
): LocalRelease<Payload> {
  const r = Object.freeze({
    payload,
    disclosure: Object.freeze({ ...disclosure, cells: Object.freeze([...disclosure.cells]) }),
  }) as LocalRelease<Payload>;
  made.add(r);
  return r;
}

/** True when `r` was built by {@link release} (the node's gate refuses anything else). */
export function isDeclaredRelease(r: unknown): r is LocalRelease {
  return typeof r === 'object' && r !== null && made.has(r);
}

/** Codes of one column for {@link crossCells}: 0..k-1, the narrowest unsigned type that holds them. */
type Codes = Uint8Array | Uint16Array | Uint32Array;

/** Each column's codes for {@link crossCells}, kept by a caller that crosses the same columns several times. */
export type ColumnCodes = Map<object, { name: string; labels: string[]; codes: Codes }>;

/**
 * A column's values coded 0..k-1 in order of appearance, with their labels (`name=value`, `name=NA` for a
 * missing value). Small non-negative integers (a binary outcome, an event indicator, a count) are looked up
 * in a table, other values in a map; the codes widen from 8 to 16 to 32 bits as levels appear.
 */
function codeColumn(name: string, values: ArrayLike<string | number | null>, n: number) {
  const index = new Map<string | number | null, number>();
  const names: string[] = [];
  let out: Codes = new Uint8Array(n);
  let nanCode = -1;
  const next = (label: string, i: number): number => {
    const code = names.length;
    names.push(`${name}=${label}`);
    if (code === 256 || code === 65536) {
      const wider: Codes = code === 256 ? new Uint16Array(n) : new Uint32Array(n);
      wider.set(out.subarray(0, i));
      out = wider;
    }
    return code;
  };
  if (values instanceof Float64Array) {
    // value v in 0..255 -> its code, -1 before it appears (a Map lookup of a double per row is slow)
    const small = new Int32Array(256).fill(-1);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      let code: number;
      if (v === (v & 255)) {
        code = small[v]!;
        if (code < 0) small[v] = code = next(String(v), i);
      } else if (Number.isNaN(v)) {
        if (nanCode < 0) nanCode = next('NA', i);
        code = nanCode;
      } else {
        const known = index.get(v);
        if (known === undefined) {
          code = next(String(v), i);
          index.set(v, code);
        } else code = known;
      }
      out[i] = code;
    }
    return { labels: names, codes: out };
  }
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let code: number | undefined;
    if (typeof v === 'number' && Number.isNaN(v)) {
      if (nanCode < 0) nanCode = next('NA', i);
      code = nanCode;
    } else {
      code = index.get(v);
      if (code === undefined) {
        code = next(v === null ? 'NA' : String(v), i);
        index.set(v, code);
      }
    }
    out[i] = code;
  }
  return { labels: names, codes: out };
}

/** Level codes as {@link crossCells} reads them: the reader's own array where it is an unsigned one. */
function unsignedCodes(codes: ArrayLike<number>): Codes {
  if (codes instanceof Uint8Array || codes instanceof Uint16Array || codes instanceof Uint32Array)
    return codes;
  const out = new Uint32Array(codes.length);
  out.set(codes);
  return out;
}

/**
 * Counts of every combination of the values in `columns` (rows aligned), as cells: the full
 * cross-classification, e.g. of a design's factors and a binary outcome. Rows with a missing value in any
 * column form their own cell (they are counted, so they are disclosed). Cells come in the order their
 * combination first appears in the rows.
 */
export function crossCells(
  columns: ReadonlyArray<{ name: string; values: ArrayLike<string | number | null> }>,
  kind: CellKind,
  columnCodes?: ColumnCodes,
): DisclosureCell[] {
  if (columns.length === 0) return [];
  const n = columns[0]!.values.length;
  // each column's values coded 0..k-1, the combination as one mixed-radix number (a string key per row
  // costs a second per million rows, and this runs in every round of a model)
  const labels: string[][] = [];
  const codes = columns.map((c) => {
    const known = columnCodes?.get(c.values as object);
    if (known && known.name === c.name) {
      labels.push(known.labels);
      return known.codes;
    }
    // a column read as level codes (the node's DuckDB reader): code 0 is missing, k the k-th level
    const coded = (c.values as { [CODED_LEVELS]?: CodedLevels })[CODED_LEVELS];
    const { labels: names, codes: out } =
      coded && coded.codes.length === n
        ? {
            labels: [`${c.name}=NA`, ...coded.levels.map((l) => `${c.name}=${String(l)}`)],
            codes: unsignedCodes(coded.codes),
          }
        : codeColumn(c.name, c.values, n);
    labels.push(names);
    columnCodes?.set(c.values as object, { name: c.name, labels: names, codes: out });
    return out;
  });
  const radix = labels.map((l) => l.length);
  const combinations = radix.reduce((a, b) => a * b, 1);
  // the combinations present, in order of first appearance, with their counts
  const present: number[][] = [];
  const tally: number[] = [];
  if (combinations <= Math.max(1 << 16, 2 * n)) {
    // few enough combinations for a count per combination in an array: a tight loop, no lookup per row
    const counts = new Uint32Array(combinations);
    const order: number[] = [];
    const count = (key: number) => {
      const c = counts[key]!;
      counts[key] = c + 1;
      if (c === 0) order.push(key);
    };
    if (codes.length === 1) {
      const a = codes[0]!;
      for (let i = 0; i < n; i++) count(a[i]!);
    } else if (codes.length === 2) {
      const a = codes[0]!;
      const b = codes[1]!;
      const rb = radix[1]!;
      for (let i = 0; i < n; i++) count(a[i]! * rb + b[i]!);
    } else {
      for (let i = 0; i < n; i++) {
        let key = 0;
        for (let j = 0; j < codes.length; j++) key = key * radix[j]! + codes[j]![i]!;
        count(key);
      }
    }
    for (const key of order) {
      const combo = new Array<number>(codes.length);
      for (let j = codes.length - 1, k = key; j >= 0; j--) {
        combo[j] = k % radix[j]!;
        k = Math.floor(k / radix[j]!);
      }
      present.push(combo);
      tally.push(counts[key]!);
    }
  } else {
    const counts = new Map<number | string, { combo: number[]; count: number }>();
    for (let i = 0; i < n; i++) {
      let key: number | string;
      if (combinations <= Number.MAX_SAFE_INTEGER) {
        key = 0;
        for (let j = 0; j < codes.length; j++) key = key * radix[j]! + codes[j]![i]!;
      } else key = codes.map((c) => c[i]).join(',');
      const hit = counts.get(key);
      if (hit) hit.count++;
      else counts.set(key, { combo: codes.map((c) => c[i]!), count: 1 });
    }
    for (const { combo, count } of counts.values()) {
      present.push(combo);
      tally.push(count);
    }
  }
  // one cell per label, as the labels were the key before (a value and NaN may print alike: 'NA')
  const byLabel = new Map<string, number>();
  present.forEach((combo, k) => {
    const l = combo.map((code, j) => labels[j]![code]!).join(', ');
    byLabel.set(l, (byLabel.get(l) ?? 0) + tally[k]!);
  });
  return [...byLabel].map(([label, count]) => ({ label, count, kind }));
}

/** What {@link FederatedAlgorithm.toAdditive} may read at the node: the dictionary, the study's permission. */
export interface AdditiveContext {
  /** The dictionary entry of a column of a dataset at this node. */
  column(dataset: string, column: string): ColumnSpec;
  readonly releasePerNodeBreakdown: boolean;
}

/** One node's payload of the round, as the hub holds it (its additive vector perhaps masked). */
export interface NodePart<Payload = Json> {
  nodeId: string;
  nodeName: string;
  payload: Payload;
}

/**
 * The parts' payloads of one kind of a payload union, told apart by a field that kind alone has (required
 * there, absent or optional in the others); a node that sent another kind fails the round.
 *
 * @example
 * const levels = payloadsWith(parts, 'declared'); // each { declared, additive, ... }
 */
export function payloadsWith<Payload extends object, K extends string>(
  parts: ReadonlyArray<NodePart<Payload>>,
  field: K,
): Array<Extract<Payload, Record<K, unknown>>> {
  return parts.map((p) => {
    if (!(field in p.payload))
      throw new FedhubError(
        'FH_ERR_ALGORITHM_FAILED',
        `node ${p.nodeName} sent a payload of another round than the one the hub asked for (no "${field}")`,
      );
    return p.payload as Extract<Payload, Record<K, unknown>>;
  });
}

/**
 * What the aggregate decides: the result, or the next round's input to the nodes (checked there against
 * the algorithm's `inputSchema`) and the state the hub keeps until that round's payloads are in.
 */
export type AggregateOutcome<Input = Json, State = Json, Result = Json> =
  | { kind: 'done'; result: Result }
  | { kind: 'next-round'; input: Input; state: State };

/** Noise on released statistics, from the node's mechanism (see the node's dp-release). */
export interface NoiseSource {
  /** Noisy counts of a partition (each record in at most one cell), clamped at 0. */
  counts(statistic: string, values: number[]): number[];
  /** A noisy sum of values in [-bound, bound]. */
  sum(statistic: string, value: number, bound: number): number;
}

/** What a privatizer is given: the task's parameters, the dictionary, and the node's noise. */
export interface PrivatizeInputs<P> {
  params: P;
  column(name: string): ColumnSpec;
  /**
   * The node's noise for this release, its (epsilon, delta) split evenly over `statistics` released
   * statistics (basic composition); call once per release.
   */
  noise(statistics: number): NoiseSource;
}

/**
 * The differentially private form of an algorithm's local payload: the same shape (so the aggregate is
 * unchanged), each released statistic noised through `inputs.noise`. The node keeps the mechanism, the
 * budget and the noise description; the algorithm knows which numbers its payload holds.
 */
export type Privatizer<P> = (payload: Json, inputs: PrivatizeInputs<P>) => Json;

/** What an algorithm that fits a model gives the hub's model registry. */
export interface ModelContract {
  /** The statistics of the fit kept with a registered version, taken from the `done` result. */
  training(result: Record<string, Json>): Record<string, Json>;
  /** The algorithm that validates a version across centres (null when none can), given its family. */
  validatedBy(family: string | null): string | null;
}

/** The fields of `result` among `keys` (those present). */
export function pickFields(result: Record<string, Json>, keys: readonly string[]): Record<string, Json> {
  return Object.fromEntries(keys.filter((k) => result[k] !== undefined).map((k) => [k, result[k]!]));
}

/**
 * A federated algorithm, typed by its parameters `P`, the hub→node round input `Input`, the hub's state
 * between rounds `State`, the node→hub payload `Payload` and the done `Result`. Inputs and payloads cross
 * a process boundary as JSON, so their types are only as true as their schemas: `inputSchema` is checked
 * at the node before `local` runs and `payloadSchema` at the hub before `aggregate` reads the parts (see
 * defineAlgorithm). The state is the hub's own, written and read by `aggregate` only. Code that holds
 * algorithms of any kind (the registry, the hub, the node) sees the defaults: JSON throughout.
 */
export interface FederatedAlgorithm<P = unknown, Input = Json, State = Json, Payload = Json, Result = Json> {
  readonly name: string;
  readonly version: string;
  readonly title: string;
  readonly description: string;
  /** sha256 of the definition (name, version, source of the halves), bound into node approvals. */
  readonly digest: string;
  readonly paramsSchema: z.ZodType<P>;
  paramsJsonSchema(): Record<string, unknown>;
  /**
   * The shape of the aggregate's `done` result (a schema from @fedhub/protocol's `results`, so the web and
   * the sdk read results by it); every done result is checked against it.
   */
  readonly resultSchema: z.ZodType;
  /**
   * The hub→node round inputs (every phase): the node checks each round's input against it before `local`
   * reads it, and refuses the round (FH_ERR_ALGORITHM_FAILED) when it does not match.
   */
  readonly inputSchema?: z.ZodType<Input>;
  /**
   * The node→hub payloads as the hub holds them (an additive vector in the clear or masked): each part is
   * checked against it before `aggregate` reads it.
   */
  readonly payloadSchema?: z.ZodType<Payload>;
  /** What leaves a node, pooled and per node, in words (the Art. 30 record's annex). */
  readonly releases: AlgorithmReleases;
  /** The differentially private release of the local payload, where the algorithm offers one. */
  readonly privatize?: Privatizer<P>;
  /** Where the algorithm fits a model the hub can register as a version (glm, coxph). */
  readonly model?: ModelContract;
  /** Dataset and columns the task reads (validated by the hub against dictionaries, by the node against its data). */
  variables(params: P): { dataset: string | null; columns: string[] };
  firstInput(params: P): Input;
  local(ctx: LocalContext, params: P, input: Input, round: number): Promise<LocalRelease<Payload>>;
  /**
   * Turns the node's checked (and, under differential privacy, noised) release into its additive form:
   * every number the aggregate needs goes into the `additive` vector, which the node masks for secure
   * aggregation, so that the hub learns only sums; what stays in the clear is public (declared levels,
   * the layout) or allowed by the study (per-node counts). Algorithms whose partials are already additive
   * vectors (glm, coxph) need none.
   */
  toAdditive?(payload: Json, params: P, ctx: AdditiveContext): Json;
  /**
   * `releasePerNodeBreakdown` is the study's permission to release per-node or per-centre parts of the
   * result; absent means no (pooled results only).
   */
  aggregate(a: {
    params: P;
    round: number;
    state: State | null;
    parts: NodePart<Payload>[];
    releasePerNodeBreakdown?: boolean;
  }): AggregateOutcome<Input, State, Result>;
}
