/** Stable error codes thrown by the radiomics package. */
export const RadiomicsErrorCode = {
  niftiTruncated: 'FH_ERR_NIFTI_TRUNCATED',
  niftiBadHeader: 'FH_ERR_NIFTI_BAD_HEADER',
  niftiDatatype: 'FH_ERR_NIFTI_DATATYPE',
  badConfig: 'FH_ERR_RADIOMICS_CONFIG',
  shapeMismatch: 'FH_ERR_RADIOMICS_SHAPE_MISMATCH',
  emptyRoi: 'FH_ERR_RADIOMICS_EMPTY_ROI',
  dicomUnreadable: 'FH_ERR_DICOM_UNREADABLE',
  dicomSeries: 'FH_ERR_DICOM_SERIES',
  dicomGeometry: 'FH_ERR_DICOM_GEOMETRY',
  roiNotFound: 'FH_ERR_RADIOMICS_ROI_NOT_FOUND',
  contourPlane: 'FH_ERR_DICOM_CONTOUR_PLANE',
  segMismatch: 'FH_ERR_DICOM_SEG_MISMATCH',
} as const;

/** One of the stable radiomics error codes. */
export type RadiomicsErrorCode = (typeof RadiomicsErrorCode)[keyof typeof RadiomicsErrorCode];

/** Error thrown for bad input to the radiomics package; `code` is stable across versions. */
export class RadiomicsError extends Error {
  readonly code: RadiomicsErrorCode;
  constructor(code: RadiomicsErrorCode, message: string) {
    super(message);
    this.name = 'RadiomicsError';
    this.code = code;
  }
}
