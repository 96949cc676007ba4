/**
 * Typed client of the hub API for researchers, administrators and scripts.
 *
 * @example
 * const hub = await HubClient.login('http://127.0.0.1:7600', 'alice', 'secret');
 * const task = await hub.createTask({ studyId, algorithm: 'summary', params: { dataset: 'cohort', columns: ['age'] } });
 * const done = await hub.waitForTask(task.id, { onUpdate: (t) => console.log(t.runs.map((r) => r.status)) });
 */
import {
  AlgorithmInfoSchema,
  ApiTokenInfoSchema,
  ApiTokenSchema,
  type ApprovalDecisionRequest,
  ApprovalDecisionSchema,
  ApprovalStateSchema,
  AuditCheckpointSchema,
  AuditEventSchema,
  AuditVerificationSchema,
  CollaborationSchema,
  CreatedApiTokenSchema,
  CreatedNodeSchema,
  type CreateStudyRequest,
  type CreateTaskRequest,
  MeSchema,
  ModelCardSchema,
  ModelVersionSchema,
  NodeSchema,
  OnnxModelSchema,
  OrganisationSchema,
  type RegisterModelRequest,
  type RegisterOnnxModelRequest,
  RekeyNodeResponseSchema,
  type ResetPasswordRequest,
  type RevokeApiTokensRequest,
  RevokedCountSchema,
  type SetRolesRequest,
  StudySchema,
  type TaskDetail,
  TaskDetailSchema,
  TaskSchema,
  TaskSummarySchema,
  type TokenPair,
  TokenPairSchema,
  type UpdateStudyRequest,
  UserSchema,
  type ValidateModelRequest,
} from '@fedhub/protocol';
import { z } from 'zod';
import { HubRequestError, JsonHttp } from './http.js';

export interface HubClientOptions {
  baseUrl: string;
  /** An API token (`fhp_...`) or a current access token. */
  token?: string;
  /** With a refresh token, expired access tokens are renewed once per failing call. */
  refreshToken?: string;
  fetch?: typeof fetch;
  /** Called when tokens rotate, so a CLI can persist them. */
  onTokens?: (t: TokenPair) => void;
}

const WaitResponseSchema = TaskDetailSchema.extend({ revision: z.int() });
const OkSchema = z.object({ ok: z.boolean() }).passthrough();

export class HubClient {
  private readonly http: JsonHttp;
  private token: string | undefined;
  private refreshToken: string | undefined;
  private readonly onTokens: ((t: TokenPair) => void) | undefined;

  constructor(opts: HubClientOptions) {
    this.token = opts.token;
    this.refreshToken = opts.refreshToken;
    this.onTokens = opts.onTokens;
    this.http = new JsonHttp({
      baseUrl: opts.baseUrl,
      fetch: opts.fetch,
      authorization: () => (this.token ? `Bearer ${this.token}` : undefined),
    });
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Signs in with a password and returns a client holding the tokens. */
  static async login(
    baseUrl: string,
    username: string,
    password: string,
    opts: Partial<HubClientOptions> = {},
  ): Promise<HubClient> {
    const client = new HubClient({ ...opts, baseUrl });
    await client.login(username, password);
    return client;
  }

  async login(username: string, password: string): Promise<TokenPair> {
    const pair = await this.http.request(
      'POST',
      '/api/auth/login',
      TokenPairSchema,
      { username, password },
      { anonymous: true },
    );
    this.setTokens(pair);
    return pair;
  }

  private setTokens(pair: TokenPair): void {
    this.token = pair.accessToken;
    this.refreshToken = pair.refreshToken;
    this.onTokens?.(pair);
  }

  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    schema: S,
    body?: unknown,
    timeoutMs?: number,
  ): Promise<z.output<S>> {
    try {
      return await this.http.request(method, path, schema, body, { timeoutMs });
    } catch (err) {
      if (err instanceof HubRequestError && err.code === 'FH_ERR_TOKEN_EXPIRED' && this.refreshToken) {
        const pair = await this.http.request(
          'POST',
          '/api/auth/refresh',
          TokenPairSchema,
          { refreshToken: this.refreshToken },
          { anonymous: true },
        );
        this.setTokens(pair);
        return this.http.request(method, path, schema, body, { timeoutMs });
      }
      throw err;
    }
  }

