/** The node's DICOM store seen by algorithms that read images (radiomics-extract): series and their files. */
import type { ImagingSource } from '@fedhub/algorithms';
import type { DicomStore } from './dicom-store/dicom-store.js';

/** Read-only imaging view of a DICOM store (de-identified instances only; never the quarantine). */
export function imagingFromDicomStore(
  store: Pick<DicomStore, 'series' | 'find' | 'read'>,
  opts: { structureNames?: Readonly<Record<string, string>> } = {},
): ImagingSource {
  return {
    ...(opts.structureNames ? { structureNames: opts.structureNames } : {}),
    series: async () =>
      store.series().map((s) => ({
        patientPseudonym: s.patientPseudonym,
        studyInstanceUid: s.studyInstanceUid,
        seriesInstanceUid: s.seriesInstanceUid,
        modality: s.modality,
        seriesDescription: s.seriesDescription,
      })),
    files: async (seriesInstanceUid) =>
      Promise.all(
        store.find({ seriesInstanceUid }).map(async (i) => {
          const b = await store.read(i);
          return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
        }),
      ),
  };
}
