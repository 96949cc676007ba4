import { StatsError, StatsErrorCode } from '../errors.js';
import { sortLevels } from './levels.js';
import type { Formula, FormulaVariable } from './types.js';

/**
 * The coded form a categorical column's array may carry under this symbol (a reader that had the values
 * as level codes anyway, as the node's DuckDB reader does): `codes[i]` is 0 for a missing value, else
 * k for `levels[k - 1]`. The design then maps codes to the global levels without a lookup per row; the
 * strings stay the column's values for every other reader.
 */
export const CODED_LEVELS = Symbol.for('fedhub.codedLevels');
export interface CodedLevels {
  readonly codes: ArrayLike<number>;
  readonly levels: readonly string[];
}

/** Column data of one node: numeric columns as Float64Array, categorical columns as strings. */
export interface ColumnData {
  readonly numeric?: Readonly<Record<string, Float64Array>>;
  readonly categorical?: Readonly<Record<string, readonly string[]>>;
}

/** Options of {@link buildDesignMatrix}. */
export interface DesignOptions {
  /**
   * Global level set per factor variable, keyed by column name (agreed across nodes beforehand; a node
   * may not see every level). Sorted here as R sorts them. Required for every categorical variable.
   */
  readonly levels: Readonly<Record<string, readonly string[]>>;
  /** Reference level per column (R's `relevel`); default: the first sorted level. */
  readonly ref?: Readonly<Record<string, string>>;
  /**
   * Leave out the `(Intercept)` column while coding contrasts as with an intercept: what R's coxph does with
   * `model.matrix` (a Cox model has no intercept, but `sex` still gives only `sexM`). The same as
   * {@link dropInterceptColumn} on the full design, without building and copying it.
   */
  readonly dropIntercept?: boolean;
  /**
   * Allocate the matrix, response, event and offset on SharedArrayBuffers, so worker threads (a RowPool)
   * read them without a copy (a response or event column that already lies on one is used as it is).
   */
  readonly shared?: boolean;
}

function allocate(length: number, shared: boolean | undefined): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(8 * length)) : new Float64Array(length);
}

/** A design matrix with R's column names plus response and offset. */
export interface DesignMatrix {
  /** Number of rows. */
  readonly n: number;
  /** Number of columns. */
  readonly p: number;
  /** Row-major n x p model matrix (R `model.matrix`). */
  readonly x: Float64Array;
  /** Column names exactly as R names them: `(Intercept)`, `age`, `sexM`, `age:sexM`. */
  readonly columnNames: readonly string[];
  /** Response for `y ~ ...`, or the time for `Surv(time, event) ~ ...`; null without a left side. */
  readonly y: Float64Array | null;
  /** Event indicator (0/1) for `Surv(time, event)`, else null. */
  readonly event: Float64Array | null;
  /** Sum of the `offset()` terms, or null when the formula has none. */
  readonly offset: Float64Array | null;
  /**
   * Stratum code per row for `strata(...)` terms, or null: the combination of the strata variables'
   * global levels, first variable varying slowest (code = index into {@link DesignMatrix.strataLabels}).
   */
  readonly strata: Int32Array | null;
  /** Labels of the stratum codes as R's survival names them (`centre=A`, `a=x, b=y`). */
  readonly strataLabels: readonly string[];
  /**
   * R's `attr(model.matrix, "assign")`: per column, 0 for the intercept, k for the formula's k-th term
   * (1-based, in {@link Formula.terms} order); per-term tests group the columns by it.
   */
  readonly assign?: readonly number[];
}

/** Level indices of a factor, in the narrowest type that holds them (fresh memory costs more than the loop). */
type LevelCodes = Uint8Array | Uint16Array | Int32Array;

function levelCodes(n: number, levels: number): LevelCodes {
  return levels <= 256 ? new Uint8Array(n) : levels <= 65536 ? new Uint16Array(n) : new Int32Array(n);
}

type Resolved =
  | { kind: 'numeric'; values: Float64Array }
  | { kind: 'factor'; codes: LevelCodes; levels: readonly string[]; label: string };

/**
 * A numeric variable's values, transformed (log, exp, sqrt) and checked finite. `readOnly`: the values are
 * only read while the matrix is built, so an untransformed column is checked in place, not copied; so is one
 * asked for `shared` that already lies on a SharedArrayBuffer (the design's arrays are read, never written).
 */
