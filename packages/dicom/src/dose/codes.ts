import type { CodedConcept } from './types.js';

/** A concept identified by coding scheme designator and code value (never by meaning text). */
export interface ConceptKey {
  scheme: string;
  value: string;
}

/**
 * Concepts of TID 10011 / 10012 / 10013 used by the extractor. SNOMED concepts list both the legacy SRT code
 * and the SCT code so that reports written after the 2019 SNOMED migration match as well.
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

/** Coding scheme designators that denote the same SNOMED code system. */
const SNOMED_SCHEMES = new Set(['SRT', 'SCT', 'SNM3', '99SDM']);

/** Normalise a scheme designator so that SNOMED aliases compare equal. */
function schemeKey(scheme: string): string {
  const s = scheme.trim().toUpperCase();
  return SNOMED_SCHEMES.has(s) ? 'SNOMED' : s;
}

/** True when `code` is one of `keys` (scheme aliases honoured, code value compared exactly after trim). */
export function codeMatches(code: ConceptKey | null | undefined, keys: readonly ConceptKey[]): boolean {
  if (!code) return false;
  const s = schemeKey(code.scheme);
  const v = code.value.trim();
  return keys.some((k) => schemeKey(k.scheme) === s && k.value === v);
}

/** `SCHEME:VALUE` rendering of a code, as used in reference tables and rules. */
export function codeString(code: CodedConcept | ConceptKey): string {
  return `${code.scheme}:${code.value}`;
}
