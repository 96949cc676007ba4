/**
 * The design of a frozen formula model (validate, validate-survival): its factors take every level the
 * data dictionary declares, never only the levels the (filtered) data hold. A filter that keeps one level of
 * a factor must not change the model: with the held levels only, that level became the design's reference
 * and its coefficient silently dropped out of the linear predictor.
 *
 * With every declared level in the design, the design's reference (the first sorted declared level) need
 * not be the model's: the model's reference is whichever level it has no coefficient for. A design column
 * of a level without a coefficient therefore counts 0 in the linear predictor, so every record at a level
 * the model knows (its reference or a level with a coefficient) gets exactly the model's prediction,
 * whichever level the design took as reference. A record at a level the model never saw cannot be told
 * from the reference when more than one declared level has no coefficient; where one node's records hold
 * two such levels the model cannot be applied and the node refuses (no level, count or row named).
 */
import { FedhubError } from '@fedhub/protocol';
import { type Formula, mergeLevels } from '@fedhub/stats';

/** Every declared level of each factor, sorted as R sorts them (the levels of a frozen model's design). */
export function frozenModelLevels(
  declared: ReadonlyArray<readonly [string, readonly string[]]>,
  except: string | null = null,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [c, all] of declared) if (c !== except) out[c] = mergeLevels([[...all]]);
  return out;
}

/**
 * The coefficient of each design column (`names`) of a frozen model: the model's value, or 0 for a column
 * of a factor level the model has no coefficient for (its reference, or a level it never saw). A column
 * with no coefficient otherwise (a numeric term, an interaction the model lacks) is refused, named (the
 * names follow from the formula and the dictionary, not from the data). `factorValues` (each factor's value
 * per record) serves the check that one node's records hold at most one level without a coefficient.
 */
export function frozenCoefficients(
  f: Formula,
  levels: Readonly<Record<string, readonly string[]>>,
  coefficients: Readonly<Record<string, number>>,
  names: readonly string[],
  factorValues: Readonly<Record<string, readonly string[]>>,
): number[] {
  const components = new Set(Object.keys(coefficients).flatMap((n) => n.split(':')));
  // design-column components (`factor(stage)II`) of levels without a coefficient
  const zero = new Set<string>();
  for (const v of f.variables) {
    const all = levels[v.column];
    if (!all) continue;
    const known = all.filter((l) => components.has(`${v.label}${l}`));
    // a factor the coefficients never name: its columns must all have one (refused below otherwise)
    if (known.length === 0) continue;
    const without = all.filter((l) => !known.includes(l));
    for (const l of without) zero.add(`${v.label}${l}`);
    if (without.length > 1) {
      const values = factorValues[v.column] ?? [];
      const seen = new Set<string>();
      for (const x of values) if (without.includes(x)) seen.add(x);
      if (seen.size > 1)
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `coefficients: ${v.label} has a coefficient for none of several of its declared levels, and records at more than one of them are selected: the model's reference level cannot be told from a level it never saw`,
          { parameter: 'model.coefficients' },
        );
    }
  }
  const missing = names.filter((n) => !(n in coefficients) && !n.split(':').some((c) => zero.has(c)));
  if (missing.length > 0)
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      `coefficients: no value for ${missing.map((n) => `"${n}"`).join(', ')} (the model's terms: ${names.join(', ')})`,
      { parameter: 'model.coefficients' },
    );
  return names.map((n) => coefficients[n] ?? 0);
}
