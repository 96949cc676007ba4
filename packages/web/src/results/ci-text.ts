/** Small helpers for showing the shared estimate/CI format in tables. */
import type { FormattedEstimate } from '@fedhub/protocol';

/** How the dashboard writes a missing number. */
export const NA = { missing: '–' } as const;

/** "lower to upper", each with the estimate's decimals. */
export function ciRange(f: FormattedEstimate): string {
  return `${f.lower} to ${f.upper}`;
}
