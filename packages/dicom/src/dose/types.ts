/** Where a dose report came from: an SR (RDSR or Enhanced SR), CT image headers or a vendor dose page. */
export type DoseSource = 'rdsr' | 'esr' | 'ct-header' | 'vendor-dose-page';

/** CTDI phantom: 16 cm head phantom or 32 cm body phantom (IEC 60601-2-44). */
export type CtdiPhantom = 'head16' | 'body32';

/** Provenance of one extracted value. */
export interface Provenance {
  source: DoseSource;
  /** File name (or caller-given label) the value was read from, when known. */
  file: string | null;
  /** SOP Instance UID of the object the value was read from. */
  sopInstanceUid: string | null;
  /**
   * Where inside the object: for SRs a content-tree path such as `/113819[2]/113829/113830`
   * (concept code values, 1-based index among siblings with the same concept), for headers a tag path
   * such as `(0040,030E)[2]/(0018,9345)`.
   */
  path: string;
}

/** A coded concept (scheme designator, code value, meaning). */
export interface CodedConcept {
  scheme: string;
  value: string;
  meaning: string;
}

/** One CT irradiation event (TID 10013 CT Acquisition, or one series/acquisition from headers). */
export interface IrradiationEvent {
  /** Irradiation Event UID (DCM 113769); null for header fallbacks that carry none. */
  uid: string | null;
  /** CT Acquisition Type (DCM 113820) code, or the raw (0018,9302) string for headers. */
  acquisitionType: CodedConcept | null;
  /** Raw acquisition type text when it was not coded (headers, vendor pages). */
  acquisitionTypeText: string | null;
  /** Mean CTDIvol (DCM 113830) in mGy. */
  ctdivolMGy: number | null;
  /** DLP (DCM 113838) in mGy.cm. */
  dlpMGyCm: number | null;
  /** CTDIw Phantom Type (DCM 113835) mapped to head (16 cm) or body (32 cm). */
  phantom: CtdiPhantom | null;
  /** Target Region (DCM 123014) code, null when absent or empty. */
  targetRegion: CodedConcept | null;
  /** Acquisition Protocol (DCM 125203) text, or the series description for headers. */
  protocol: string | null;
  /** Scanning Length (DCM 113825) in mm. */
  scanningLengthMm: number | null;
  /** Size Specific Dose Estimation (DCM 113930) in mGy. */
  ssdeMGy: number | null;
  /** Water equivalent diameter (DCM 113981-113984, or (0018,1271)) in mm. */
  waterEquivalentDiameterMm: number | null;
  /** Start of X-Ray Irradiation (DCM 113809) of the event, DICOM DT string. */
  startDateTime: string | null;
  /** Series Instance UID for header fallbacks, else null. */
  seriesInstanceUid: string | null;
  /** Provenance per field that holds a value. */
  provenance: Partial<Record<EventField, Provenance>>;
}

/** Fields of an {@link IrradiationEvent} that carry provenance. */
export type EventField =
  | 'uid'
  | 'acquisitionType'
  | 'ctdivolMGy'
  | 'dlpMGyCm'
  | 'phantom'
  | 'targetRegion'
  | 'protocol'
  | 'scanningLengthMm'
  | 'ssdeMGy'
  | 'waterEquivalentDiameterMm'
  | 'startDateTime';

/** Patient attributes present in the header (all optional). */
export interface DosePatient {
  sex: 'F' | 'M' | 'O' | null;
  /** Age in years, from Patient's Age (0010,1010) or birth date and study date. */
  ageYears: number | null;
  /** Patient's Weight (0010,1030) in kg. */
  weightKg: number | null;
  /** Patient's Size (0010,1020) in m. */
  sizeM: number | null;
}

/** Device that produced the exposures. */
export interface DoseDevice {
  manufacturer: string | null;
  model: string | null;
  stationName: string | null;
  serialNumber: string | null;
}

/** Accumulated totals (CT Accumulated Dose Data, DCM 113811) as declared by the report. */
export interface DoseTotals {
  /** CT Dose Length Product Total (DCM 113813) in mGy.cm, as declared; null when not declared. */
  declaredDlpMGyCm: number | null;
  /** Total Number of Irradiation Events (DCM 113812), as declared. */
  declaredEventCount: number | null;
  /** Sum of the events' DLP in mGy.cm (events without DLP skipped), rounded to 1e-6 to drop float noise. */
  eventDlpSumMGyCm: number;
  /** Provenance of the declared values. */
  provenance: Partial<Record<'declaredDlpMGyCm' | 'declaredEventCount', Provenance>>;
}

/** A CT dose report of one study, extracted from one or more objects. */
export interface DoseReport {
  source: DoseSource;
  /** Files (or labels) that contributed, in the order they were merged. */
  files: string[];
  /** SOP Instance UIDs that contributed. */
  sopInstanceUids: string[];
  sopClassUid: string | null;
  studyInstanceUid: string | null;
  /** Study Date (0008,0020), YYYYMMDD. */
  studyDate: string | null;
  accessionNumber: string | null;
  studyDescription: string | null;
  /** Requested/performed procedure codes (0008,1032)/(0040,0260) as coded concepts. */
  procedureCodes: CodedConcept[];
  patient: DosePatient;
  device: DoseDevice;
  /** Start of X-Ray Irradiation (DCM 113809) of the report, or the earliest acquisition time; DICOM DT. */
  irradiationStartDateTime: string | null;
  events: IrradiationEvent[];
  totals: DoseTotals;
  /** Object whose header gave the study, patient and device attributes (path `header`). */
  headerProvenance: Provenance | null;
  /** Non-fatal findings (malformed numbers skipped, unknown units, burned-in-only pages...). */
  warnings: string[];
}
