export * from './agent.js';
export * from './backoff.js';
export * from './config.js';
export * from './credentials-store.js';
export { DuckDbDataset } from './datasets/duckdb-dataset.js';
export { DatasetStore, type LoadReport, type StoreDataset } from './datasets/duckdb-store.js';
export { inferDictionary } from './datasets/infer-dictionary.js';
export { compileFilter, quoteIdent } from './datasets/sql-filter.js';
export * from './dicom-store/index.js';
export * from './dose-registry/index.js';
export * from './executor.js';
export * from './governance/approval-admin-keys.js';
export * from './governance/approval-gate.js';
export * from './governance/approval-permission.js';
export * from './governance/approval-store.js';
export { BudgetLedger } from './governance/budget-ledger.js';
export * from './governance/checkpoint-store.js';
export {
  type DifferentialPrivacyEntry,
  type PrivacyConfig,
  PrivacyConfigSchema,
} from './governance/dp-config.js';
export { type PrivacyStatus, privacyStatus } from './governance/dp-status.js';
export { LinearAuditor, primeFrom } from './governance/linear-auditor.js';
export { type NodeAuditEvent, NodeAuditLog } from './governance/node-audit-log.js';
export { PrivacyLedger } from './governance/privacy-ledger.js';
export { QuotaLedger } from './governance/quota-ledger.js';
export { RecordSet } from './governance/record-set.js';
export * from './governance/round-floors.js';
export { imagingFromDicomStore } from './imaging-source.js';
export { type LocalFederationResult, type LocalNode, runLocalFederation } from './local-federation.js';
export * from './release-gate.js';
