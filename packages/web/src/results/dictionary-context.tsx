/**
 * The data dictionary of the dataset a result comes from, for the views that label axes with a column's
 * declared unit (results carry column names, not units). Empty where it is not known: the views then
 * label with the name alone rather than guess a unit.
 */
import type { ColumnSpec } from '@fedhub/protocol';
import { createContext, useContext } from 'react';
import { unitLabel } from '../charts/units.js';

export const ResultDictionary = createContext<readonly ColumnSpec[]>([]);

/** The declared unit of `column` ("Gy", "a"), or undefined. */
export function useColumnUnit(column: string): string | undefined {
  return useContext(ResultDictionary).find((c) => c.name === column)?.unit;
}

/**
 * "dose_gy (Gy)", "age (years)": an axis title in the column's declared unit, time codes in words; the unit
 * is left out where the column is named after it ("months").
 */
export function axisTitle(column: string, unit: string | undefined): string {
  if (!unit) return column;
  const label = unitLabel(unit);
  return label === column ? column : `${column} (${label})`;
}
