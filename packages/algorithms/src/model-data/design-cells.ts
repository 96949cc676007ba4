/**
 * The count cells a model's sufficient statistics release, from its formula: X'X holds, for every pair of
 * terms, the counts of the combinations of their factors' levels (so a:b's cell counts for `a * b`, and
 * the a x b table even for `a + b`); X'y of a binary outcome (or the events of a Cox model's risk sets)
 * holds, for every term, the events per combination of its factors' levels. Strata split every risk set,
 * so they count as a term of their own. A cell of one record gives that record's response away.
 */
import type { Formula } from '@fedhub/stats';
import { type ColumnCodes, crossCells, type DisclosureCell } from '../types.js';

type Column = { name: string; values: ArrayLike<string | number | null> };

/**
 * Cells of the design of `f` over the rows used: `factorValues` per factor column (aligned with the
 * rows), `outcome` the binary outcome or event indicator where the model has one, `strata` the strata
 * column's name where it has one.
 */
export function designCells(
  f: Formula,
  factorValues: Readonly<Record<string, ArrayLike<string | number | null>>>,
  outcome: Column | null,
  strata: string | null = null,
): DisclosureCell[] {
  const termFactors: string[][] = [];
  for (const t of f.terms) {
    const cols = [...new Set(t.variables.map((v) => f.variables[v]!.column))].filter((c) =>
      Object.hasOwn(factorValues, c),
    );
    if (cols.length > 0) termFactors.push(cols);
  }
  if (strata && Object.hasOwn(factorValues, strata)) termFactors.push([strata]);
  const sets = new Map<string, string[]>();
  const add = (cols: string[]) => {
    const sorted = [...new Set(cols)].sort();
    sets.set(sorted.join('\u0000'), sorted);
  };
  for (let i = 0; i < termFactors.length; i++)
    for (let j = i; j < termFactors.length; j++) add([...termFactors[i]!, ...termFactors[j]!]);
  const cells: DisclosureCell[] = [];
  // each column coded once for all its crossings (the values do not change within this call)
  const codes: ColumnCodes = new Map();
  for (const cols of sets.values())
    cells.push(
      ...crossCells(
        cols.map((name) => ({ name, values: factorValues[name]! })),
        'design',
        codes,
      ),
    );
  if (outcome) {
    const withOutcome = new Map<string, string[]>();
    for (const cols of termFactors) withOutcome.set([...cols].sort().join('\u0000'), [...cols].sort());
    cells.push(...crossCells([outcome], 'outcome', codes));
    for (const cols of withOutcome.values())
      cells.push(
        ...crossCells(
          [...cols.map((name) => ({ name, values: factorValues[name]! })), outcome],
          'design',
          codes,
        ),
      );
  }
  return cells;
}
