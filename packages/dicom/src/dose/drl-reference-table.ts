import type { PatientGroup } from './patient-groups.js';
import type { CtdiPhantom } from './types.js';

/** One published DRL value with its citation. CTDIvol in mGy, DLP in mGy.cm; null where none is published. */
export interface DrlReferenceRow {
  /** Stable id, used in flags (e.g. `uk-ndrl-2022-ctpa`). */
  id: string;
  /** Short source name. */
  source: string;
  /** Full citation of where the value is published. */
  citation: string;
  /** Standard exam id from {@link EXAM_VOCABULARY}. */
  exam: string;
  /** Clinical indication the value was set for, when the source states one. */
  indication: string | null;
  group: PatientGroup;
  /** CTDI phantom the value refers to (16 cm for head exams, 32 cm for body exams, as the source's surveys). */
  phantom: CtdiPhantom;
  /** CTDIvol DRL in mGy (per sequence, as the UK NDRLs define it), or null. */
  ctdivol: number | null;
  /** DLP DRL in mGy.cm per complete examination, or null. */
  dlp: number | null;
  /** Year the value was adopted. */
  year: number;
}

/** Version of the shipped reference table; bump when a row changes. */
export const DRL_REFERENCE_TABLE_VERSION = '2026-11-29.1';

const UKHSA =
  'UK Health Security Agency, "National Diagnostic Reference Levels (NDRLs)", GOV.UK guidance, Table 1 Adult CT ' +
  'examinations (values adopted 2022; page updated 20 November 2024). CTDIvol per sequence, DLP per complete exam.';

/**
 * Reference DRLs shipped as data. Only values checked against their published source are included: the UK
 * national DRLs for adult CT adopted in 2022. The EU RP 180 (2014) and EU RP 195 (EUCLID, 2021) values are not
 * shipped because they could not be checked against the documents here. Other tables (European, national,
 * local) are supplied per survey with their citations in `drl-survey`'s `references` parameter, rather than
 * typed in from memory.
 */
export const DRL_REFERENCE_TABLE: readonly DrlReferenceRow[] = [
  row('uk-ndrl-2022-head-stroke', 'head', 'acute stroke', 'head16', 47, 790),
  row('uk-ndrl-2022-sinus', 'sinus', 'sinus disease', 'head16', 12, 160),
  row('uk-ndrl-2022-chest-lung-cancer', 'chest', 'lung cancer', 'body32', 8.5, 290),
  row('uk-ndrl-2022-chest-hrct', 'chest-hrct', 'interstitial lung disease', 'body32', 8, 300),
  row('uk-ndrl-2022-chest-abdomen', 'chest-abdomen', 'lung cancer', 'body32', null, 470),
  row('uk-ndrl-2022-cap', 'chest-abdomen-pelvis', 'cancer', 'body32', null, 660),
  row('uk-ndrl-2022-ncap', 'neck-chest-abdomen-pelvis', 'cancer', 'body32', null, 850),
  row('uk-ndrl-2022-ctpa', 'ctpa', 'pulmonary embolism', 'body32', 9.1, 310),
  row('uk-ndrl-2022-abdomen-pelvis', 'abdomen-pelvis', 'abscess', 'body32', 10, 530),
  row('uk-ndrl-2022-ct-colonography', 'ct-colonography', 'polyps/tumour', 'body32', null, 690),
  row('uk-ndrl-2022-kub', 'kub', 'stones/colic', 'body32', 6.3, 290),
  row('uk-ndrl-2022-urogram', 'urogram', 'tumour/stones/colic', 'body32', null, 890),
];

function row(
  id: string,
  exam: string,
  indication: string,
  phantom: CtdiPhantom,
  ctdivol: number | null,
  dlp: number | null,
): DrlReferenceRow {
  return {
    id,
    source: 'UK NDRL 2022 (UKHSA)',
    citation: UKHSA,
    exam,
    indication,
    group: 'adult',
    phantom,
    ctdivol,
    dlp,
    year: 2022,
  };
}
