import { readFileSync } from 'node:fs';
import { coarsenTimes } from './cox/grid.js';
import type { CoxNodeData } from './cox/partial.js';
import { buildDesignMatrix, dropInterceptColumn } from './formula/design.js';
import { mergeLevels } from './formula/levels.js';
import { parseFormula } from './formula/parse.js';

/**
 * Test support only (not exported from the package index): reads the R-generated fixtures
 * committed under `packages/stats/fixtures/` (see `scripts/make-fixtures.R`).
 */

/** Parses a fixture JSON file; the R writer encodes infinities as the strings "Infinity"/"-Infinity". */
export function readFixtureJson<T = Record<string, unknown>>(name: string): T {
  const text = readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
  return JSON.parse(text, (_k, v) => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v)) as T;
}

/** One fixture cohort as columns: numeric columns as Float64Array, the rest as strings. */
export interface CohortColumns {
  readonly numeric: Record<string, Float64Array>;
  readonly text: Record<string, string[]>;
  readonly n: number;
}

const TEXT_COLUMNS = new Set(['centre', 'sex', 'stage']);

/** Reads `cohort.csv` and splits it by centre into in-memory "nodes" (A, B, C, in file order). */
export function readCohortNodes(): CohortColumns[] {
  const lines = readFileSync(new URL('../fixtures/cohort.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  const header = lines[0]!.split(',');
  const rowsByCentre = new Map<string, string[][]>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const centre = cells[0]!;
    const list = rowsByCentre.get(centre) ?? [];
    list.push(cells);
    rowsByCentre.set(centre, list);
  }
  return [...rowsByCentre.values()].map((rows) => {
    const numeric: Record<string, Float64Array> = {};
    const text: Record<string, string[]> = {};
    header.forEach((name, j) => {
      if (TEXT_COLUMNS.has(name)) text[name] = rows.map((r) => r[j]!);
      else numeric[name] = Float64Array.from(rows, (r) => Number(r[j]));
    });
    return { numeric, text, n: rows.length };
  });
}

/** Concatenates node cohorts back into one pooled cohort (for pooled reference computations). */
export function poolNodes(nodes: readonly CohortColumns[]): CohortColumns {
  const first = nodes[0]!;
  const numeric: Record<string, Float64Array> = {};
  const text: Record<string, string[]> = {};
  for (const k of Object.keys(first.numeric)) {
    const parts = nodes.map((nd) => nd.numeric[k]!);
    const out = new Float64Array(parts.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of parts) {
      out.set(a, o);
      o += a.length;
    }
    numeric[k] = out;
  }
  for (const k of Object.keys(first.text)) text[k] = nodes.flatMap((nd) => nd.text[k]!);
  return { numeric, text, n: nodes.reduce((s, nd) => s + nd.n, 0) };
}

/** Relative difference |a - b| / max(|b|, floor). */
export function relDiff(a: number, b: number, floor = 1e-300): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}

/**
 * The cohort's centres as Cox nodes for an R formula on `tc` (the months coarsened to `resolution`, as the
 * fixture scripts do), with the pooled levels of sex, stage and centre.
 */
export function coxCohortNodes(
  formula: string,
  resolution: number,
): { nodes: CoxNodeData[]; names: readonly string[]; assign: readonly number[] } {
  const cohort = readCohortNodes();
  const levels = Object.fromEntries(
    ['sex', 'stage', 'centre'].map((c) => [c, mergeLevels(cohort.map((nd) => nd.text[c]!))]),
  );
  const f = parseFormula(formula.replace(/^Surv\(tc, dead\)/, 'Surv(months, dead)'));
  let names: readonly string[] = [];
  let assign: readonly number[] = [];
  const nodes = cohort.map((c) => {
    const dm = dropInterceptColumn(
      buildDesignMatrix(f, { numeric: c.numeric, categorical: c.text }, { levels }),
    );
    names = dm.columnNames;
    assign = dm.assign ?? [];
    return {
      x: dm.x,
      n: dm.n,
      p: dm.p,
      time: coarsenTimes(dm.y!, resolution),
      event: dm.event!,
      strata: dm.strata,
    };
  });
  return { nodes, names, assign };
}
