/**
 * The node agent and its configuration on their own (`@fedhub/node/runtime`): what a command that runs
 * nodes over tabular data needs (`fedhub simulate`), without the DICOM store and dose registry modules
 * (dcmjs, DIMSE) that the package's main entry also exports.
 */
export { type CreateNodeDeps, createNode, type FedhubNode } from './agent.js';
export { type NodeConfig, parseNodeConfig, type ResolvedDataset } from './config.js';
