/**
 * Kysely table types of the hub's database. Column conventions (the same in SQLite and PostgreSQL, see
 * `dialect.ts`): identifiers are UUID text; timestamps are ISO-8601 UTC text from `Date.toISOString()`
 * (fixed width, so they sort as text); JSON values are TEXT holding JSON; booleans are integers 0/1.
 */
/** ISO-8601 UTC timestamp text, e.g. `2026-11-29T00:19:30.000Z`. */
export type IsoTime = string;
/** A JSON value serialised as text (see `toJson` / `fromJson`). */
export type JsonText = string;
/** A boolean stored as the integer 0 or 1 (see `toBool` / `fromBool`). */
export type BoolInt = number;

export interface OrganisationsTable {
  id: string;
  name: string;
  country: string | null;
  created_at: IsoTime;
}

export interface UsersTable {
  id: string;
  username: string;
  display_name: string | null;
  organisation_id: string;
  password_hash: string;
  /** JSON array of role names. */
  roles: JsonText;
  /** Consecutive failed logins since the last success or lock. */
  failed_logins: number;
  locked_until: IsoTime | null;
  created_at: IsoTime;
  /** Set when an administrator disabled the account (it can neither sign in nor use any token). */
  disabled_at?: IsoTime | null;
  /** Bumped when the password changes: access tokens carrying an older version stop verifying. */
  token_version: number;
  /** 1 while the user signs in with a one-time password that must be changed before anything else. */
  password_change_required: BoolInt;
}

/** Failed sign-ins of one user name from one client address, and until when that pair must wait. */
export interface LoginThrottleTable {
  username: string;
  address: string;
  failures: number;
  blocked_until: IsoTime | null;
  updated_at: IsoTime;
}

export interface RefreshTokensTable {
  id: string;
  user_id: string;
  /** All tokens rotated from one login share a family; reuse of a rotated one revokes the family. */
  family_id: string;
  /** sha256 hex of the token. */
  token_hash: string;
  expires_at: IsoTime;
  rotated: BoolInt;
  revoked: BoolInt;
  created_at: IsoTime;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  /** sha256 hex of the token. */
  token_hash: string;
  expires_at: IsoTime;
  last_used_at: IsoTime | null;
  revoked: BoolInt;
  created_at: IsoTime;
}

export interface CollaborationsTable {
  id: string;
  name: string;
  description: string | null;
  created_at: IsoTime;
}

export interface CollaborationOrganisationsTable {
  collaboration_id: string;
  organisation_id: string;
}

export interface NodesTable {
  id: string;
  name: string;
  organisation_id: string;
  collaboration_id: string;
  /** sha256 hex of the one-time enrolment token. */
  enrolment_token_hash: string;
  enrolment_expires_at: IsoTime;
  enrolment_used: BoolInt;
  /** sha256 hex of the node's bearer token; null until enrolled. */
  node_token_hash: string | null;
  /** base64url SPKI DER public keys; null until enrolled. */
  x25519_public_key: string | null;
  ed25519_public_key: string | null;
  version: string | null;
  /** JSON array of data dictionaries. */
  datasets: JsonText;
  last_seen_at: IsoTime | null;
  created_at: IsoTime;
  /** Set when the node was revoked: its token no longer authenticates and it runs nothing more. */
  revoked_at?: IsoTime | null;
  /** JSON NodeApprovalPolicy, as the node last reported it in a heartbeat. */
  approval_policy?: JsonText | null;
}

export interface StudiesTable {
  id: string;
  collaboration_id: string;
  title: string;
  purpose: string;
  created_by: string;
  created_at: IsoTime;
  /** 'active' | 'stopped' */
  status: string;
  stopped_at: IsoTime | null;
  updated_at: IsoTime;
  min_nodes: number;
  /** YYYY-MM-DD */
  starts_at: string | null;
  ends_at: string | null;
  /** 0 | 1 */
  release_per_node_breakdown: number;
  /** JSON: legal basis, references, categories, variables, algorithms, contacts, recipients, retention */
  governance: string;
  /** The owning organisation: only its researchers change the study (null only before migration 0008). */
  owner_organisation_id?: string | null;
  /** The owning researcher (the creator unless handed over). */
  owner_user_id?: string | null;
}

export interface StudyNodesTable {
  study_id: string;
  node_id: string;
}

/** Failed logins for usernames without an account (they lock like real accounts). */
export interface LoginFailuresTable {
  username: string;
  failures: number;
  locked_until: IsoTime | null;
}

