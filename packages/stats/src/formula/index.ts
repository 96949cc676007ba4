export type { CodedLevels, ColumnData, DesignMatrix, DesignOptions } from './design.js';
export { appendCentreColumns, buildDesignMatrix, CODED_LEVELS, dropInterceptColumn } from './design.js';
export { localLevels, mergeLevels, sortLevels } from './levels.js';
export { FORMULA_LIMITS, FormulaLimitError, formulaColumnNames, parseFormula } from './parse.js';
export type { Formula, FormulaResponse, FormulaTerm, FormulaVariable } from './types.js';
export { NumericTransform } from './types.js';
