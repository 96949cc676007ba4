export * from './dicom/geometry.js';
export * from './dicom/load.js';
export * from './dicom/parse.js';
export * from './dicom/rtdose.js';
export * from './dicom/rtplan.js';
export * from './dicom/rtstruct.js';
export * from './dicom/write.js';
