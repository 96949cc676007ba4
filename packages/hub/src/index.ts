export type { RequestAuth } from './access/request-auth.js';
export { type BuildHubOptions, buildHub, builtInAlgorithms, createHubContext } from './build-hub.js';
export { type Clock, systemClock } from './clock.js';
export { type HubConfig, type HubConfigInput, HubConfigSchema, loadHubConfig } from './config.js';
export type { AlgorithmRegistry, HubContext } from './core/context.js';
export { loadOrCreateHubSecret } from './core/hub-secret.js';
export { type RotatedKeys, rotateHubKeys } from './key-rotation.js';
export { type RotatedMasterKey, rotateMasterKey } from './master-key-rotation.js';
export { buildModelCard, renderModelCardHtml } from './modules/models/card.js';
export { buildOnnxValidationReport, renderOnnxReportHtml } from './modules/models/onnx-report.js';
export {
  type EphemeralAdmin,
  type InitialAdmin,
  initEphemeralHub,
  initHub,
  openHubDatabase,
  type RunningHub,
  startEphemeralHub,
  startHub,
} from './start.js';
export { HUB_VERSION } from './version.js';
