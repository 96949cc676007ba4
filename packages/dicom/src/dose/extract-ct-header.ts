import { earliest, phantomOf, sumDlp } from './extract-sr.js';
import { readStudyHeader } from './header.js';
import { num, type ParsedDicom, str } from './read-dicom.js';
import { firstCode } from './sr-tree.js';
import type { CtdiPhantom, DoseReport, IrradiationEvent, Provenance } from './types.js';
import { roundNoise } from './units.js';

/** Dose-relevant header values of one CT image. */
export interface CtImageDose {
  file: string | null;
  sopInstanceUid: string | null;
  seriesInstanceUid: string | null;
  acquisitionNumber: number | null;
  /** CTDIvol (0018,9345) in mGy. */
  ctdivolMGy: number | null;
  phantom: CtdiPhantom | null;
  acquisitionType: string | null;
  seriesDescription: string | null;
  protocolName: string | null;
  /** Water Equivalent Diameter (0018,1271) in mm. */
  waterEquivalentDiameterMm: number | null;
  acquisitionDateTime: string | null;
  parsed: ParsedDicom;
}

/** Read the dose header values of a CT image. */
export function readCtImageDose(p: ParsedDicom, file: string | null): CtImageDose {
  const date = str(p.ds, 'AcquisitionDate');
  const time = str(p.ds, 'AcquisitionTime');
  return {
    file,
    sopInstanceUid: str(p.ds, 'SOPInstanceUID'),
    seriesInstanceUid: str(p.ds, 'SeriesInstanceUID'),
    acquisitionNumber: num(p.ds, 'AcquisitionNumber'),
    ctdivolMGy: num(p.ds, 'CTDIvol'),
    phantom: phantomOf(firstCode(p.ds, 'CTDIPhantomTypeCodeSequence')),
    acquisitionType: str(p.ds, 'AcquisitionType'),
    seriesDescription: str(p.ds, 'SeriesDescription'),
    protocolName: str(p.ds, 'ProtocolName'),
    waterEquivalentDiameterMm: num(p.ds, 'WaterEquivalentDiameter'),
    acquisitionDateTime: str(p.ds, 'AcquisitionDateTime') ?? (date ? `${date}${time ?? ''}` : null),
    parsed: p,
  };
}

/**
 * Build one report per study from CT image headers when no dose report exists. Images are grouped per series
 * and acquisition number; each group is one event whose CTDIvol is the mean of the images' CTDIvol (0018,9345)
 * (with tube-current modulation the per-image values vary; the series mean is what scanners display). Image
 * headers carry no DLP, so events have DLP null and the report says so in a warning.
 */
export function reportsFromCtImages(images: readonly CtImageDose[]): DoseReport[] {
  const byStudy = new Map<string, CtImageDose[]>();
  for (const img of images) {
    const key = readStudyHeader(img.parsed.ds).studyInstanceUid ?? '(no study uid)';
    byStudy.set(key, [...(byStudy.get(key) ?? []), img]);
  }
  return [...byStudy.values()].map((imgs) => studyFromImages(imgs));
}

function studyFromImages(imgs: CtImageDose[]): DoseReport {
  const first = imgs[0] as CtImageDose;
  const h = readStudyHeader(first.parsed.ds);
  const groups = new Map<string, CtImageDose[]>();
  for (const img of imgs) {
    const key = `${img.seriesInstanceUid ?? '?'}#${img.acquisitionNumber ?? '?'}`;
    groups.set(key, [...(groups.get(key) ?? []), img]);
  }
  const warnings: string[] = ['CT image headers carry no DLP: events have CTDIvol only'];
  const events: IrradiationEvent[] = [];
  for (const g of groups.values()) {
    const withCtdi = g.filter((i) => i.ctdivolMGy !== null);
    const rep = (withCtdi[0] ?? g[0]) as CtImageDose;
    const prov = (path: string): Provenance => ({
      source: 'ct-header',
      file: rep.file,
      sopInstanceUid: rep.sopInstanceUid,
      path,
    });
    const mean = withCtdi.length
      ? roundNoise(withCtdi.reduce((s, i) => s + (i.ctdivolMGy as number), 0) / withCtdi.length)
      : null;
    const phantoms = new Set(withCtdi.map((i) => i.phantom));
    if (phantoms.size > 1)
      warnings.push(`series ${rep.seriesInstanceUid} mixes CTDI phantoms; phantom left unknown`);
    const ev: IrradiationEvent = {
      uid: null,
      acquisitionType: null,
      acquisitionTypeText: rep.acquisitionType,
      ctdivolMGy: mean,
      dlpMGyCm: null,
      phantom: phantoms.size === 1 ? rep.phantom : null,
      targetRegion: null,
      protocol: rep.seriesDescription ?? rep.protocolName,
      scanningLengthMm: null,
      ssdeMGy: null,
      waterEquivalentDiameterMm: rep.waterEquivalentDiameterMm,
      startDateTime: rep.acquisitionDateTime,
      seriesInstanceUid: rep.seriesInstanceUid,
      provenance: {},
    };
    if (mean !== null) ev.provenance.ctdivolMGy = prov(`(0018,9345) mean over ${withCtdi.length} image(s)`);
    if (ev.phantom) ev.provenance.phantom = prov('(0018,9346)');
    if (ev.acquisitionTypeText) ev.provenance.acquisitionType = prov('(0018,9302)');
    if (ev.protocol) ev.provenance.protocol = prov(rep.seriesDescription ? '(0008,103E)' : '(0018,1030)');
    if (ev.waterEquivalentDiameterMm !== null) ev.provenance.waterEquivalentDiameterMm = prov('(0018,1271)');
    if (ev.startDateTime) ev.provenance.startDateTime = prov('(0008,0022)/(0008,0032)');
    if (mean === null)
      warnings.push(`series ${rep.seriesInstanceUid} has no CTDIvol (0018,9345) in its headers`);
    events.push(ev);
  }
  return {
    source: 'ct-header',
    files: imgs.flatMap((i) => (i.file ? [i.file] : [])),
    sopInstanceUids: imgs.flatMap((i) => (i.sopInstanceUid ? [i.sopInstanceUid] : [])),
    sopClassUid: h.sopClassUid,
    studyInstanceUid: h.studyInstanceUid,
    studyDate: h.studyDate,
    accessionNumber: h.accessionNumber,
    studyDescription: h.studyDescription,
    procedureCodes: h.procedureCodes,
    patient: h.patient,
    device: h.device,
    irradiationStartDateTime: earliest(events.map((e) => e.startDateTime)),
    events,
    totals: {
      declaredDlpMGyCm: null,
      declaredEventCount: null,
      eventDlpSumMGyCm: sumDlp(events),
      provenance: {},
    },
    headerProvenance: {
      source: 'ct-header',
      file: first.file,
      sopInstanceUid: first.sopInstanceUid,
      path: 'header',
    },
    warnings: [...new Set(warnings)],
  };
}
