/**
 * What the data dictionary says about a column, as the parameter widgets need it: which columns a column
 * parameter of a given kind may pick, the levels a column declares, and the release resolution (pure).
 * Levels come from the dictionary, never from data, as the nodes take them (algorithms' declared-levels.ts).
 */
import type { ColumnKind, ColumnSpec } from '@fedhub/protocol';
import { unitLabel } from '../charts/units.js';

/** Integer ranges up to this many values serve as levels (algorithms' MAX_DECLARED_INTEGER_LEVELS). */
const MAX_INTEGER_LEVELS = 1000;

const within01 = (c: ColumnSpec) =>
  (c.min === undefined || c.min >= 0) && (c.max === undefined || c.max <= 1);

/** Whether column `c` may be picked for a parameter of kind `kind` (identifier columns only for `key`). */
export function columnFits(c: ColumnSpec, kind: ColumnKind): boolean {
  if (kind === 'key') return c.identifier === true || c.type === 'categorical' || c.type === 'integer';
  if (c.identifier) return false;
  switch (kind) {
    case 'numeric':
    case 'time':
      return c.type === 'numeric' || c.type === 'integer';
    case 'categorical':
      return (
        c.type === 'categorical' || c.type === 'boolean' || (c.type === 'integer' && columnLevels(c) !== null)
      );
    case 'binary':
    case 'event':
      return c.type === 'boolean' || ((c.type === 'integer' || c.type === 'numeric') && within01(c));
    default:
      return true;
  }
}

/** The columns of a dictionary a parameter of kind `kind` may pick. */
export function pickableColumns(columns: readonly ColumnSpec[], kind: ColumnKind): ColumnSpec[] {
  return columns.filter((c) => columnFits(c, kind));
}

/** The levels `c` declares: its levels, false/true, or each integer of a small declared range; else null. */
export function columnLevels(c: ColumnSpec): string[] | null {
  if (c.levels && c.levels.length > 0) return [...c.levels];
  if (c.type === 'boolean') return ['false', 'true'];
  if (
    c.type === 'integer' &&
    c.min !== undefined &&
    c.max !== undefined &&
    c.max - c.min < MAX_INTEGER_LEVELS
  ) {
    const out: string[] = [];
    for (let v = Math.ceil(c.min); v <= c.max; v++) out.push(String(v));
    return out;
  }
  return null;
}

/** The release resolution of a numeric column, as the nodes compute it (algorithms' precision.ts). */
export function releaseResolution(c: ColumnSpec): number {
  if (c.resolution !== undefined) return c.resolution;
  if (c.type === 'integer' || c.type === 'boolean') return 1;
  if (c.min !== undefined && c.max !== undefined && c.max > c.min)
    return 10 ** Math.floor(Math.log10((c.max - c.min) / 50));
  return 1;
}

/** "age (numeric, years)": a column as the pickers list it. */
export function describeColumn(c: ColumnSpec): string {
  return `${c.name} (${c.type}${c.unit ? `, ${unitLabel(c.unit)}` : ''})`;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_.]*/g;
const FUNCTIONS = new Set([
  'factor',
  'Surv',
  'strata',
  'offset',
  'log',
  'exp',
  'sqrt',
  'I',
  'poly',
  'cluster',
]);

/** The dictionary columns a formula names, in order (functions and unknown names left out). */
export function formulaColumns(formula: string, columns: readonly ColumnSpec[]): ColumnSpec[] {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const out: ColumnSpec[] = [];
  for (const m of formula.matchAll(IDENT)) {
    const c = byName.get(m[0]);
    if (c && !out.includes(c)) out.push(c);
  }
  return out;
}

/** Names a formula uses that are neither dictionary columns nor known functions (shown as a warning). */
export function unknownFormulaNames(formula: string, columns: readonly ColumnSpec[]): string[] {
  const known = new Set(columns.map((c) => c.name));
  const out: string[] = [];
  for (const m of formula.matchAll(IDENT)) {
    const name = m[0];
    const next = formula.slice((m.index ?? 0) + name.length).trimStart();
    if (known.has(name) || FUNCTIONS.has(name) || next.startsWith('(') || /^\d/.test(name)) continue;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * The factors of a model formula's right-hand side: columns in factor(...), and categorical or boolean
 * columns (whose reference level a `ref` parameter may set). Surv(), strata() and the response are not.
 */
export function formulaFactors(formula: string, columns: readonly ColumnSpec[]): ColumnSpec[] {
  const tilde = formula.indexOf('~');
  const rhs = (tilde >= 0 ? formula.slice(tilde + 1) : formula).replace(/strata\([^)]*\)/g, '');
  const inFactor = new Set([...rhs.matchAll(/factor\(\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\)/g)].map((m) => m[1]));
  return formulaColumns(rhs, columns).filter(
    (c) =>
      (inFactor.has(c.name) || c.type === 'categorical' || c.type === 'boolean') && columnLevels(c) !== null,
  );
}

/** The identifier being typed at the end of `text` (for completion), or ''. */
export function trailingIdentifier(text: string): string {
  return /([A-Za-z_][A-Za-z0-9_.]*)$/.exec(text)?.[1] ?? '';
}

/** Columns completing the identifier at the end of `text` (case-insensitive prefix), at most 8. */
export function completions(text: string, columns: readonly ColumnSpec[]): ColumnSpec[] {
  const t = trailingIdentifier(text).toLowerCase();
  if (!t) return [];
  return columns
    .filter((c) => !c.identifier && c.name.toLowerCase().startsWith(t) && c.name.toLowerCase() !== t)
    .slice(0, 8);
}
