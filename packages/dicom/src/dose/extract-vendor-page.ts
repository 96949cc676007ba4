import type { DcmjsDict } from 'dcmjs';
import { earliest, phantomOf, sumDlp } from './extract-sr.js';
import { readStudyHeader } from './header.js';
import { num, type ParsedDicom, privateText, seq, str, toNumber } from './read-dicom.js';
import { firstCode } from './sr-tree.js';
import type { DoseReport, IrradiationEvent, Provenance } from './types.js';
import { roundNoise } from './units.js';

/** Philips (Elscint heritage) private creator whose element 0x21 holds DLP in mGy.cm. */
const PHILIPS_CREATOR = 'ELSCINT1';
const PHILIPS_GROUP = 0x00e1;
const PHILIPS_DLP_ELEMENT = 0x21;

/** True when a non-SR object looks like a scanner "dose page" (secondary capture / DOSE_INFO image). */
export function isDosePage(ds: Record<string, unknown>): boolean {
  const imageType = Array.isArray(ds.ImageType) ? ds.ImageType.map(String) : [];
  const desc = `${str(ds, 'SeriesDescription') ?? ''} ${str(ds, 'ImageComments') ?? ''}`;
  return (
    imageType.some((t) => /DOSE/i.test(t)) ||
    seq(ds, 'ExposureDoseSequence').length > 0 ||
    (str(ds, 'SOPClassUID') === '1.2.840.10008.5.1.4.1.1.7' && /dose|patient protocol/i.test(desc))
  );
}

/**
 * Extract a dose report from a vendor dose page (e.g. Philips "Dose Info" secondary capture). Events come from
 * the Exposure Dose Sequence (0040,030E): CTDIvol (0018,9345) in mGy (FD, defined in mGy by the standard) and,
 * for Philips, DLP from private ELSCINT1 (00E1,xx21) in mGy.cm. When the page carries no usable header values
 * the report has no events and a warning saying that it holds burned-in text only (no OCR is attempted).
 */
export function extractFromDosePage(p: ParsedDicom, file: string | null): DoseReport {
  const h = readStudyHeader(p.ds);
  const warnings: string[] = [];
  const prov = (path: string): Provenance => ({
    source: 'vendor-dose-page',
    file,
    sopInstanceUid: h.sopInstanceUid,
    path,
  });
  const rawItems = p.raw['0040030E']?.Value ?? [];
  const events: IrradiationEvent[] = seq(p.ds, 'ExposureDoseSequence').map((item, i) => {
    const base = `(0040,030E)[${i + 1}]`;
    const ev: IrradiationEvent = {
      uid: null,
      acquisitionType: null,
      acquisitionTypeText: str(item, 'AcquisitionType'),
      ctdivolMGy: num(item, 'CTDIvol'),
      dlpMGyCm: null,
      phantom: phantomOf(firstCode(item, 'CTDIPhantomTypeCodeSequence')),
      targetRegion: null,
      protocol: str(item, 'SeriesDescription'),
      scanningLengthMm: num(item, 'ScanLength'),
      ssdeMGy: null,
      waterEquivalentDiameterMm: null,
      startDateTime: str(item, 'AcquisitionDateTime'),
      seriesInstanceUid: null,
      provenance: {},
    };
    if (ev.acquisitionTypeText) ev.provenance.acquisitionType = prov(`${base}/(0018,9302)`);
    if (ev.ctdivolMGy !== null) ev.provenance.ctdivolMGy = prov(`${base}/(0018,9345)`);
    if (ev.phantom) ev.provenance.phantom = prov(`${base}/(0018,9346)`);
    if (ev.protocol) ev.provenance.protocol = prov(`${base}/(0008,103E)`);
    if (ev.scanningLengthMm !== null) ev.provenance.scanningLengthMm = prov(`${base}/(0018,1302)`);
    if (ev.startDateTime) ev.provenance.startDateTime = prov(`${base}/(0018,9074)`);
    const rawItem = rawItems[i];
    if (rawItem && typeof rawItem === 'object') {
      const dlp = toNumber(
        privateText(rawItem as DcmjsDict, PHILIPS_GROUP, PHILIPS_CREATOR, PHILIPS_DLP_ELEMENT),
      );
      if (dlp !== null) {
        ev.dlpMGyCm = roundNoise(dlp);
        ev.provenance.dlpMGyCm = prov(`${base}/(00E1,xx21 ${PHILIPS_CREATOR})`);
      }
    }
    return ev;
  });
  const totalText = privateText(p.raw, PHILIPS_GROUP, PHILIPS_CREATOR, PHILIPS_DLP_ELEMENT);
  const declaredDlp = toNumber(totalText);
  const declaredCount = num(p.ds, 'TotalNumberOfExposures');
  const usable = events.some((e) => e.ctdivolMGy !== null || e.dlpMGyCm !== null);
  if (!usable) {
    warnings.push(
      'dose page holds burned-in text only: no Exposure Dose Sequence values in its header, nothing extracted',
    );
  }
  if (usable && events.some((e) => e.phantom === null)) {
    warnings.push('dose page states no CTDI phantom; phantom left unknown');
  }
  return {
    source: 'vendor-dose-page',
    files: file ? [file] : [],
    sopInstanceUids: h.sopInstanceUid ? [h.sopInstanceUid] : [],
    sopClassUid: h.sopClassUid,
    studyInstanceUid: h.studyInstanceUid,
    studyDate: h.studyDate,
    accessionNumber: h.accessionNumber,
    studyDescription: h.studyDescription,
    procedureCodes: h.procedureCodes,
    patient: h.patient,
    device: h.device,
    irradiationStartDateTime: earliest(events.map((e) => e.startDateTime)),
    events: usable ? events : [],
    totals: {
      declaredDlpMGyCm: declaredDlp,
      declaredEventCount: declaredCount,
      eventDlpSumMGyCm: sumDlp(usable ? events : []),
      provenance: {
        ...(declaredDlp !== null ? { declaredDlpMGyCm: prov(`(00E1,xx21 ${PHILIPS_CREATOR})`) } : {}),
        ...(declaredCount !== null ? { declaredEventCount: prov('(0040,0301)') } : {}),
      },
    },
    headerProvenance: { source: 'vendor-dose-page', file, sopInstanceUid: h.sopInstanceUid, path: 'header' },
    warnings,
  };
}
