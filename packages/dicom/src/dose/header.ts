import { num, seq, str } from './read-dicom.js';
import { firstCode } from './sr-tree.js';
import type { CodedConcept, DoseDevice, DosePatient } from './types.js';

/** Study-level attributes read from any dose object's header. */
export interface StudyHeader {
  sopClassUid: string | null;
  sopInstanceUid: string | null;
  studyInstanceUid: string | null;
  studyDate: string | null;
  accessionNumber: string | null;
  studyDescription: string | null;
  procedureCodes: CodedConcept[];
  patient: DosePatient;
  device: DoseDevice;
}

/** Read the study, patient and device attributes of a naturalized dataset. */
export function readStudyHeader(ds: Record<string, unknown>): StudyHeader {
  const procedureCodes: CodedConcept[] = [];
  for (const key of [
    'ProcedureCodeSequence',
    'PerformedProcedureCodeSequence',
    'RequestedProcedureCodeSequence',
  ]) {
    for (const item of seq(ds, key)) {
      const c = firstCode({ X: [item] }, 'X');
      if (c && !procedureCodes.some((p) => p.scheme === c.scheme && p.value === c.value))
        procedureCodes.push(c);
    }
  }
  const studyDate = str(ds, 'StudyDate');
  return {
    sopClassUid: str(ds, 'SOPClassUID'),
    sopInstanceUid: str(ds, 'SOPInstanceUID'),
    studyInstanceUid: str(ds, 'StudyInstanceUID'),
    studyDate,
    accessionNumber: str(ds, 'AccessionNumber'),
    studyDescription: str(ds, 'StudyDescription'),
    procedureCodes,
    patient: {
      sex: parseSex(str(ds, 'PatientSex')),
      ageYears: parseAge(str(ds, 'PatientAge')) ?? ageFromDates(str(ds, 'PatientBirthDate'), studyDate),
      weightKg: positive(num(ds, 'PatientWeight')),
      sizeM: positive(num(ds, 'PatientSize')),
    },
    device: {
      manufacturer: str(ds, 'Manufacturer'),
      model: str(ds, 'ManufacturerModelName'),
      stationName: str(ds, 'StationName'),
      serialNumber: str(ds, 'DeviceSerialNumber'),
    },
  };
}

function positive(x: number | null): number | null {
  return x !== null && x > 0 ? x : null;
}

function parseSex(s: string | null): DosePatient['sex'] {
  const u = s?.toUpperCase();
  return u === 'F' || u === 'M' || u === 'O' ? u : null;
}

/**
 * Patient's Age (AS, e.g. `060Y`, `018M`, `003W`, `010D`) in years (fractional below one year); null when
 * absent or malformed.
 */
export function parseAge(s: string | null): number | null {
  if (!s) return null;
  const m = /^(\d{1,3})\s*([DWMY])$/i.exec(s.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const perYear = { D: 365.25, W: 365.25 / 7, M: 12, Y: 1 }[
    (m[2] as string).toUpperCase() as 'D' | 'W' | 'M' | 'Y'
  ];
  return n / perYear;
}

/** Completed years between a birth date and a study date (both YYYYMMDD); null when either is missing. */
export function ageFromDates(birth: string | null, study: string | null): number | null {
  if (!birth || !study || !/^\d{8}$/.test(birth) || !/^\d{8}$/.test(study)) return null;
  const y = Number(study.slice(0, 4)) - Number(birth.slice(0, 4));
  const beforeBirthday = study.slice(4) < birth.slice(4);
  const age = beforeBirthday ? y - 1 : y;
  return age >= 0 ? age : null;
}
