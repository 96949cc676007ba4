/** Transformations allowed on a numeric variable inside a formula (R functions of the same name). */
export const NumericTransform = { none: 'none', log: 'log', exp: 'exp', sqrt: 'sqrt' } as const;
/** Union of the numeric transformation names. */
export type NumericTransform = (typeof NumericTransform)[keyof typeof NumericTransform];

/**
 * A variable of a model formula: a data column, possibly wrapped in `factor()` or a numeric
 * transformation. `label` is R's deparsed text (`age`, `factor(stage)`, `log(exposure)`), which is
 * the prefix of the design-matrix column names.
 */
export interface FormulaVariable {
  readonly label: string;
  readonly column: string;
  /** `factor` when wrapped in `factor()`; `auto` means numeric unless the column is categorical. */
  readonly kind: 'factor' | 'auto';
  readonly transform: NumericTransform;
}

/** A model term: the set of variables it multiplies, as indices into `variables`, in R's order. */
export interface FormulaTerm {
  readonly label: string;
  readonly variables: readonly number[];
}

/** Left-hand side of a formula. */
export type FormulaResponse =
  | { readonly kind: 'variable'; readonly variable: FormulaVariable }
  | { readonly kind: 'surv'; readonly time: FormulaVariable; readonly event: FormulaVariable };

/** A parsed R model formula (`y ~ a + b + factor(c) + a:b + offset(log(n))`). */
export interface Formula {
  readonly response: FormulaResponse | null;
  /** Right-hand-side variables in order of first appearance (R's `attr(terms, "factors")` rows). */
  readonly variables: readonly FormulaVariable[];
  /** Terms sorted as R sorts them: by order of interaction, then by appearance. */
  readonly terms: readonly FormulaTerm[];
  readonly intercept: boolean;
  /** Offset expressions (summed), e.g. `log(exposure)`. */
  readonly offsets: readonly FormulaVariable[];
  /** Variables of `strata(a, b)` terms (survival models): they define strata, not columns. */
  readonly strata: readonly FormulaVariable[];
}
