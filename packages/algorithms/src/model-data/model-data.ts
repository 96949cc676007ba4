/**
 * Reads what a model formula needs from a node's dataset and builds the design matrix with the global
 * factor levels, once per task (cached between rounds).
 */

import { FedhubError, type Filter } from '@fedhub/protocol';
import {
  buildDesignMatrix,
  type DesignMatrix,
  type Formula,
  FormulaLimitError,
  formulaColumnNames,
  parseFormula,
} from '@fedhub/stats';
import { assertFactorColumn } from '../precision.js';
import { type DatasetHandle, type RowIds, rowIdsOf } from '../types.js';

export interface ModelSpec {
  formula: string;
  filter?: Filter;
  weights?: string;
  ref?: Record<string, string>;
  /** A column whose values define clusters for cluster-robust standard errors (read, never in the design). */
  clusterColumn?: string;
}

/** Parses the formula, turning the parser's errors into a parameter error that names the formula. */
export function parseModelFormula(formula: string): Formula {
  try {
    return parseFormula(formula);
  } catch (err) {
    if (err instanceof FormulaLimitError)
      throw new FedhubError('FH_ERR_FORMULA_TOO_LARGE', err.message, {
        parameter: 'formula',
        limit: err.limit,
      });
    throw new FedhubError('FH_ERR_BAD_PARAMS', `formula "${formula}": ${(err as Error).message}`, {
      parameter: 'formula',
    });
  }
}

/**
 * The columns a formula names, by tokenizing alone (no expansion of interactions), so a caller can check
 * them against what a study allows before {@link parseModelFormula}. Throws FH_ERR_FORMULA_TOO_LARGE for
 * an over-long text and FH_ERR_BAD_PARAMS for a character the formula grammar does not know.
 *
 * @example formulaColumnsBeforeParsing('y ~ a*factor(b)') // ['y', 'a', 'b']
 */
export function formulaColumnsBeforeParsing(formula: string): string[] {
  try {
    return formulaColumnNames(formula);
  } catch (err) {
    if (err instanceof FormulaLimitError)
      throw new FedhubError('FH_ERR_FORMULA_TOO_LARGE', err.message, {
        parameter: 'formula',
        limit: err.limit,
      });
    throw new FedhubError('FH_ERR_BAD_PARAMS', `formula "${formula}": ${(err as Error).message}`, {
      parameter: 'formula',
    });
  }
}

/** Every data column the formula (and weights) reads. */
export function modelColumns(f: Formula, weights?: string): string[] {
  const cols = new Set<string>();
  if (f.response?.kind === 'variable') cols.add(f.response.variable.column);
  if (f.response?.kind === 'surv') {
    cols.add(f.response.time.column);
    cols.add(f.response.event.column);
  }
  for (const v of f.variables) cols.add(v.column);
  for (const v of f.offsets) cols.add(v.column);
  for (const v of f.strata) cols.add(v.column);
  if (weights) cols.add(weights);
  return [...cols];
}

/** Columns that enter the model as factors: `factor(x)`, or categorical/boolean columns used plainly. */
export function factorColumns(f: Formula, ds: DatasetHandle): string[] {
  const out = new Set<string>();
  for (const v of f.variables) {
    const spec = ds.column(v.column);
    // factor() only where the dictionary declares the column categorical: never on a continuous one
    if (v.kind === 'factor') assertFactorColumn(spec);
    if (v.kind === 'factor' || spec.type === 'categorical') out.add(v.column);
  }
  return [...out];
}

export interface NodeModelData {
  design: DesignMatrix;
  weights: Float64Array | null;
  /**
   * The values of each factor column on the rows used (after missing values are dropped), aligned with
   * the design's rows: the cells of the design's cross-classification are counted from them.
   */
  factorValues: Record<string, readonly string[]>;
  /** The cluster code of each design row when the spec names a cluster column, else null. */
  clusterCodes: Int32Array | null;
  /** The node's record id of each design row, where the node audits releases (see ROW_IDS). */
  rows?: RowIds;
}

/** Reads the columns (rows with a missing value are dropped, as R's na.omit) and builds the design. */
export async function readModelData(
  ds: DatasetHandle,
  spec: ModelSpec,
  levels: Record<string, string[]>,
  opts: { shared?: boolean } = {},
): Promise<NodeModelData> {
  const f = parseModelFormula(spec.formula);
  const modelCols = modelColumns(f, spec.weights);
  const cluster = spec.clusterColumn;
  // the cluster column is read with the model's columns (a row without a cluster is dropped, as a row
  // missing a model value) but takes no part in the design
  const cols = cluster && !modelCols.includes(cluster) ? [...modelCols, cluster] : modelCols;
  const factors = new Set(factorColumns(f, ds));
  for (const c of modelCols) {
    const t = ds.column(c).type;
    if (!factors.has(c) && t !== 'numeric' && t !== 'integer' && t !== 'boolean')
      throw new FedhubError(
        'FH_ERR_COLUMN_TYPE',
        `column "${c}" is ${t}; use it as factor(${c}) or choose a numeric column`,
        { column: c },
      );
  }
  // the factors' levels are known (a superset of the selected rows' values): no lookup of them
  // on shared memory where worker threads read the rows: the response and weights are then not copied
  const { data } = await ds.readColumns(cols, spec.filter, {
    knownValues: levels,
    ...(opts.shared ? { shared: true } : {}),
    ...(spec.weights ? { weights: spec.weights } : {}),
  });
  const numeric: Record<string, Float64Array> = {};
  const categorical: Record<string, string[]> = {};
  let clusterCodes: Int32Array | null = null;
  if (cluster) {
    const v = data[cluster]!;
    const codes = new Map<string | number, number>();
    clusterCodes = Int32Array.from(v as ArrayLike<string | number>, (x) => {
      let c = codes.get(x);
      if (c === undefined) {
        c = codes.size;
        codes.set(x, c);
      }
      return c;
    });
  }
  for (const c of modelCols) {
    const v = data[c]!;
    if (factors.has(c))
      categorical[c] = v instanceof Float64Array ? Array.from(v, (x) => String(x)) : (v as string[]);
    else numeric[c] = v as Float64Array;
  }
  let design: DesignMatrix;
  try {
    design = buildDesignMatrix(
      f,
      { numeric, categorical },
      { levels, ...(spec.ref ? { ref: spec.ref } : {}), ...(opts.shared ? { shared: true } : {}) },
    );
  } catch (err) {
    throw new FedhubError('FH_ERR_BAD_PARAMS', `formula "${spec.formula}": ${(err as Error).message}`, {
      parameter: 'formula',
    });
  }
  const rows = rowIdsOf(data);
  return {
    design,
    weights: spec.weights ? numeric[spec.weights]! : null,
    factorValues: categorical,
    clusterCodes,
    ...(rows && rows.ids.length === design.n ? { rows } : {}),
  };
}
