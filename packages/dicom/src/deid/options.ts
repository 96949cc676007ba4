import type { OptionColumn } from './annex-e-types.js';

/**
 * De-identification options (PS3.15 E.3). Everything false = Basic Application Level Confidentiality Profile.
 * `retainLongitudinal` chooses between the Full Dates and the Modified Dates (date shift) option.
 */
export interface DeidOptions {
  readonly retainLongitudinal: 'none' | 'full' | 'modified';
  readonly retainPatientCharacteristics: boolean;
  readonly retainDeviceIdentity: boolean;
  readonly retainInstitutionIdentity: boolean;
  readonly retainUids: boolean;
  readonly retainSafePrivate: boolean;
  readonly cleanDescriptors: boolean;
  readonly cleanStructuredContent: boolean;
  readonly cleanGraphics: boolean;
  /**
   * Clean Descriptors for RT objects only (RT Structure Set, Plan, Ion Plan, Dose, Treatment Records): ROI
   * Names, ROI Observation Labels, plan and beam labels are cleaned of identifying text instead of being
   * emptied, so that structures can still be found by name ("GTV"). Other objects follow `cleanDescriptors`.
   * The node's intake turns it on by default.
   */
  readonly cleanRtDescriptors?: boolean;
  /** Safety: de-identify files with Burned In Annotation = YES instead of quarantining them. */
  readonly allowBurnedInAnnotation: boolean;
  /** Safety: SOP Class UIDs that are de-identified even though they are quarantined by default. */
  readonly allowSopClasses: readonly string[];
}

/** The Basic Profile with no option and the default safety rules. */
export const BASIC_PROFILE: DeidOptions = {
  retainLongitudinal: 'none',
  retainPatientCharacteristics: false,
  retainDeviceIdentity: false,
  retainInstitutionIdentity: false,
  retainUids: false,
  retainSafePrivate: false,
  cleanDescriptors: false,
  cleanStructuredContent: false,
  cleanGraphics: false,
  allowBurnedInAnnotation: false,
  allowSopClasses: [],
};

/**
 * Profile suited to radiation dose monitoring: shifted dates (intervals kept), patient characteristics
 * (age, sex, size, weight drive dose estimates), device identity, cleaned descriptors and structured content.
 */
export const DOSE_MONITORING_PROFILE: DeidOptions = {
  ...BASIC_PROFILE,
  retainLongitudinal: 'modified',
  retainPatientCharacteristics: true,
  retainDeviceIdentity: true,
  cleanDescriptors: true,
  cleanStructuredContent: true,
};

/** RT SOP classes whose descriptors `cleanRtDescriptors` cleans instead of removing (PS3.4 B.5). */
export const RT_SOP_CLASSES: ReadonlySet<string> = new Set([
  '1.2.840.10008.5.1.4.1.1.481.1', // RT Image
  '1.2.840.10008.5.1.4.1.1.481.2', // RT Dose
  '1.2.840.10008.5.1.4.1.1.481.3', // RT Structure Set
  '1.2.840.10008.5.1.4.1.1.481.4', // RT Beams Treatment Record
  '1.2.840.10008.5.1.4.1.1.481.5', // RT Plan
  '1.2.840.10008.5.1.4.1.1.481.6', // RT Brachy Treatment Record
  '1.2.840.10008.5.1.4.1.1.481.7', // RT Treatment Summary Record
  '1.2.840.10008.5.1.4.1.1.481.8', // RT Ion Plan
  '1.2.840.10008.5.1.4.1.1.481.9', // RT Ion Beams Treatment Record
]);

/** The options that apply to a file of `sopClassUid`: Clean Descriptors added for RT objects when asked. */
export function optionsForSopClass(o: DeidOptions, sopClassUid: string): DeidOptions {
  return o.cleanRtDescriptors && !o.cleanDescriptors && RT_SOP_CLASSES.has(sopClassUid)
    ? { ...o, cleanDescriptors: true }
    : o;
}