export interface TasksTable {
  id: string;
  study_id: string;
  collaboration_id: string;
  algorithm: string;
  version: string;
  digest: string;
  params: JsonText;
  /** JSON array of the target node ids. */
  node_ids: JsonText;
  status: string;
  round: number;
  /**
   * The round at which the current attempt of the task began: 1, or the round after a node dropped out
   * and the task started again from its first step without it. Algorithms see round - first_round + 1.
   */
  first_round: number;
  aggregator_state: JsonText | null;
  result: JsonText | null;
  error: JsonText | null;
  /** Incremented on every change of the task or its runs; long-poll clients wait for it to pass theirs. */
  revision: number;
  /** The title the submitter gave (0010); null: lists show a summary of the parameters. */
  title: string | null;
  created_by: string;
  created_at: IsoTime;
  finished_at: IsoTime | null;
}

export interface RunsTable {
  id: string;
  task_id: string;
  node_id: string;
  round: number;
  /** Number of times the run has been claimed. */
  attempt: number;
  status: string;
  lease_expires_at: IsoTime | null;
  input: JsonText;
  payload: JsonText | null;
  digest: string | null;
  signature: string | null;
  error: JsonText | null;
  created_at: IsoTime;
  started_at: IsoTime | null;
  finished_at: IsoTime | null;
  /** Cases done / total as the node last reported them with a heartbeat (null: none reported). */
  progress_done?: number | null;
  progress_total?: number | null;
}

export interface AuditEventsTable {
  seq: number;
  at: IsoTime;
  actor: string;
  action: string;
  object: string | null;
  details: JsonText;
  prev_hash: string;
  hash: string;
}

export interface HubSecretsTable {
  name: string;
  value: string;
  created_at: IsoTime;
}

/** Every table of the hub database. */
/** A registered model version (immutable). */
export interface ModelVersionsTable {
  id: string;
  name: string;
  version: number;
  kind: string;
  study_id: string;
  collaboration_id: string;
  task_id: string;
  /** JSON: algorithm, dataset, nodes, formula, coefficients, covariance, training summary, card texts */
  model: JsonText;
  created_by: string;
  created_at: IsoTime;
}

/** A validation report attached to a model version. */
export interface ModelValidationsTable {
  id: string;
  model_version_id: string;
  task_id: string;
  study_id: string;
  report: JsonText;
  created_by: string;
  created_at: IsoTime;
}

/** An ONNX model file in the registry (immutable; bytes base64 in `onnx`, for both backends). */
export interface OnnxModelsTable {
  id: string;
  name: string;
  version: string;
  collaboration_id: string;
  sha256: string;
  byte_length: number;
  onnx: string;
  signature: JsonText;
  card: JsonText;
  created_by: string;
  created_at: IsoTime;
}

/** A completed `validate` task of an ONNX model, attached to it for its report. */
export interface OnnxModelValidationsTable {
  id: string;
  onnx_model_id: string;
  task_id: string;
  study_id: string;
  created_by: string;
  created_at: IsoTime;
}

/** A run a node holds until its admin decides (what the node reported). */
export interface ApprovalRequestsTable {
  run_id: string;
  node_id: string;
  task_id: string;
  study_id: string;
  algorithm: string;
  version: string;
  digest: string;
  /** JSON array of column names */
  variables: JsonText;
  reason: string;
  created_at: IsoTime;
  settled_at: IsoTime | null;
}

/** A decision a node-admin recorded at the hub for one node (relayed to it, signed by the hub). */
export interface ApprovalDecisionsTable {
  id: string;
  node_id: string;
  study_id: string;
  /** 'approve' | 'deny' | 'stop' */
  decision: string;
  algorithm: string | null;
  version: string | null;
  digest: string | null;
  reason: string | null;
  /** JSON: userId, username, organisationId, roles */
  decided_by: JsonText;
  created_at: IsoTime;
  signature: string;
  /** JSON { applied, reason, at } once the node answered */
  ack: JsonText | null;
  /** JSON: the node administrator's own signature (AdminStatement), relayed to the node as given */
  admin_signature?: JsonText | null;
}

export interface Schema {
  organisations: OrganisationsTable;
  users: UsersTable;
  login_throttle: LoginThrottleTable;
  refresh_tokens: RefreshTokensTable;
  api_tokens: ApiTokensTable;
  collaborations: CollaborationsTable;
  collaboration_organisations: CollaborationOrganisationsTable;
  nodes: NodesTable;
  studies: StudiesTable;
  study_nodes: StudyNodesTable;
  tasks: TasksTable;
  login_failures: LoginFailuresTable;
  runs: RunsTable;
  audit_events: AuditEventsTable;
  hub_secrets: HubSecretsTable;
  model_versions: ModelVersionsTable;
  model_validations: ModelValidationsTable;
  onnx_models: OnnxModelsTable;
  onnx_model_validations: OnnxModelValidationsTable;
  approval_requests: ApprovalRequestsTable;
  approval_decisions: ApprovalDecisionsTable;
}