  me() {
    return this.call('GET', '/api/me', MeSchema);
  }
  logout() {
    return this.call('POST', '/api/auth/logout', OkSchema, { refreshToken: this.refreshToken ?? '' });
  }
  createApiToken(name: string, expiresInDays?: number) {
    return this.call('POST', '/api/tokens', CreatedApiTokenSchema, { name, expiresInDays });
  }
  revokeApiToken(id: string) {
    return this.call('DELETE', `/api/tokens/${encodeURIComponent(id)}`, OkSchema);
  }
  /** Changes the signed-in user's password; every session of the user (this one too) and API token ends. */
  changePassword(currentPassword: string, newPassword: string) {
    return this.call('POST', '/api/me/password', OkSchema, { currentPassword, newPassword });
  }
  listApiTokens() {
    return this.call('GET', '/api/tokens', z.array(ApiTokenSchema));
  }

  createOrganisation(body: { name: string; country?: string }) {
    return this.call('POST', '/api/organisations', OrganisationSchema, body);
  }
  listOrganisations() {
    return this.call('GET', '/api/organisations', z.array(OrganisationSchema));
  }
  createUser(body: {
    username: string;
    password: string;
    organisationId: string;
    roles: string[];
    displayName?: string;
  }) {
    return this.call('POST', '/api/users', UserSchema, body);
  }
  listUsers() {
    return this.call('GET', '/api/users', z.array(UserSchema));
  }
  createCollaboration(body: { name: string; description?: string; organisationIds?: string[] }) {
    return this.call('POST', '/api/collaborations', CollaborationSchema, body);
  }
  listCollaborations() {
    return this.call('GET', '/api/collaborations', z.array(CollaborationSchema));
  }
  getCollaboration(id: string) {
    return this.call('GET', `/api/collaborations/${encodeURIComponent(id)}`, CollaborationSchema);
  }
  addOrganisation(collaborationId: string, organisationId: string) {
    return this.call(
      'POST',
      `/api/collaborations/${encodeURIComponent(collaborationId)}/organisations`,
      CollaborationSchema,
      { organisationId },
    );
  }
  createNode(body: { collaborationId: string; organisationId: string; name: string }) {
    return this.call('POST', '/api/nodes', CreatedNodeSchema, body);
  }
  listNodes(collaborationId?: string) {
    const q = collaborationId ? `?collaborationId=${encodeURIComponent(collaborationId)}` : '';
    return this.call('GET', `/api/nodes${q}`, z.array(NodeSchema));
  }
  getNode(id: string) {
    return this.call('GET', `/api/nodes/${encodeURIComponent(id)}`, NodeSchema);
  }
  /** Fields left out take the hub's defaults (no variable or algorithm restriction, minNodes 3...). */
  createStudy(body: CreateStudyRequest) {
    return this.call('POST', '/api/studies', StudySchema, body);
  }
  /** Changes the given fields; the hub audits changes that widen the permission as such. */
  updateStudy(id: string, body: UpdateStudyRequest) {
    return this.call('PATCH', `/api/studies/${encodeURIComponent(id)}`, StudySchema, body);
  }
  /** Stops a study for good: no more tasks, and nodes refuse its runs. */
  stopStudy(id: string, reason: string) {
    return this.call('POST', `/api/studies/${encodeURIComponent(id)}/stop`, StudySchema, { reason });
  }
  listStudies(collaborationId?: string) {
    const q = collaborationId ? `?collaborationId=${encodeURIComponent(collaborationId)}` : '';
    return this.call('GET', `/api/studies${q}`, z.array(StudySchema));
  }
  getStudy(id: string) {
    return this.call('GET', `/api/studies/${encodeURIComponent(id)}`, StudySchema);
  }
  listAlgorithms() {
    return this.call('GET', '/api/algorithms', z.array(AlgorithmInfoSchema));
  }
  createTask(body: CreateTaskRequest) {
    return this.call('POST', '/api/tasks', TaskSchema, body);
  }
  /** Tasks you can see (of one study), newest first, without their results (`hasResult`; getTask gives one). */
  listTasks(studyId?: string) {
    const q = studyId ? `?studyId=${encodeURIComponent(studyId)}` : '';
    return this.call('GET', `/api/tasks${q}`, z.array(TaskSummarySchema));
  }
  /**
   * Tasks of one study and of the given algorithms, newest first, each with its result: for picking among
   * released results (fitted models, summaries) without fetching every task's.
   */
  listTasksWithResults(studyId: string, algorithms: readonly string[]) {
    if (algorithms.length === 0) return Promise.resolve([]);
    const q = new URLSearchParams({ studyId, algorithm: algorithms.join(','), withResults: 'true' });
    return this.call('GET', `/api/tasks?${q}`, z.array(TaskSchema));
  }
  /** Your own tasks across every study you can see, newest first, without their results. */
  listMyTasks() {
    return this.call('GET', '/api/tasks?mine=true', z.array(TaskSummarySchema));
  }
  getTask(id: string) {
    return this.call('GET', `/api/tasks/${encodeURIComponent(id)}`, TaskDetailSchema);
  }
  cancelTask(id: string) {
    return this.call('POST', `/api/tasks/${encodeURIComponent(id)}/cancel`, TaskSchema, {});
  }