/** Options in the order their table columns are applied; later columns override earlier ones (dates last). */
export function appliedColumns(o: DeidOptions): OptionColumn[] {
  const cols: OptionColumn[] = [];
  if (o.retainSafePrivate) cols.push('rtnSafePrivOpt');
  if (o.retainDeviceIdentity) cols.push('rtnDevIdOpt');
  if (o.retainInstitutionIdentity) cols.push('rtnInstIdOpt');
  if (o.retainPatientCharacteristics) cols.push('rtnPatCharsOpt');
  if (o.cleanDescriptors) cols.push('cleanDescOpt');
  if (o.cleanStructuredContent) cols.push('cleanStructContOpt');
  if (o.cleanGraphics) cols.push('cleanGraphOpt');
  if (o.retainUids) cols.push('rtnUIDsOpt');
  if (o.retainLongitudinal === 'full') cols.push('rtnLongFullDatesOpt');
  if (o.retainLongitudinal === 'modified') cols.push('rtnLongModifDatesOpt');
  return cols;
}

/** A code of CID 7050 (De-identification Method), scheme DCM. */
export interface MethodCode {
  readonly value: string;
  readonly meaning: string;
}

/** CID 7050 codes for the profile and each option that was applied (PS3.16). */
export function methodCodes(o: DeidOptions): MethodCode[] {
  const codes: MethodCode[] = [{ value: '113100', meaning: 'Basic Application Confidentiality Profile' }];
  if (o.cleanGraphics) codes.push({ value: '113103', meaning: 'Clean Graphics Option' });
  if (o.cleanStructuredContent) codes.push({ value: '113104', meaning: 'Clean Structured Content Option' });
  if (o.cleanDescriptors) codes.push({ value: '113105', meaning: 'Clean Descriptors Option' });
  if (o.retainLongitudinal === 'full') {
    codes.push({ value: '113106', meaning: 'Retain Longitudinal Temporal Information Full Dates Option' });
  }
  if (o.retainLongitudinal === 'modified') {
    codes.push({
      value: '113107',
      meaning: 'Retain Longitudinal Temporal Information Modified Dates Option',
    });
  }
  if (o.retainPatientCharacteristics)
    codes.push({ value: '113108', meaning: 'Retain Patient Characteristics Option' });
  if (o.retainDeviceIdentity) codes.push({ value: '113109', meaning: 'Retain Device Identity Option' });
  if (o.retainUids) codes.push({ value: '113110', meaning: 'Retain UIDs Option' });
  if (o.retainSafePrivate) codes.push({ value: '113111', meaning: 'Retain Safe Private Option' });
  if (o.retainInstitutionIdentity)
    codes.push({ value: '113112', meaning: 'Retain Institution Identity Option' });
  return codes;
}

/** Option names of the de-identification options (`fedhub dicom deidentify --options`, node config). */
export const DEID_OPTION_NAMES = {
  'retain-long-full-dates': (o: DeidOptions): DeidOptions => ({ ...o, retainLongitudinal: 'full' }),
  'retain-long-modified-dates': (o: DeidOptions): DeidOptions => ({ ...o, retainLongitudinal: 'modified' }),
  'retain-patient-chars': (o: DeidOptions): DeidOptions => ({ ...o, retainPatientCharacteristics: true }),
  'retain-device-id': (o: DeidOptions): DeidOptions => ({ ...o, retainDeviceIdentity: true }),
  'retain-institution-id': (o: DeidOptions): DeidOptions => ({ ...o, retainInstitutionIdentity: true }),
  'retain-uids': (o: DeidOptions): DeidOptions => ({ ...o, retainUids: true }),
  'retain-safe-private': (o: DeidOptions): DeidOptions => ({ ...o, retainSafePrivate: true }),
  'clean-descriptors': (o: DeidOptions): DeidOptions => ({ ...o, cleanDescriptors: true }),
  'clean-rt-descriptors': (o: DeidOptions): DeidOptions => ({ ...o, cleanRtDescriptors: true }),
  'clean-structured-content': (o: DeidOptions): DeidOptions => ({ ...o, cleanStructuredContent: true }),
  'clean-graphics': (o: DeidOptions): DeidOptions => ({ ...o, cleanGraphics: true }),
} as const;

/** One of the de-identification option names. */
export type DeidOptionName = keyof typeof DEID_OPTION_NAMES;
