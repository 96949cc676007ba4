/**
 * The row filter as the form edits it: conditions joined by "and", each a column, an operator and a value
 * typed by the column's dictionary type; anything the rows cannot say (or, not) stays JSON (pure).
 */
import type { ColumnSpec, Filter } from '@fedhub/protocol';

export const FILTER_OPS = [
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'between',
  'in',
  'not-in',
  'is-missing',
  'not-missing',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export const OP_LABELS: Record<FilterOp, string> = {
  eq: '=',
  ne: '≠',
  lt: '<',
  le: '≤',
  gt: '>',
  ge: '≥',
  between: 'between',
  in: 'is one of',
  'not-in': 'is none of',
  'is-missing': 'is missing',
  'not-missing': 'is not missing',
};

/** One condition as typed: `value` holds "a, b" for in/not-in and "low, high" for between. */
export interface FilterRow {
  column: string;
  op: FilterOp;
  value: string;
}

/** The filter draft: rows joined by "and", or JSON for what rows cannot say. */
export type FilterDraft = { mode: 'rows'; rows: FilterRow[] } | { mode: 'json'; json: string };

type Scalar = number | string | boolean;

function typed(raw: string, spec: ColumnSpec | undefined, where: string): Scalar {
  const v = raw.trim();
  if (v === '') throw new Error(`${where}: give a value`);
  if (spec?.type === 'numeric' || spec?.type === 'integer') {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`${where}: "${v}" is not a number`);
    return n;
  }
  if (spec?.type === 'boolean') {
    if (v === 'true' || v === 'false') return v === 'true';
    throw new Error(`${where}: give true or false`);
  }
  return v;
}

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The filter of a draft (undefined when it has no condition); throws an Error naming the bad condition. */
export function filterFromDraft(d: FilterDraft, columns: readonly ColumnSpec[]): Filter | undefined {
  if (d.mode === 'json') {
    if (d.json.trim() === '') return undefined;
    try {
      return JSON.parse(d.json) as Filter;
    } catch (e) {
      throw new Error(`not valid JSON (${(e as Error).message})`);
    }
  }
  const spec = (name: string) => columns.find((c) => c.name === name);
  const out: Filter[] = [];
  d.rows.forEach((r, i) => {
    const where = `condition ${i + 1}`;
    if (!r.column) throw new Error(`${where}: choose a column`);
    const s = spec(r.column);
    switch (r.op) {
      case 'is-missing':
      case 'not-missing':
        out.push({ column: r.column, op: r.op });
        break;
      case 'in':
      case 'not-in': {
        const values = list(r.value).map((v) => typed(v, s, where));
        if (values.length === 0) throw new Error(`${where}: give one or more values, separated by commas`);
        out.push({ column: r.column, op: r.op, values });
        break;
      }
      case 'between': {
        const [low, high] = list(r.value);
        if (low === undefined || high === undefined) throw new Error(`${where}: give "low, high"`);
        const [l, h] = [typed(low, s, where), typed(high, s, where)];
        if (typeof l === 'boolean' || typeof h === 'boolean')
          throw new Error(`${where}: between needs numbers`);
        out.push({ column: r.column, op: 'between', low: l, high: h });
        break;
      }
      default:
        out.push({ column: r.column, op: r.op, value: typed(r.value, s, where) });
    }
  });
  if (out.length === 0) return undefined;
  return out.length === 1 ? out[0] : { and: out };
}

function rowOf(f: Filter): FilterRow | null {
  if ('and' in f || 'or' in f || 'not' in f) return null;
  if (f.op === 'is-missing' || f.op === 'not-missing') return { column: f.column, op: f.op, value: '' };
  if ('values' in f) return { column: f.column, op: f.op, value: f.values.join(', ') };
  if ('low' in f) return { column: f.column, op: 'between', value: `${f.low}, ${f.high}` };
  if ('value' in f) return { column: f.column, op: f.op, value: String(f.value) };
  return { column: f.column, op: f.op, value: '' };
}

/** The draft of a filter (to edit and re-run): rows where it is an "and" of conditions, else JSON. */
export function draftFromFilter(f: Filter | undefined): FilterDraft {
  if (!f) return { mode: 'rows', rows: [] };
  const parts = 'and' in f ? f.and : [f];
  const rows = parts.map(rowOf);
  if (rows.every((r) => r !== null)) return { mode: 'rows', rows: rows as FilterRow[] };
  return { mode: 'json', json: JSON.stringify(f, null, 2) };
}

/** "age ≥ 50 and stage is one of III, IV": a filter in words, for task lists and result pages. */
export function describeFilter(f: Filter | undefined): string {
  if (!f) return 'all rows';
  if ('and' in f) return f.and.map(describeFilter).join(' and ');
  if ('or' in f) return `(${f.or.map(describeFilter).join(' or ')})`;
  if ('not' in f) return `not (${describeFilter(f.not)})`;
  const r = rowOf(f)!;
  return `${r.column} ${OP_LABELS[r.op]}${r.value ? ` ${r.value}` : ''}`;
}
