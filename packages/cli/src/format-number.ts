/**
 * Number wording shared by the result formatters. The implementation lives in `@fedhub/protocol`
 * (`format/number-format.ts`, tested against R) so that the CLI and the dashboard print the same digits.
 */
import { formatPValue as formatPValueShared } from '@fedhub/protocol';

export {
  formatBoundedScore,
  formatEstimateCi,
  formatFixed,
  formatNumber,
  formatRatioCi,
} from '@fedhub/protocol';

/**
 * A p-value for a terminal, as R's `format.pval(p, digits = 3)`: `0.0457`, `3.1e-07`, `<2e-16`;
 * `NA` for a missing one.
 */
export function formatPValue(p: number | null | undefined): string {
  return formatPValueShared(p, 3);
}
