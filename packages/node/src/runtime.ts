/**
 * The node agent, its configuration and its governance stores on their own (`@fedhub/node/runtime`): what a
 * command that runs nodes needs (`fedhub simulate`, `fedhub node ...`), without the DICOM store and dose
 * registry modules (@fedhub/dicom, dcmjs) that the package's main entry also exports. A node with a `dicom:`
 * section imports those from the main entry when it opens its store.
 */
export { type CreateNodeDeps, createNode, type FedhubNode } from './agent.js';
export { loadNodeConfigFile, type NodeConfig, parseNodeConfig, type ResolvedDataset } from './config.js';
export { AdminKeyStore, type EnrolledAdmin } from './governance/approval-admin-keys.js';
export { applyDecision, modeOf } from './governance/approval-gate.js';
export { ApprovalStore } from './governance/approval-store.js';
export { privacyStatus } from './governance/dp-status.js';
export { NodeAuditLog } from './governance/node-audit-log.js';
export { imagingFromDicomStore } from './imaging-source.js';
