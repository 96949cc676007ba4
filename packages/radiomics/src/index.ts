export type { Feature, FeatureResult } from './compute.js';
export { computeFeatures, settingsHash } from './compute.js';
export type { Discretisation, RadiomicsConfig } from './config.js';
export {
  ibsiConfigA,
  ibsiConfigB,
  ibsiConfigC,
  ibsiConfigD,
  ibsiConfigE,
  ibsiDigitalPhantom,
  validateConfig,
} from './config.js';
export type { ImageSeries, PatientGrid, Vec3 } from './dicom/ct-series.js';
export { readImageSeries } from './dicom/ct-series.js';
export type { DicomRoi, DicomRoiOptions } from './dicom/load.js';
export { readDicomRoi } from './dicom/load.js';
export type { DicomDataset } from './dicom/parse.js';
export { parseDicom } from './dicom/parse.js';
export type { RasteriseOptions, RtContour, RtRoi, RtStructureSet } from './dicom/rtstruct.js';
export { findRoi, isRtStruct, rasteriseRoi, readRtStruct } from './dicom/rtstruct.js';
export type { ReadSegOptions, SegSegment, WriteSegOptions } from './dicom/seg.js';
export { isSeg, readSeg, segSegments, writeSeg } from './dicom/seg.js';
export type { SyntheticPatient, SyntheticPatientOptions } from './dicom/synthetic.js';
export { syntheticCtPatient } from './dicom/synthetic.js';
export type { RoiToWrite, SeriesIdentity } from './dicom/write.js';
export { encodeDicom, newSeriesIdentity, newUid, writeImageSeries, writeRtStruct } from './dicom/write.js';
export { RadiomicsError, RadiomicsErrorCode } from './errors.js';
export { ibsiAggregationCodes, ibsiCode, ibsiCodes, ibsiFamilyCodes } from './ibsi-codes.js';
export type { NiftiHeader, NiftiImage } from './nifti.js';
export { readNifti } from './nifti.js';
export { alignedGrid, Interpolation, resample } from './resample.js';
export type { Mask, Volume } from './volume.js';
export { toMask } from './volume.js';
