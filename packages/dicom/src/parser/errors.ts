/** Stable error codes raised by the DICOM parser and writer. */
export const DICOM_ERROR_CODES = {
  notDicom: 'FH_ERR_DICOM_NOT_DICOM',
  executablePreamble: 'FH_ERR_DICOM_EXECUTABLE_PREAMBLE',
  truncated: 'FH_ERR_DICOM_TRUNCATED',
  badLength: 'FH_ERR_DICOM_BAD_LENGTH',
  badVr: 'FH_ERR_DICOM_BAD_VR',
  badItem: 'FH_ERR_DICOM_BAD_ITEM',
  tooDeep: 'FH_ERR_DICOM_TOO_DEEP',
  tagOrder: 'FH_ERR_DICOM_TAG_ORDER',
  deflateBomb: 'FH_ERR_DICOM_DEFLATE_BOMB',
  deflateCorrupt: 'FH_ERR_DICOM_DEFLATE_CORRUPT',
  badMeta: 'FH_ERR_DICOM_BAD_META',
  unsupportedSyntax: 'FH_ERR_DICOM_UNSUPPORTED_SYNTAX',
} as const;

/** One of the stable DICOM parser error codes. */
export type DicomErrorCode = (typeof DICOM_ERROR_CODES)[keyof typeof DICOM_ERROR_CODES];

/** A DICOM file could not be parsed; `code` is stable, `offset` is the byte offset where it went wrong. */
export class DicomParseError extends Error {
  override readonly name = 'DicomParseError';
  constructor(
    readonly code: DicomErrorCode,
    message: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
  }
}
