import type { CtdiPhantom } from './types.js';

/** One standard exam of the dose survey. */
export interface StandardExam {
  /** Stable id used in registries, releases and reference tables. */
  id: string;
  label: string;
  /** CTDI phantom the exam is normally reported against. */
  phantom: CtdiPhantom;
  /**
   * The EU RP 195 (EUCLID, 2021) clinical indication the exam corresponds to, when it is one of the ten CT
   * indications of that study; null for anatomical exams.
   */
  euclidIndication: string | null;
}

/**
 * Standard exam vocabulary: anatomical exams (as national DRL schemes use) and the ten CT clinical indications
 * of the European Study on Clinical DRLs (EU RP 195, 2021). Data only; sites map their local descriptions onto
 * these ids with {@link ExamRule}s.
 */
export const EXAM_VOCABULARY: readonly StandardExam[] = [
  { id: 'head', label: 'Head (brain)', phantom: 'head16', euclidIndication: null },
  { id: 'head-stroke', label: 'Head, stroke', phantom: 'head16', euclidIndication: 'stroke' },
  { id: 'sinus', label: 'Paranasal sinuses', phantom: 'head16', euclidIndication: null },
  {
    id: 'sinus-chronic-sinusitis',
    label: 'Sinuses, chronic sinusitis',
    phantom: 'head16',
    euclidIndication: 'chronic sinusitis',
  },
  { id: 'neck', label: 'Neck (soft tissue)', phantom: 'body32', euclidIndication: null },
  { id: 'cervical-spine', label: 'Cervical spine', phantom: 'body32', euclidIndication: null },
  {
    id: 'cervical-spine-trauma',
    label: 'Cervical spine, trauma',
    phantom: 'body32',
    euclidIndication: 'cervical spine trauma',
  },
  { id: 'chest', label: 'Chest', phantom: 'body32', euclidIndication: null },
  {
    id: 'chest-lung-cancer',
    label: 'Chest, lung cancer',
    phantom: 'body32',
    euclidIndication: 'lung cancer',
  },
  { id: 'chest-hrct', label: 'Chest, high resolution', phantom: 'body32', euclidIndication: null },
  {
    id: 'ctpa',
    label: 'CT pulmonary angiography',
    phantom: 'body32',
    euclidIndication: 'pulmonary embolism',
  },
  {
    id: 'coronary-calcium',
    label: 'Coronary calcium scoring',
    phantom: 'body32',
    euclidIndication: 'coronary calcium scoring',
  },
  {
    id: 'coronary-cta',
    label: 'Coronary CT angiography',
    phantom: 'body32',
    euclidIndication: 'coronary CT angiography',
  },
  { id: 'chest-abdomen', label: 'Chest and abdomen', phantom: 'body32', euclidIndication: null },
  { id: 'abdomen', label: 'Abdomen', phantom: 'body32', euclidIndication: null },
  {
    id: 'abdomen-hcc',
    label: 'Liver, hepatocellular carcinoma',
    phantom: 'body32',
    euclidIndication: 'hepatocellular carcinoma',
  },
  { id: 'abdomen-pelvis', label: 'Abdomen and pelvis', phantom: 'body32', euclidIndication: null },
  {
    id: 'abdomen-pain',
    label: 'Abdomen, colic/abdominal pain',
    phantom: 'body32',
    euclidIndication: 'colic/abdominal pain',
  },
  {
    id: 'abdomen-appendicitis',
    label: 'Abdomen, appendicitis',
    phantom: 'body32',
    euclidIndication: 'appendicitis',
  },
  {
    id: 'chest-abdomen-pelvis',
    label: 'Chest, abdomen and pelvis',
    phantom: 'body32',
    euclidIndication: null,
  },
  {
    id: 'neck-chest-abdomen-pelvis',
    label: 'Neck, chest, abdomen and pelvis',
    phantom: 'body32',
    euclidIndication: null,
  },
  { id: 'kub', label: 'Kidneys, ureters, bladder', phantom: 'body32', euclidIndication: null },
  { id: 'urogram', label: 'CT urogram', phantom: 'body32', euclidIndication: null },
  { id: 'ct-colonography', label: 'CT colonography', phantom: 'body32', euclidIndication: null },
  { id: 'lumbar-spine', label: 'Lumbar spine', phantom: 'body32', euclidIndication: null },
];

/** Ids of {@link EXAM_VOCABULARY}. */
export const EXAM_IDS: ReadonlySet<string> = new Set(EXAM_VOCABULARY.map((e) => e.id));
