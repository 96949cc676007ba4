import type { CodedConcept } from './types.js';

/** A concept identified by coding scheme designator and code value (never by meaning text). */
export interface ConceptKey {
  scheme: string;
  value: string;
}

/**
 * Concepts of TID 10011 / 10012 / 10013 used by the extractor (all DCM codes, so no SNOMED aliasing needed).
 */
export const DOSE_CONCEPTS = {
  ctAcquisition: [{ scheme: 'DCM', value: '113819' }],
  ctAccumulatedDoseData: [{ scheme: 'DCM', value: '113811' }],
  totalEvents: [{ scheme: 'DCM', value: '113812' }],
  dlpTotal: [{ scheme: 'DCM', value: '113813' }],
  irradiationEventUid: [{ scheme: 'DCM', value: '113769' }],
  acquisitionType: [{ scheme: 'DCM', value: '113820' }],
  acquisitionProtocol: [{ scheme: 'DCM', value: '125203' }],
  targetRegion: [{ scheme: 'DCM', value: '123014' }],
  ctAcquisitionParameters: [{ scheme: 'DCM', value: '113822' }],
  scanningLength: [{ scheme: 'DCM', value: '113825' }],
  ctDose: [{ scheme: 'DCM', value: '113829' }],
  meanCtdivol: [{ scheme: 'DCM', value: '113830' }],
  phantomType: [{ scheme: 'DCM', value: '113835' }],
  dlp: [{ scheme: 'DCM', value: '113838' }],
  ssde: [{ scheme: 'DCM', value: '113930' }],
  waterEquivalentDiameter: [
    { scheme: 'DCM', value: '113981' },
    { scheme: 'DCM', value: '113982' },
    { scheme: 'DCM', value: '113983' },
    { scheme: 'DCM', value: '113984' },
  ],
  startOfIrradiation: [{ scheme: 'DCM', value: '113809' }],
  deviceObserverManufacturer: [{ scheme: 'DCM', value: '121014' }],
  deviceObserverModel: [{ scheme: 'DCM', value: '121015' }],
  deviceObserverSerial: [{ scheme: 'DCM', value: '121016' }],
  deviceObserverName: [{ scheme: 'DCM', value: '121013' }],
  headPhantom: [{ scheme: 'DCM', value: '113690' }],
  bodyPhantom: [{ scheme: 'DCM', value: '113691' }],
} as const satisfies Record<string, readonly ConceptKey[]>;

/** Designators of legacy SNOMED RT / SNOMED 3 codes, which share code values such as `T-D3000`. */
const LEGACY_SNOMED_SCHEMES = new Set(['SRT', 'SNM3', '99SDM']);

/**
 * Equivalent SNOMED codes: legacy SRT code values and their SNOMED CT (SCT) concept ids, for the concepts the
 * dose module and the default exam rules use (from DICOM PS3.16 after the SNOMED CT migration, including
 * CP 1962 replacements). A report written with either form matches a rule written with the other.
 */
const SNOMED_EQUIVALENTS: readonly (readonly string[])[] = [
  ['SRT:P5-08001', 'SCT:116152004'], // Spiral Acquisition
  ['SRT:T-D3000', 'SCT:51185008', 'SCT:43799004', 'SCT:816094009'], // Chest
  ['SRT:T-D4000', 'SCT:113345001', 'SCT:818981001'], // Abdomen
  ['SRT:R-FAB57', 'SCT:416949008', 'SCT:818982008'], // Abdomen and Pelvis
  ['SRT:R-FAB55', 'SCT:416550000'], // Chest and Abdomen
  ['SRT:R-FAB56', 'SCT:416775004'], // Chest, Abdomen and Pelvis
  ['SRT:R-FAB54', 'SCT:416319003'], // Neck, Chest, Abdomen and Pelvis
  ['SRT:T-D1000', 'SCT:774007'], // Head and Neck
];

/** Canonical `SCHEME:VALUE` of a code: legacy SNOMED designators folded to SRT, equivalents to the SRT form. */
function canonicalKey(code: ConceptKey): string {
  const scheme = code.scheme.trim().toUpperCase();
  const key = `${LEGACY_SNOMED_SCHEMES.has(scheme) ? 'SRT' : scheme}:${code.value.trim()}`;
  const group = SNOMED_EQUIVALENTS.find((g) => g.includes(key));
  return group ? (group[0] as string) : key;
}

/**
 * True when `code` is one of `keys`, compared on (scheme designator, code value) — never on meaning text.
 * SRT/SNM3/99SDM are one scheme; SRT and SCT codes of the same concept match through the equivalence table.
 */
export function codeMatches(code: ConceptKey | null | undefined, keys: readonly ConceptKey[]): boolean {
  if (!code) return false;
  const k = canonicalKey(code);
  return keys.some((x) => canonicalKey(x) === k);
}

/** `SCHEME:VALUE` rendering of a code, as used in reference tables and rules. */
export function codeString(code: CodedConcept | ConceptKey): string {
  return `${code.scheme}:${code.value}`;
}
