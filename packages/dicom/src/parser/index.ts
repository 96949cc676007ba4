export { type Dictionary, type DictionaryEntry, implicitVr, loadDictionary } from './dictionary.js';
export { DICOM_ERROR_CODES, type DicomErrorCode, DicomParseError } from './errors.js';
export { inferRawSyntax, readDicom, stringValue, syntaxOf, TS } from './read.js';
export {
  DEFAULT_READ_LIMITS,
  type DicomDataset,
  type DicomElement,
  type DicomFile,
  type DicomFragments,
  type DicomReadLimits,
  type DicomSyntax,
  formatTag,
  tagOf,
} from './types.js';
export { DicomWriteError, encodeDataset, encodeFile } from './write.js';
