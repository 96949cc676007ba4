export {
  type ActionTable,
  compileActionTable,
  KNOWN_TYPE1,
  publicAction,
  resolveCompound,
} from './action-table.js';
export { ANNEX_E_EDITION, ANNEX_E_ROWS, ANNEX_E_SOURCE_SHA256 } from './annex-e-table.generated.js';
export type { AnnexERow, OptionColumn, SimpleAction, TableAction } from './annex-e-types.js';
export * from './deidentify-buffer.js';
export * from './deidentify-file.js';
export type { DeidCounts } from './engine.js';
export * from './errors.js';
export * from './keys.js';
export * from './options.js';
export * from './pool.js';
export { dateOffsetDays, patientPseudonym, remapUid, shiftDate, shiftDateTime } from './pseudonym.js';
export * from './quarantine.js';
export * from './reid-map.js';
export * from './safe-private.js';
