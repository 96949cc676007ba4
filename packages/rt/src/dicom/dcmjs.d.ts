/** The parts of dcmjs 0.50.3 used by @fedhub/rt (the package ships no types). Datasets are "naturalized": keyword -> value. */
declare module 'dcmjs' {
  export type DcmjsDict = Record<string, { vr: string; Value?: unknown[] }>;
  interface DicomDictInstance {
    dict: DcmjsDict;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomMessage: {
        readFile(
          buffer: ArrayBuffer,
          options?: Record<string, unknown>,
        ): { meta: DcmjsDict; dict: DcmjsDict };
      };
      DicomMetaDictionary: {
        naturalizeDataset(dict: DcmjsDict): Record<string, unknown>;
        denaturalizeDataset(ds: Record<string, unknown>): DcmjsDict;
      };
      DicomDict: new (meta: DcmjsDict) => DicomDictInstance;
    };
  };
  export default dcmjs;
}
