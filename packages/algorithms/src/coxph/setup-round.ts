/**
 * The set-up round of survival models (coxph, validate-survival): factor levels, strata and the global
 * event-time grid, agreed from masked counts only. Every node counts its records per declared level of
 * each factor and strata column and its events per point of the declared time axis (multiples of the
 * time resolution over the dictionary's range of the time column); the hub sums them and keeps the levels
 * and points some record holds. No node's own levels or event times leave it: the hub learns the pooled
 * counts, as a Kaplan–Meier table of the pooled data would show them. The grid's times are computed as
 * coarsenTime computes a record's (k x res), so the models stay exact.
 */
import { FedhubError, type Filter } from '@fedhub/protocol';
import { mergeLevels } from '@fedhub/stats';
import { z } from 'zod';
import { ADDITIVE_FIELD, additiveFields, sumAdditive } from '../additive.js';
import { declaredLevels } from '../declared-levels.js';
import { DeclaredLevels } from '../model-data/round-schemas.js';
import {
  type DatasetHandle,
  type DisclosureCell,
  type DisclosureDeclaration,
  type LocalRelease,
  type NodePart,
  payloadsWith,
  release,
} from '../types.js';

/** Most points of the declared event-time axis, all strata together (the length of a masked vector). */
export const MAX_TIME_AXIS_POINTS = 200_000;

/**
 * The declared event-time axis: every coarsened time a record may have, k x res for k from
 * ceil(min / res) to ceil(max / res) over the dictionary's range of the time column (min 0 if undeclared).
 */
export function timeAxis(
  spec: { name: string; min?: number | undefined; max?: number | undefined },
  res: number,
): { first: number; size: number; res: number } {
  if (spec.max === undefined)
    throw new FedhubError(
      'FH_ERR_COLUMN_TYPE',
      `time column "${spec.name}" declares no max in the data dictionary: the event-time grid is taken from the dictionary's range, never from the data`,
      { column: spec.name, rule: 'declared-time-range' },
    );
  const first = Math.ceil(Math.max(0, spec.min ?? 0) / res);
  const size = Math.ceil(spec.max / res) - first + 1;
  if (!(size > 0) || size > MAX_TIME_AXIS_POINTS)
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      `timeResolution ${res} gives ${size} points over the declared range of "${spec.name}" (at most ${MAX_TIME_AXIS_POINTS}): choose a coarser resolution`,
      { parameter: 'timeResolution' },
    );
  return { first, size, res };
}

/** What a node sends in the set-up round: public layout in the clear, every count in the additive vector. */
export const SetupPayloadSchema = z.strictObject({
  /** Declared levels of each factor and strata column, in the vector's order. */
  declared: DeclaredLevels,
  axis: z.strictObject({ first: z.int(), size: z.int(), res: z.number() }),
  strataColumn: z.string().nullable(),
  ...additiveFields,
});
export type SetupPayload = z.infer<typeof SetupPayloadSchema>;
/** The set-up payload's layout, public: the same at every node whose dictionary is the same. */
export type SetupLayout = Pick<SetupPayload, 'declared' | 'axis' | 'strataColumn'>;

/** A node's set-up counts before the rows are read: declared levels and their counts, local levels. */
export interface SetupCounts {
  layout: SetupLayout;
  levelCounts: number[];
  /** Levels present in this node's selected rows (for its own design cache only; never released). */
  localLevels: Record<string, string[]>;
  cells: DisclosureCell[];
}

/** Counts the records per declared level of the factor and strata columns (refused before reading where one declares none). */
export async function setupCounts(
  ds: DatasetHandle,
  spec: {
    filter: Filter | undefined;
    time: string;
    timeResolution: number;
    factors: string[];
    strata: string | null;
    /** The strata's variables where there are several (`strata(a, b)`); `strata` is then their key `a, b`. */
    strataColumns?: string[];
  },
): Promise<SetupCounts> {
  const axis = timeAxis(ds.column(spec.time), spec.timeResolution);
  const several =
    spec.strata && spec.strataColumns && spec.strataColumns.length > 1 ? spec.strataColumns : null;
  const factors = [...new Set([...spec.factors, ...(spec.strata && !several ? [spec.strata] : [])])];
  const declared: Array<[string, string[]]> = factors.map((c) => [c, declaredLevels(ds.column(c))]);
  const localLevels: Record<string, string[]> = {};
  const cells: DisclosureCell[] = [];
  const levelCounts: number[] = [];
  for (const [c, all] of declared) {
    const groups = await ds.groupCounts([c], spec.filter);
    const counts = new Map(groups.filter((g) => g.levels[0] !== null).map((g) => [g.levels[0]!, g.n]));
    for (const [level, n] of counts) {
      if (!all.includes(level))
        throw new FedhubError(
          'FH_ERR_ALGORITHM_FAILED',
          `column "${c}" holds a value outside its declared levels`,
        );
      cells.push({ label: `records with ${c} = ${level}`, count: n, kind: 'level' });
    }
    localLevels[c] = mergeLevels([[...counts.keys()]]);
    for (const level of all) levelCounts.push(counts.get(level) ?? 0);
  }
  if (several && spec.strata) {
    // the strata are the combinations of the variables' declared levels, labelled as R's survival does
    // (`a=1, b=2`, as the design's strata names)
    const label = (values: ReadonlyArray<string | null>) =>
      several.map((c, k) => `${c}=${values[k]}`).join(', ');
    let combos: string[][] = [[]];
    for (const c of several)
      combos = combos.flatMap((prefix) => declaredLevels(ds.column(c)).map((l) => [...prefix, l]));
    const all = combos.map(label);
    const groups = (await ds.groupCounts(several, spec.filter)).filter((g) =>
      g.levels.every((l) => l !== null),
    );
    const counts = new Map(groups.map((g) => [label(g.levels), g.n]));
    for (const [stratum, n] of counts) {
      if (!all.includes(stratum))
        throw new FedhubError(
          'FH_ERR_ALGORITHM_FAILED',
          `a strata column of "${spec.strata}" holds a value outside its declared levels`,
        );
      cells.push({ label: `records of one stratum of ${spec.strata}`, count: n, kind: 'level' });
    }
    localLevels[spec.strata] = mergeLevels([[...counts.keys()]]);
    declared.push([spec.strata, all]);
    for (const stratum of all) levelCounts.push(counts.get(stratum) ?? 0);
  }
  return { layout: { declared, axis, strataColumn: spec.strata }, levelCounts, localLevels, cells };
}

