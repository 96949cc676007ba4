/**
 * DICOM intake at the node: the de-identified store and its index, the C-STORE listener, DICOMweb pull and
 * folder import. Every path ends in `DicomStore.ingest`, which de-identifies before anything is written.
 */
export * from './cstore-listener.js';
export * from './dicom-config.js';
export * from './dicom-store.js';
export * from './dicomweb-pull.js';
export * from './folder-import.js';
export { boundaryOf, type MultipartPart, readMultipart } from './multipart-related.js';
export { part10File } from './part10.js';
export * from './storage-classes.js';
export * from './store-index.js';