function numericColumn(
  v: FormulaVariable,
  data: ColumnData,
  n: number | null,
  shared?: boolean,
  readOnly = false,
): Float64Array {
  const col = data.numeric?.[v.column];
  if (!col) {
    throw new StatsError(
      StatsErrorCode.UnknownColumn,
      `formula variable '${v.label}': no numeric column '${v.column}'`,
    );
  }
  if (n !== null && col.length !== n) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `column '${v.column}' has ${col.length} rows, expected ${n}`,
    );
  }
  const f =
    v.transform === 'log'
      ? Math.log
      : v.transform === 'exp'
        ? Math.exp
        : v.transform === 'sqrt'
          ? Math.sqrt
          : null;
  // a column the caller already holds on shared memory is used in place: the matrix's arrays are only read
  if ((readOnly || (shared && col.buffer instanceof SharedArrayBuffer)) && !f) {
    for (let i = 0; i < col.length; i++)
      if (!Number.isFinite(col[i]!))
        throw new StatsError(
          StatsErrorCode.InvalidArgument,
          `formula variable '${v.label}': non-finite value ${col[i]} at row ${i} (missing values are not allowed)`,
        );
    return col;
  }
  const out = allocate(col.length, shared);
  for (let i = 0; i < col.length; i++) {
    const value = f ? f(col[i]!) : col[i]!;
    if (!Number.isFinite(value)) {
      throw new StatsError(
        StatsErrorCode.InvalidArgument,
        `formula variable '${v.label}': non-finite value ${value} at row ${i} (missing values are not allowed)`,
      );
    }
    out[i] = value;
  }
  return out;
}

function resolve(v: FormulaVariable, data: ColumnData, opts: DesignOptions, n: number | null): Resolved {
  const cat = data.categorical?.[v.column];
  const isFactor = v.kind === 'factor' || (cat !== undefined && v.transform === 'none');
  if (!isFactor) return { kind: 'numeric', values: numericColumn(v, data, n, false, true) };
  const raw = cat ?? (data.numeric?.[v.column] ? Array.from(data.numeric[v.column]!, String) : undefined);
  if (!raw)
    throw new StatsError(
      StatsErrorCode.UnknownColumn,
      `formula variable '${v.label}': no column '${v.column}'`,
    );
  const given = opts.levels[v.column];
  if (!given) {
    throw new StatsError(
      StatsErrorCode.InvalidArgument,
      `formula variable '${v.label}': the global level set of '${v.column}' is required`,
    );
  }
  let levels = sortLevels(given);
  const ref = opts.ref?.[v.column];
  if (ref !== undefined) {
    if (!levels.includes(ref)) {
      throw new StatsError(
        StatsErrorCode.UnknownLevel,
        `reference level '${ref}' is not a level of '${v.column}'`,
      );
    }
    levels = [ref, ...levels.filter((l) => l !== ref)];
  }
  const index = new Map(levels.map((l, k) => [l, k]));
  const codes = levelCodes(raw.length, levels.length);
  const coded = (raw as { [CODED_LEVELS]?: CodedLevels })[CODED_LEVELS];
  if (coded && coded.codes.length === raw.length) {
    // local code -> global index, -1 for a value outside the global levels (reported below, by row)
    const global = Int32Array.from(coded.levels, (l) => index.get(l) ?? -1);
    let i = 0;
    for (; i < raw.length; i++) {
      const c = coded.codes[i]!;
      const k = c > 0 ? global[c - 1]! : -1;
      if (k < 0) break;
      codes[i] = k;
    }
    if (i === raw.length) return { kind: 'factor', codes, levels, label: v.label };
  }
  for (let i = 0; i < raw.length; i++) {
    const k = index.get(raw[i]!);
    if (k === undefined) {
      throw new StatsError(
        StatsErrorCode.UnknownLevel,
        `column '${v.column}' row ${i}: value '${raw[i]}' is not in the global level set [${levels.join(', ')}]`,
      );
    }
    codes[i] = k;
  }
  return { kind: 'factor', codes, levels, label: v.label };
}

/** One design column: per variable of the term, the level index (factor) or -1 (numeric). */
interface ColumnSpec {
  readonly name: string;
  readonly parts: readonly { readonly v: number; readonly level: number }[];
  /** 0 for the intercept, else the 1-based index of the formula term the column belongs to. */
  readonly term: number;
}

/**
 * Decides per term and factor whether it is coded by treatment contrasts (drop the reference) or
 * by full indicators, following R's `TermCode`: a factor gets contrasts unless the term without it
 * is non-empty and not contained in any earlier term; without an intercept, the first factor of the first
 * term containing a factor gets full indicators.
 */
