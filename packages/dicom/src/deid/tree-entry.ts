/**
 * `@fedhub/dicom/deid-tree`: what a caller needs to de-identify files and folders in a worker pool (options,
 * project keys, the re-identification map, the pool, `deidentifyTree` and `deidentifyFile`), without loading
 * the engine in its own thread: the parser, writer and tables load in the pool's workers, or on first use
 * when a run has no pool. `fedhub dicom deidentify` starts about 40 ms of CPU sooner than with
 * `@fedhub/dicom/deid`, which exports the engine too.
 */
export {
  type DeidSetup,
  deidentifyFile,
  deidentifyTree,
  ioReason,
  type TreeLayout,
  type TreeOptions,
  type TreeProgress,
  type TreeResult,
  treeOutputPath,
} from './deidentify-file.js';
export * from './errors.js';
export * from './keys.js';
export * from './options.js';
export * from './pool.js';
export * from './reid-map.js';
