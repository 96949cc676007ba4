/**
 * The one function that says which columns a task's parameters read: every formula in them (response,
 * Surv(time, event), terms, factor(), offset(), strata()), every filter (at any depth), and the columns the
 * algorithm itself names (`variables`: weights, time, event, group, strata, score, ...). The study gate at
 * the hub and at each node, the approvals and the dictionary check all take their columns from it (through
 * {@link defineAlgorithm}, which wraps every algorithm's `variables`), so a column read through a feature
 * one algorithm forgot to list is still seen.
 */
import { FilterSchema, filterColumns } from '@fedhub/protocol';
import { type Formula, parseFormula } from '@fedhub/stats';

/** Keys whose string value is a model formula, wherever they sit in the parameters. */
const FORMULA_KEYS: ReadonlySet<string> = new Set(['formula']);
/** A stand-in response for one-sided formulas (`~ x + offset(z)`), dropped from the result. */
const ONE_SIDED_RESPONSE = 'fh_one_sided_response__';

/** Every column a formula reads; null when it does not parse (the algorithm's own check then refuses). */
export function formulaColumns(formula: string): string[] | null {
  const text = formula.trim();
  let f: Formula;
  try {
    // a validate model's formula is one-sided, with or without its leading ~
    f = parseFormula(
      text.startsWith('~')
        ? `${ONE_SIDED_RESPONSE} ${text}`
        : text.includes('~')
          ? text
          : `${ONE_SIDED_RESPONSE} ~ ${text}`,
    );
  } catch {
    return null;
  }
  const cols = new Set<string>();
  if (f.response?.kind === 'variable') cols.add(f.response.variable.column);
  if (f.response?.kind === 'surv') {
    cols.add(f.response.time.column);
    cols.add(f.response.event.column);
  }
  for (const v of f.variables) cols.add(v.column);
  for (const v of f.offsets) cols.add(v.column);
  for (const v of f.strata) cols.add(v.column);
  cols.delete(ONE_SIDED_RESPONSE);
  return [...cols];
}

/** The columns of every formula and every filter found in `params`, at any depth. */
export function paramsColumns(params: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 16 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (k === 'filter') {
        const f = FilterSchema.safeParse(x);
        if (f.success) for (const c of filterColumns(f.data)) out.add(c);
      } else if (FORMULA_KEYS.has(k) && typeof x === 'string') {
        for (const c of formulaColumns(x) ?? []) out.add(c);
      } else walk(x, depth + 1);
    }
  };
  walk(params, 0);
  return [...out];
}

/** The algorithm's own columns and those of every formula and filter of the parameters, once each. */
export function columnsRead(
  own: { dataset: string | null; columns: string[] },
  params: unknown,
): { dataset: string | null; columns: string[] } {
  return { dataset: own.dataset, columns: [...new Set([...own.columns, ...paramsColumns(params)])] };
}
