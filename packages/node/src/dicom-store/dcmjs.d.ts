/** The part of dcmjs 0.50.3 the store's header reader uses (the package ships no types). */
declare module 'dcmjs' {
  /** One raw DICOM element as dcmjs reads it. */
  export interface DcmjsElement {
    vr: string;
    Value?: unknown[];
  }
  /** A raw dataset keyed by 8-hex-digit tag (upper case), e.g. "00080060". */
  export type DcmjsDict = Record<string, DcmjsElement>;
  interface DicomMessageStatic {
    readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): { meta: DcmjsDict; dict: DcmjsDict };
  }
  const dcmjs: { data: { DicomMessage: DicomMessageStatic } };
  export default dcmjs;
}
