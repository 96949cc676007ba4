import { codeMatches, DOSE_CONCEPTS } from './codes.js';
import { readStudyHeader } from './header.js';
import { declaresUtf8, type ParsedDicom, repairUtf8 } from './read-dicom.js';
import {
  child,
  children as childrenOf,
  codeOf,
  findAll,
  numericOf,
  rootNode,
  type SrNode,
  textOf,
} from './sr-tree.js';
import type { CtdiPhantom, DoseReport, DoseSource, IrradiationEvent, Provenance } from './types.js';
import { type DoseUnitKind, roundNoise, toCanonical } from './units.js';

/** SOP Class UID of the X-Ray Radiation Dose SR. */
export const RDSR_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.88.67';
/** SOP Class UID of the Enhanced SR (used by older GE scanners for TID 10011). */
export const ESR_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.88.22';

/**
 * Extract a {@link DoseReport} from a CT Radiation Dose SR (TID 10011) held in an RDSR or Enhanced SR.
 * Every CT Acquisition container (DCM 113819) anywhere in the tree becomes an event.
 */
export function extractFromSr(p: ParsedDicom, file: string | null, source: DoseSource): DoseReport {
  const h = readStudyHeader(p.ds);
  const root = rootNode(p.ds);
  const warnings: string[] = [];
  const utf8 = declaresUtf8(p.ds);
  const text = (node: SrNode): string | null => {
    const t = textOf(node);
    return t !== null && utf8 ? repairUtf8(t) : t;
  };
  const prov = (node: SrNode): Provenance => ({
    source,
    file,
    sopInstanceUid: h.sopInstanceUid,
    path: node.path,
  });

  const readNum = (
    parent: SrNode | null,
    keys: (typeof DOSE_CONCEPTS)[keyof typeof DOSE_CONCEPTS],
    kind: DoseUnitKind | null,
  ) => {
    const node = parent ? child(parent, keys) : null;
    if (!node) return null;
    const n = numericOf(node);
    if (n.malformed) {
      warnings.push(`malformed numeric value skipped at ${node.path}`);
      return null;
    }
    if (n.value === null) return null;
    if (kind === null) return { value: n.value, node };
    const v = toCanonical(kind, n.value, n.unit);
    if (v === null) {
      warnings.push(`unknown unit '${n.unit ?? ''}' for ${kind} at ${node.path}; value skipped`);
      return null;
    }
    return { value: v, node };
  };

  // Malformed numbers anywhere (also outside dose fields) are reported, never fatal.
  const events: IrradiationEvent[] = findAll(root, DOSE_CONCEPTS.ctAcquisition).map((acq) => {
    const ev: IrradiationEvent = {
      uid: null,
      acquisitionType: null,
      acquisitionTypeText: null,
      ctdivolMGy: null,
      dlpMGyCm: null,
      phantom: null,
      targetRegion: null,
      protocol: null,
      scanningLengthMm: null,
      ssdeMGy: null,
      waterEquivalentDiameterMm: null,
      startDateTime: null,
      seriesInstanceUid: null,
      provenance: {},
    };
    const uidNode = child(acq, DOSE_CONCEPTS.irradiationEventUid);
    if (uidNode && textOf(uidNode)) {
      ev.uid = textOf(uidNode);
      ev.provenance.uid = prov(uidNode);
    }
    const typeNode = child(acq, DOSE_CONCEPTS.acquisitionType);
    if (typeNode && codeOf(typeNode)) {
      ev.acquisitionType = codeOf(typeNode);
      ev.acquisitionTypeText = ev.acquisitionType?.meaning ?? null;
      ev.provenance.acquisitionType = prov(typeNode);
    }
    const regionNode = child(acq, DOSE_CONCEPTS.targetRegion);
    if (regionNode && codeOf(regionNode)) {
      ev.targetRegion = codeOf(regionNode);
      ev.provenance.targetRegion = prov(regionNode);
    }
    const protoNode = child(acq, DOSE_CONCEPTS.acquisitionProtocol);
    if (protoNode && text(protoNode)) {
      ev.protocol = text(protoNode);
      ev.provenance.protocol = prov(protoNode);
    }
    const startNode = child(acq, DOSE_CONCEPTS.startOfIrradiation);
    if (startNode && textOf(startNode)) {
      ev.startDateTime = textOf(startNode);
      ev.provenance.startDateTime = prov(startNode);
    }
    const params = child(acq, DOSE_CONCEPTS.ctAcquisitionParameters);
    const len = readNum(params, DOSE_CONCEPTS.scanningLength, 'mm');
    if (len) {
      ev.scanningLengthMm = len.value;
      ev.provenance.scanningLengthMm = prov(len.node);
    }
    const dose = child(acq, DOSE_CONCEPTS.ctDose);
    const ctdi = readNum(dose, DOSE_CONCEPTS.meanCtdivol, 'mGy');
    if (ctdi) {
      ev.ctdivolMGy = ctdi.value;
      ev.provenance.ctdivolMGy = prov(ctdi.node);
    }
    const dlp = readNum(dose, DOSE_CONCEPTS.dlp, 'mGy.cm');
    if (dlp) {
      ev.dlpMGyCm = dlp.value;
      ev.provenance.dlpMGyCm = prov(dlp.node);
    }
    const phantomNode = dose ? child(dose, DOSE_CONCEPTS.phantomType) : null;
    if (phantomNode) {
      ev.phantom = phantomOf(codeOf(phantomNode));
      if (ev.phantom) ev.provenance.phantom = prov(phantomNode);
      else warnings.push(`unrecognised CTDIw phantom type at ${phantomNode.path}`);
    }
    // SSDE and water-equivalent diameter (TID 10013 SSDE container) may sit anywhere below the event.
    const ssdeNode = findAll(acq, DOSE_CONCEPTS.ssde)[0];
    const ssde = ssdeNode ? numericOf(ssdeNode) : null;
    if (ssdeNode && ssde?.value !== null && ssde) {
      const v = toCanonical('mGy', ssde.value as number, ssde.unit);
      if (v !== null) {
        ev.ssdeMGy = v;
        ev.provenance.ssdeMGy = prov(ssdeNode);
      }
    }
    const wedNode = findAll(acq, DOSE_CONCEPTS.waterEquivalentDiameter)[0];
    const wed = wedNode ? numericOf(wedNode) : null;
    if (wedNode && wed?.value !== null && wed) {
      const v = toCanonical('mm', wed.value as number, wed.unit);
      if (v !== null) {
        ev.waterEquivalentDiameterMm = v;
        ev.provenance.waterEquivalentDiameterMm = prov(wedNode);
      }
    }
    return ev;
  });

  const acc = findAll(root, DOSE_CONCEPTS.ctAccumulatedDoseData)[0] ?? null;
  const total = readNum(acc, DOSE_CONCEPTS.dlpTotal, 'mGy.cm');
  const count = readNum(acc, DOSE_CONCEPTS.totalEvents, null);
  // Report malformed numbers elsewhere in the tree (e.g. Toshiba's "10.50/ 15.00") as warnings.
  collectMalformed(root, warnings);

  const observer = (keys: (typeof DOSE_CONCEPTS)[keyof typeof DOSE_CONCEPTS]): string | null => {
    const n = child(root, keys);
    return n ? text(n) : null;
  };
  const startNodeTop = child(root, DOSE_CONCEPTS.startOfIrradiation);
  const device = { ...h.device };
  device.manufacturer ??= observer(DOSE_CONCEPTS.deviceObserverManufacturer);
  device.model ??= observer(DOSE_CONCEPTS.deviceObserverModel);
  device.serialNumber ??= observer(DOSE_CONCEPTS.deviceObserverSerial);
  device.stationName ??= observer(DOSE_CONCEPTS.deviceObserverName);

  return {
    source,
    files: file ? [file] : [],
    sopInstanceUids: h.sopInstanceUid ? [h.sopInstanceUid] : [],
    sopClassUid: h.sopClassUid,
    studyInstanceUid: h.studyInstanceUid,
    studyDate: h.studyDate,
    accessionNumber: h.accessionNumber,
    studyDescription: h.studyDescription,
    procedureCodes: h.procedureCodes,
    patient: h.patient,
    device,
    irradiationStartDateTime: startNodeTop ? textOf(startNodeTop) : null,
    events,
    totals: {
      declaredDlpMGyCm: total?.value ?? null,
      declaredEventCount: count?.value ?? null,
      eventDlpSumMGyCm: sumDlp(events),
      provenance: {
        ...(total ? { declaredDlpMGyCm: prov(total.node) } : {}),
        ...(count ? { declaredEventCount: prov(count.node) } : {}),
      },
    },
    headerProvenance: { source: source, file, sopInstanceUid: h.sopInstanceUid, path: 'header' },
    warnings: [...new Set(warnings)],
  };
}

