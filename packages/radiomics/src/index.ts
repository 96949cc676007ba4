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
export { RadiomicsError, RadiomicsErrorCode } from './errors.js';
export { ibsiCode, ibsiCodes } from './ibsi-codes.js';
export type { NiftiHeader, NiftiImage } from './nifti.js';
export { readNifti } from './nifti.js';
export { alignedGrid, Interpolation, resample } from './resample.js';
export type { Mask, Volume } from './volume.js';
export { toMask } from './volume.js';
