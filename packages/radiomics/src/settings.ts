/**
 * Settings and errors on their own (`@fedhub/radiomics/settings`): what an algorithm registry needs to
 * validate radiomics parameters, without loading the DICOM reader (dcmjs) and the feature code until
 * features are computed.
 */
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