function codings(formula: Formula, resolved: readonly Resolved[]): boolean[][] {
  const full = formula.terms.map((t, j) =>
    t.variables.map((v) => {
      if (resolved[v]!.kind !== 'factor') return false;
      const rest = t.variables.filter((u) => u !== v);
      if (rest.length === 0) return false;
      // Contrasts when the rest is contained in some earlier term (R's TermCode subset test).
      const earlier = formula.terms.slice(0, j);
      return !earlier.some((e) => rest.every((u) => e.variables.includes(u)));
    }),
  );
  if (!formula.intercept) {
    outer: for (let j = 0; j < formula.terms.length; j++) {
      const vars = formula.terms[j]!.variables;
      for (let k = 0; k < vars.length; k++) {
        if (resolved[vars[k]!]!.kind === 'factor') {
          full[j]![k] = true;
          break outer;
        }
      }
    }
  }
  return full;
}

function columnSpecs(formula: Formula, resolved: readonly Resolved[]): ColumnSpec[] {
  const specs: ColumnSpec[] = [];
  if (formula.intercept) specs.push({ name: '(Intercept)', parts: [], term: 0 });
  const full = codings(formula, resolved);
  formula.terms.forEach((term, j) => {
    // Enumerate with the first variable varying fastest, as R does.
    let combos: { name: string[]; parts: { v: number; level: number }[] }[] = [{ name: [], parts: [] }];
    term.variables.forEach((v, k) => {
      const r = resolved[v]!;
      const options: { name: string; level: number }[] =
        r.kind === 'numeric'
          ? [{ name: formula.variables[v]!.label, level: -1 }]
          : r.levels.map((l, li) => ({ name: `${r.label}${l}`, level: li })).slice(full[j]![k] ? 0 : 1);
      const next: typeof combos = [];
      for (const o of options) {
        for (const c of combos)
          next.push({ name: [...c.name, o.name], parts: [...c.parts, { v, level: o.level }] });
      }
      combos = next;
    });
    for (const c of combos) specs.push({ name: c.name.join(':'), parts: c.parts, term: j + 1 });
  });
  return specs;
}

/**
 * Builds R's `model.matrix` for one node's rows (treatment contrasts, R's column order and names),
 * together with the response, event indicator and offset. Categorical variables use the global
 * level set from `opts.levels`, so every node produces the same columns.
 */
export function buildDesignMatrix(formula: Formula, data: ColumnData, opts: DesignOptions): DesignMatrix {
  let y: Float64Array | null = null;
  let event: Float64Array | null = null;
  if (formula.response?.kind === 'variable')
    y = numericColumn(formula.response.variable, data, null, opts.shared);
  if (formula.response?.kind === 'surv') {
    y = numericColumn(formula.response.time, data, null, opts.shared);
    event = numericColumn(formula.response.event, data, y.length, opts.shared);
  }
  let n: number | null = y ? y.length : null;
  const resolved = formula.variables.map((v) => {
    const r = resolve(v, data, opts, n);
    n ??= r.kind === 'numeric' ? r.values.length : r.codes.length;
    if ((r.kind === 'numeric' ? r.values.length : r.codes.length) !== n) {
      throw new StatsError(
        StatsErrorCode.DimensionMismatch,
        `column '${v.column}' has a different number of rows`,
      );
    }
    return r;
  });
  const offsets = formula.offsets.map((v) => numericColumn(v, data, n));
  if (n === null) n = offsets[0]?.length ?? 0;
  const rows = n;
  let offset: Float64Array | null = null;
  if (offsets.length > 0) {
    offset = allocate(rows, opts.shared);
    for (const o of offsets) for (let i = 0; i < rows; i++) offset[i]! += o[i]!;
  }
  const specs = columnSpecs(formula, resolved).filter(
    (spec) => !(opts.dropIntercept && spec.parts.length === 0 && spec.name === '(Intercept)'),
  );
  const p = specs.length;
  const x = allocate(rows * p, opts.shared);
  // Blocks of rows, and within a block column by column, one variable at a time: each loop is over one kind
  // of data only (a per-row loop over the parts, mixing numbers and codes, was the slowest step of reading a
  // model's data), and the strided writes of a column stay within the block's few kilobytes of x (whole
  // columns at a time touched all of x once per column).
  const BLOCK = 512;
  const col = new Float64Array(BLOCK);
  for (let i0 = 0; i0 < rows; i0 += BLOCK) {
    const len = Math.min(BLOCK, rows - i0);
    for (let j = 0; j < p; j++) {
      const parts = specs[j]!.parts;
      const first = parts.length === 1 ? resolved[parts[0]!.v]! : null;
      // the common columns written directly: the intercept, a numeric variable, one factor's indicator
      if (parts.length === 0) {
        for (let i = 0, at = i0 * p + j; i < len; i++, at += p) x[at] = 1;
        continue;
      }
      if (first?.kind === 'numeric') {
        const v = first.values;
        for (let i = 0, at = i0 * p + j; i < len; i++, at += p) x[at] = v[i0 + i]!;
        continue;
      }
      if (first?.kind === 'factor') {
        const codes = first.codes;
        const level = parts[0]!.level;
        for (let i = 0, at = i0 * p + j; i < len; i++, at += p) x[at] = codes[i0 + i] === level ? 1 : 0;
        continue;
      }
      col.fill(1);
      for (const part of parts) {
        const r = resolved[part.v]!;
        if (r.kind === 'numeric') {
          const v = r.values;
          for (let i = 0; i < len; i++) col[i]! *= v[i0 + i]!;
        } else {
          const codes = r.codes;
          const level = part.level;
          for (let i = 0; i < len; i++) if (codes[i0 + i] !== level) col[i] = 0;
        }
      }
      for (let i = 0, at = i0 * p + j; i < len; i++, at += p) x[at] = col[i]!;
    }
  }
  const st = strataCodes(formula, data, opts, rows);
  return {
    n: rows,
    p,
    x,
    columnNames: specs.map((s) => s.name),
    assign: specs.map((s) => s.term),
    y,
    event,
    offset,
    ...st,
  };
}

