/**
 * The `ct_dose` dataset: one row per CT exam and CTDI phantom, as the node's dose registry writes it from
 * dose reports and as `drl-survey` reads it. The one declaration of its columns: the registry's data
 * dictionary, and the synthetic records of the demo and the tests (`@fedhub/testkit`), are this.
 */
import type { ColumnSpec } from '@fedhub/protocol';
import { EXAM_IDS } from './exam-vocabulary.js';

/** The dataset's name at a node. */
export const CT_DOSE_DATASET = 'ct_dose';

/** Kinds of dose object a row's values came from. */
export const CT_DOSE_SOURCES = ['rdsr', 'esr', 'vendor-dose-page', 'ct-header'] as const;

/** The data dictionary of `ct_dose` (columns in file order, types, units, levels). */
export function ctDoseColumns(): ColumnSpec[] {
  return [
    {
      name: 'exam_id',
      type: 'categorical',
      identifier: true,
      description: 'Pseudonymous exam key: sha256 of the Study Instance UID, first 16 hex digits',
    },
    {
      name: 'exam',
      type: 'categorical',
      levels: [...EXAM_IDS].sort(),
      description: 'Standard exam (exam vocabulary), mapped with the site rules',
    },
    {
      name: 'phantom',
      type: 'categorical',
      levels: ['head16', 'body32'],
      description: 'CTDI phantom: 16 cm head or 32 cm body',
    },
    { name: 'age', type: 'numeric', unit: 'a', min: 0, max: 130, description: 'Age at the exam in years' },
    { name: 'sex', type: 'categorical', levels: ['F', 'M', 'O'], description: "Patient's Sex (0010,0040)" },
    { name: 'weight_kg', type: 'numeric', unit: 'kg', min: 0, max: 500, description: "Patient's Weight" },
    {
      name: 'ctdivol_mgy',
      type: 'numeric',
      unit: 'mGy',
      min: 0,
      description: 'Per-exam CTDIvol: mean over the non-localizer events on this phantom',
    },
    {
      name: 'dlp_mgycm',
      type: 'numeric',
      unit: 'mGy.cm',
      min: 0,
      description: 'Per-exam DLP: sum over all events on this phantom',
    },
    { name: 'study_date', type: 'date', description: 'Study Date' },
    {
      name: 'source',
      type: 'categorical',
      levels: [...CT_DOSE_SOURCES],
      description: 'Kind of dose object the values came from',
    },
  ];
}
