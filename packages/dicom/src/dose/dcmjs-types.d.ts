/**
 * Minimal declaration of the parts of dcmjs 0.50.3 that the dose module uses (the package ships no types).
 * Kept deliberately narrow: a raw element is `{ vr, Value }`, a raw dataset maps "GGGGEEEE" tags to elements.
 */
declare module 'dcmjs' {
  /** One raw DICOM element as dcmjs reads it. */
  export interface DcmjsElement {
    vr: string;
    Value?: unknown[];
  }
  /** A raw dataset keyed by 8-hex-digit tag (upper case), e.g. "0040030E". */
  export type DcmjsDict = Record<string, DcmjsElement>;
  /** The result of `DicomMessage.readFile`. */
  export interface DcmjsDicomData {
    meta: DcmjsDict;
    dict: DcmjsDict;
  }
  interface DicomMessageStatic {
    readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DcmjsDicomData;
  }
  interface DicomMetaDictionaryStatic {
    naturalizeDataset(dict: DcmjsDict): Record<string, unknown>;
  }
  const dcmjs: {
    data: {
      DicomMessage: DicomMessageStatic;
      DicomMetaDictionary: DicomMetaDictionaryStatic;
    };
  };
  export default dcmjs;
}