/**
 * The node's set-up release: every count in the additive vector (the node masks it), the layout in the
 * clear; its cells are the level counts, events and censored records, and the model's own `design` cells.
 */
export function setupRelease(
  setup: SetupCounts,
  d: { n: number; time: Float64Array; event: Float64Array; strataNames: string[] | null },
  design: DisclosureDeclaration,
): LocalRelease<SetupPayload> {
  const { axis, declared, strataColumn } = setup.layout;
  const strataLevels = strataColumn ? declared.find(([c]) => c === strataColumn)![1] : [''];
  const eventCounts = new Array<number>(strataLevels.length * axis.size).fill(0);
  let events = 0;
  for (let i = 0; i < d.n; i++)
    if (d.event[i] === 1) {
      events++;
      const si = d.strataNames ? strataLevels.indexOf(d.strataNames[i]!) : 0;
      // d.time is already k x res: round, not ceil (3 x 0.1 / 0.1 is 3.0000000000000004)
      const k = Math.round(d.time[i]! / axis.res) - axis.first;
      if (si < 0 || k < 0 || k >= axis.size)
        throw new FedhubError(
          'FH_ERR_ALGORITHM_FAILED',
          "an event time or stratum falls outside the dictionary's declared range",
        );
      eventCounts[si * axis.size + k]! += 1;
    }
  return release(
    {
      ...setup.layout,
      [ADDITIVE_FIELD]: [d.n, events, ...setup.levelCounts, ...eventCounts],
    },
    {
      ...design,
      cells: [
        ...setup.cells,
        { label: 'events', count: events, kind: 'outcome' },
        { label: 'censored records', count: d.n - events, kind: 'outcome' },
        ...design.cells,
      ],
    },
  );
}

/** The aggregator's side: the pooled levels (present in some record), strata and event-time grid, n and events. */
export function agreeSetup(parts: ReadonlyArray<NodePart<SetupPayload | object>>): {
  levels: Record<string, string[]>;
  strata: string[];
  grid: { strata: number[]; times: number[] };
  n: number;
  events: number;
  /** The time resolution the nodes coarsened to (the same at every node: the axes are compared). */
  res: number;
} {
  const layouts = payloadsWith(parts, 'axis');
  const layout = layouts[0]!;
  const key = JSON.stringify([layout.declared, layout.axis, layout.strataColumn]);
  for (const l of layouts) {
    if (JSON.stringify([l.declared, l.axis, l.strataColumn]) !== key)
      throw new FedhubError(
        'FH_ERR_ALGORITHM_FAILED',
        "the nodes' dictionaries declare different levels or time ranges for this model",
      );
  }
  // the nodes' counts, summed (masked: the hub learns only the pooled counts)
  const sum = sumAdditive(parts);
  let at = 2;
  const levels: Record<string, string[]> = {};
  for (const [c, all] of layout.declared) {
    levels[c] = mergeLevels([all.filter((_, j) => Math.round(sum[at + j]!) > 0)]);
    at += all.length;
  }
  const strataCol = layout.strataColumn;
  const declaredStrata = strataCol ? layout.declared.find(([c]) => c === strataCol)![1] : [''];
  const strata = strataCol ? levels[strataCol]! : [''];
  const { first, size, res } = layout.axis;
  const gridStrata: number[] = [];
  const gridTimes: number[] = [];
  strata.forEach((name, si) => {
    const di = declaredStrata.indexOf(name);
    for (let k = 0; k < size; k++)
      if (Math.round(sum[at + di * size + k]!) > 0) {
        gridStrata.push(si);
        // the same expression as coarsenTime: ceil(t / res) * res
        gridTimes.push((first + k) * res);
      }
  });
  return {
    levels,
    strata,
    grid: { strata: gridStrata, times: gridTimes },
    n: Math.round(sum[0]!),
    events: Math.round(sum[1]!),
    res: layout.axis.res,
  };
}
