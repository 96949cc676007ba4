/**
 * Compiles the typed filter grammar into a parameterised SQL predicate, validating every column, operator
 * and value against the data dictionary. Column names are quoted after validation; values are always bound
 * parameters, never spliced into SQL.
 */
import { type ColumnSpec, FedhubError, FILTER_LIMITS, type Filter, filterSize } from '@fedhub/protocol';

export interface CompiledPredicate {
  sql: string;
  params: Array<number | string | boolean>;
}

/** Quotes a validated identifier for DuckDB SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function checkValue(spec: ColumnSpec, value: unknown, dataset: string): number | string | boolean {
  const where = `column "${spec.name}" of dataset "${dataset}"`;
  switch (spec.type) {
    case 'numeric':
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new FedhubError(
          'FH_ERR_COLUMN_TYPE',
          `${where} is ${spec.type}: filter value ${JSON.stringify(value)} must be a number`,
          { column: spec.name },
        );
      return value;
    case 'boolean':
      if (typeof value !== 'boolean')
        throw new FedhubError(
          'FH_ERR_COLUMN_TYPE',
          `${where} is boolean: filter value ${JSON.stringify(value)} must be true or false`,
          { column: spec.name },
        );
      return value;
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))
        throw new FedhubError(
          'FH_ERR_COLUMN_TYPE',
          `${where} is a date: filter value ${JSON.stringify(value)} must be YYYY-MM-DD`,
          { column: spec.name },
        );
      return value;
    case 'categorical':
      if (typeof value !== 'string')
        throw new FedhubError(
          'FH_ERR_COLUMN_TYPE',
          `${where} is categorical: filter value ${JSON.stringify(value)} must be a string`,
          { column: spec.name },
        );
      if (spec.levels && !spec.levels.includes(value))
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `${where} has no level ${JSON.stringify(value)} (levels: ${spec.levels.join(', ')})`,
          { column: spec.name },
        );
      return value;
  }
}

/** Compiles `filter` for `dataset`, whose columns are `columns`; undefined gives `TRUE`. */
export function compileFilter(
  filter: Filter | undefined,
  columns: ReadonlyMap<string, ColumnSpec>,
  dataset: string,
): CompiledPredicate {
  if (!filter) return { sql: 'TRUE', params: [] };
  const size = filterSize(filter);
  if (size.depth > FILTER_LIMITS.maxDepth || size.nodes > FILTER_LIMITS.maxNodes)
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      `filter too large: depth ${size.depth} (max ${FILTER_LIMITS.maxDepth}), ${size.nodes} terms (max ${FILTER_LIMITS.maxNodes})`,
    );
  const params: Array<number | string | boolean> = [];
  const bind = (v: number | string | boolean, spec: ColumnSpec) => {
    params.push(v);
    return spec.type === 'date' ? `CAST($${params.length} AS DATE)` : `$${params.length}`;
  };
  const walk = (f: Filter): string => {
    if ('and' in f) return `(${f.and.map(walk).join(' AND ')})`;
    if ('or' in f) return `(${f.or.map(walk).join(' OR ')})`;
    if ('not' in f) return `(NOT COALESCE(${walk(f.not)}, FALSE))`;
    const spec = columns.get(f.column);
    if (!spec)
      throw new FedhubError(
        'FH_ERR_UNKNOWN_COLUMN',
        `dataset "${dataset}" has no column "${f.column}" (used in filter)`,
        { column: f.column },
      );
    if (spec.identifier)
      throw new FedhubError(
        'FH_ERR_BAD_PARAMS',
        `column "${f.column}" is a record identifier and cannot be filtered on`,
        { column: f.column },
      );
    const col = quoteIdent(f.column);
    switch (f.op) {
      case 'is-missing':
        return `(${col} IS NULL)`;
      case 'not-missing':
        return `(${col} IS NOT NULL)`;
      case 'between':
        return `(${col} BETWEEN ${bind(checkValue(spec, f.low, dataset), spec)} AND ${bind(checkValue(spec, f.high, dataset), spec)})`;
      case 'in':
      case 'not-in': {
        const list = f.values.map((v) => bind(checkValue(spec, v, dataset), spec)).join(', ');
        return `(${col} ${f.op === 'in' ? 'IN' : 'NOT IN'} (${list}))`;
      }
      default: {
        const sqlOp = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' }[f.op];
        if ((spec.type === 'categorical' || spec.type === 'boolean') && sqlOp !== '=' && sqlOp !== '<>')
          throw new FedhubError(
            'FH_ERR_COLUMN_TYPE',
            `column "${f.column}" is ${spec.type}: only eq, ne, in and not-in apply`,
            { column: f.column },
          );
        return `(${col} ${sqlOp} ${bind(checkValue(spec, f.value, dataset), spec)})`;
      }
    }
  };
  return { sql: `COALESCE(${walk(filter)}, FALSE)`, params };
}