  /** Registers a completed glm or coxph task as the next version of model `body.name`. */
  registerModel(body: RegisterModelRequest) {
    return this.call('POST', '/api/models', ModelVersionSchema, body);
  }
  /**
   * Registers an ONNX file with its model card as model `name` version `version`: bytes (Node), or the file
   * already base64-encoded (the browser, which has no Buffer).
   */
  registerOnnxModel(body: Omit<RegisterOnnxModelRequest, 'onnx'> & { onnx: Uint8Array | string }) {
    return this.call('POST', '/api/onnx-models', OnnxModelSchema, {
      ...body,
      onnx:
        typeof body.onnx === 'string'
          ? body.onnx
          : Buffer.from(body.onnx.buffer, body.onnx.byteOffset, body.onnx.byteLength).toString('base64'),
    });
  }
  /** Attaches a completed validate task that ran the ONNX model's file, for its validation report. */
  attachOnnxValidation(name: string, version: string, taskId: string) {
    return this.call(
      'POST',
      `/api/onnx-models/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}/validations`,
      z.object({ modelId: z.string(), taskId: z.string(), studyId: z.string() }),
      { taskId },
    );
  }
  /** The ONNX model's validation report, signed by the hub (`signature`: Ed25519 over its canonical JSON). */
  onnxValidationReport(name: string, version: string) {
    return this.call(
      'GET',
      `/api/onnx-models/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}/report`,
      z.record(z.string(), z.unknown()),
    );
  }
  /** The ONNX models of your collaborations. */
  listOnnxModels() {
    return this.call('GET', '/api/onnx-models', z.array(OnnxModelSchema));
  }
  /** One ONNX model (digest, signature, card) by name and version. */
  getOnnxModel(name: string, version: string) {
    return this.call(
      'GET',
      `/api/onnx-models/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`,
      OnnxModelSchema,
    );
  }
  /** Every version of every model visible to you, or of one model. */
  listModels(name?: string) {
    return this.call(
      'GET',
      name ? `/api/models/${encodeURIComponent(name)}` : '/api/models',
      z.array(ModelVersionSchema),
    );
  }
  getModelVersion(name: string, version: number) {
    return this.call(
      'GET',
      `/api/models/${encodeURIComponent(name)}/versions/${version}`,
      ModelVersionSchema,
    );
  }
  /** Submits a validate task with the version's frozen coefficients; attach its report when it completes. */
  validateModel(name: string, version: number, body: ValidateModelRequest) {
    return this.call(
      'POST',
      `/api/models/${encodeURIComponent(name)}/versions/${version}/validate`,
      TaskSchema,
      body,
    );
  }
  attachModelValidation(name: string, version: number, taskId: string) {
    return this.call(
      'POST',
      `/api/models/${encodeURIComponent(name)}/versions/${version}/validations`,
      ModelVersionSchema,
      { taskId },
    );
  }
  getModelCard(name: string, version: number) {
    return this.call(
      'GET',
      `/api/models/${encodeURIComponent(name)}/versions/${version}/card`,
      ModelCardSchema,
    );
  }