function strataCodes(
  formula: Formula,
  data: ColumnData,
  opts: DesignOptions,
  rows: number,
): { strata: Int32Array | null; strataLabels: string[] } {
  if (formula.strata.length === 0) return { strata: null, strataLabels: [] };
  const factors = formula.strata.map((v) => {
    const r = resolve({ ...v, kind: 'factor' }, data, opts, rows);
    if (r.kind !== 'factor')
      throw new StatsError(StatsErrorCode.InvalidArgument, `strata: '${v.label}' is not a factor`);
    return { r, name: v.label };
  });
  const codes = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let c = 0;
    for (const f of factors) c = c * f.r.levels.length + f.r.codes[i]!;
    codes[i] = c;
  }
  let labels: string[] = [''];
  factors.forEach((f, k) => {
    labels = labels.flatMap((prefix) =>
      f.r.levels.map((l) => (k === 0 ? `${f.name}=${l}` : `${prefix}, ${f.name}=${l}`)),
    );
  });
  return { strata: codes, strataLabels: labels };
}

/**
 * Removes the `(Intercept)` column, keeping the contrasts coded as with an intercept: what R's coxph
 * does with `model.matrix` (a Cox model has no intercept, but `sex` still gives only `sexM`).
 */
export function dropInterceptColumn(dm: DesignMatrix): DesignMatrix {
  const j0 = dm.columnNames.indexOf('(Intercept)');
  if (j0 < 0) return dm;
  const p = dm.p - 1;
  const x = new Float64Array(dm.n * p);
  for (let i = 0; i < dm.n; i++) {
    for (let j = 0, k = 0; j < dm.p; j++) if (j !== j0) x[i * p + k++] = dm.x[i * dm.p + j]!;
  }
  return {
    ...dm,
    p,
    x,
    columnNames: dm.columnNames.filter((_, j) => j !== j0),
    ...(dm.assign ? { assign: dm.assign.filter((_, j) => j !== j0) } : {}),
  };
}

/**
 * The design with the centre as a factor added after its columns, for a node whose rows all belong to
 * `centre`: one treatment-contrast indicator per centre but the first of `centres` (R: `+ centre` on the pooled
 * file with a centre column, levels sorted), named `centre<name>`, 1 on every row where the centre is this one.
 * The columns form one more term (assign = the last term + 1). With one centre nothing is added.
 *
 * @example appendCentreColumns(dm, ['A', 'B', 'C'], 'B') // adds centreB (all 1) and centreC (all 0)
 */
export function appendCentreColumns(
  dm: DesignMatrix,
  centres: readonly string[],
  centre: string,
): DesignMatrix {
  if (!centres.includes(centre))
    throw new StatsError(
      StatsErrorCode.InvalidArgument,
      `centre '${centre}' is not one of the model's centres`,
    );
  const extra = centres.slice(1);
  if (extra.length === 0) return dm;
  const p = dm.p + extra.length;
  const x = new Float64Array(dm.n * p);
  const hot = extra.indexOf(centre);
  for (let i = 0; i < dm.n; i++) {
    x.set(dm.x.subarray(i * dm.p, (i + 1) * dm.p), i * p);
    if (hot >= 0) x[i * p + dm.p + hot] = 1;
  }
  const term = Math.max(0, ...(dm.assign ?? [])) + 1;
  return {
    ...dm,
    p,
    x,
    columnNames: [...dm.columnNames, ...extra.map((c) => `centre${c}`)],
    ...(dm.assign ? { assign: [...dm.assign, ...extra.map(() => term)] } : {}),
  };
}