/** Map a CTDIw Phantom Type code to head (16 cm) or body (32 cm). */
export function phantomOf(code: { scheme: string; value: string } | null): CtdiPhantom | null {
  if (codeMatches(code, DOSE_CONCEPTS.headPhantom)) return 'head16';
  if (codeMatches(code, DOSE_CONCEPTS.bodyPhantom)) return 'body32';
  return null;
}

/** Earliest of DICOM DT strings (lexical order is chronological for DT), null when none. */
export function earliest(dts: readonly (string | null)[]): string | null {
  const v = dts.filter((d): d is string => d !== null && d !== '').sort();
  return v[0] ?? null;
}

/** Sum of event DLPs in mGy.cm, events without DLP skipped, float noise removed. */
export function sumDlp(events: readonly IrradiationEvent[]): number {
  let s = 0;
  for (const e of events) if (e.dlpMGyCm !== null) s += e.dlpMGyCm;
  return roundNoise(s);
}

function collectMalformed(node: SrNode, warnings: string[]): void {
  for (const c of findAllNodes(node)) {
    if (c.item.ValueType === 'NUM' && numericOf(c).malformed) {
      warnings.push(`malformed numeric value skipped at ${c.path}`);
    }
  }
}

function findAllNodes(node: SrNode): SrNode[] {
  const out: SrNode[] = [];
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop() as SrNode;
    for (const c of childrenOf(n)) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}