  /**
   * Audit events in chain order (auditor or hub-admin), with their actor's and object's names. Filters:
   * `action` ("task.submitted", or a kind "task."), `username` or `actor` ("user:<id>"), `object`
   * ("study:<id>", or a kind "study:").
   */
  listAudit(
    opts: {
      limit?: number;
      offset?: number;
      action?: string;
      actor?: string;
      username?: string;
      object?: string;
    } = {},
  ) {
    const q = new URLSearchParams();
    if (opts.limit !== undefined) q.set('limit', String(opts.limit));
    if (opts.offset !== undefined) q.set('offset', String(opts.offset));
    for (const k of ['action', 'actor', 'username', 'object'] as const) {
      const v = opts[k];
      if (v) q.set(k, v);
    }
    return this.call('GET', `/api/audit${q.size ? `?${q}` : ''}`, z.array(AuditEventSchema));
  }
  /** Re-computes the hub's audit chain from its first entry. */
  verifyAudit() {
    return this.call('GET', '/api/audit/verify', AuditVerificationSchema);
  }
  /** The head of the hub's audit chain, signed by the hub key. */
  auditCheckpoint() {
    return this.call('GET', '/api/audit/checkpoint', AuditCheckpointSchema);
  }
  /** A node's runs waiting for approval and the decisions recorded for it. */
  nodeApprovals(nodeId: string) {
    return this.call('GET', `/api/nodes/${encodeURIComponent(nodeId)}/approvals`, ApprovalStateSchema);
  }
  /** Every node's runs of a study waiting for approval, and the decisions recorded. */
  studyApprovals(studyId: string) {
    return this.call('GET', `/api/studies/${encodeURIComponent(studyId)}/approvals`, ApprovalStateSchema);
  }
  // revocation (issue 15, item 10): every call is audited at the hub with its reason
  /** Disables a user: no sign-in; sessions and API tokens revoked (hub-admin). */
  disableUser(id: string, reason: string) {
    return this.call('POST', `/api/users/${encodeURIComponent(id)}/disable`, UserSchema, { reason });
  }
  /** Signs a user out everywhere: sessions and access tokens revoked, API tokens kept (hub-admin). */
  revokeUserSessions(id: string, reason: string) {
    return this.call('POST', `/api/users/${encodeURIComponent(id)}/sessions/revoke`, UserSchema, { reason });
  }
  /** Enables a disabled user (hub-admin). */
  enableUser(id: string, reason: string) {
    return this.call('POST', `/api/users/${encodeURIComponent(id)}/enable`, UserSchema, { reason });
  }
  /** Deletes a user: disabled, renamed, no password or roles; the row stays for the audit (hub-admin). */
  deleteUser(id: string, reason: string) {
    return this.call('DELETE', `/api/users/${encodeURIComponent(id)}`, UserSchema, { reason });
  }
  /** Replaces a user's roles (hub-admin). */
  setUserRoles(id: string, body: SetRolesRequest) {
    return this.call('PATCH', `/api/users/${encodeURIComponent(id)}/roles`, UserSchema, body);
  }
  /** Sets a user's password; sessions and API tokens are revoked (hub-admin). */
  resetPassword(id: string, body: ResetPasswordRequest) {
    return this.call('POST', `/api/users/${encodeURIComponent(id)}/password-reset`, UserSchema, body);
  }
  /** A user's API tokens, without secrets (hub-admin, or the user). */
  userApiTokens(id: string) {
    return this.call('GET', `/api/users/${encodeURIComponent(id)}/api-tokens`, z.array(ApiTokenInfoSchema));
  }
  /** Revokes one API token of a user, or all (hub-admin). */
  revokeUserApiTokens(id: string, body: RevokeApiTokensRequest) {
    return this.call(
      'POST',
      `/api/users/${encodeURIComponent(id)}/api-tokens/revoke`,
      RevokedCountSchema,
      body,
    );
  }
  /** Revokes a node: its token stops working and its open runs fail. */
  revokeNode(id: string, reason: string) {
    return this.call(
      'POST',
      `/api/nodes/${encodeURIComponent(id)}/revoke`,
      z.object({ nodeId: z.string(), failedRuns: z.number() }),
      { reason },
    );
  }
  /** Voids a node's token and keys; the new one-time enrolment token lets it enrol again with fresh keys. */
  rekeyNode(id: string, reason: string) {
    return this.call('POST', `/api/nodes/${encodeURIComponent(id)}/rekey`, RekeyNodeResponseSchema, {
      reason,
    });
  }
  /** Removes an organisation from a collaboration; its nodes there are revoked (hub-admin). */
  removeCollaborationOrganisation(collaborationId: string, organisationId: string, reason: string) {
    return this.call(
      'DELETE',
      `/api/collaborations/${encodeURIComponent(collaborationId)}/organisations/${encodeURIComponent(organisationId)}`,
      CollaborationSchema,
      { reason },
    );
  }
  /** Records a decision for a node (node-admin of its organisation); the node applies it on its next poll. */
  decideApproval(nodeId: string, body: ApprovalDecisionRequest) {
    return this.call(
      'POST',
      `/api/nodes/${encodeURIComponent(nodeId)}/approvals`,
      ApprovalDecisionSchema,
      body,
    );
  }

  /** Long-polls the task until it is terminal (or `timeoutMs` passes), reporting every change. */
  async waitForTask(
    id: string,
    opts: { timeoutMs?: number; onUpdate?: (t: TaskDetail) => void } = {},
  ): Promise<TaskDetail> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
    let since = 0;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new HubRequestError(0, {
          code: 'FH_ERR_UNAVAILABLE',
          message: `task ${id} did not finish in time`,
        });
      const waitMs = Math.min(20_000, left);
      const t = await this.call(
        'GET',
        `/api/tasks/${encodeURIComponent(id)}/wait?since=${since}&timeoutMs=${waitMs}`,
        WaitResponseSchema,
        undefined,
        waitMs + 10_000,
      );
      if (t.revision !== since) opts.onUpdate?.(t);
      since = t.revision;
      if (t.status !== 'running') return t;
    }
  }
}
