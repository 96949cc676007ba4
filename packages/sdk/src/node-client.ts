/** The node's side of the node <-> hub protocol. */

import type { DataDictionary, NodeApprovalPolicy } from '@fedhub/protocol';
import {
  ApprovalDecisionSchema,
  AuditCheckpointSchema,
  ClaimResponseSchema,
  EnrolResponseSchema,
  NodeHeartbeatResponseSchema,
  NodeOnnxModelResponseSchema,
  OkResponseSchema,
  type PendingApprovalRequest,
  RunHeartbeatResponseSchema,
  type RunResultRequest,
  RunResultResponseSchema,
} from '@fedhub/protocol';
import { z } from 'zod';
import { JsonHttp } from './http.js';

export class NodeApiClient {
  private readonly http: JsonHttp;
  private nodeToken: string | undefined;
  constructor(opts: { baseUrl: string; nodeToken?: string; fetch?: typeof fetch }) {
    this.nodeToken = opts.nodeToken;
    this.http = new JsonHttp({
      baseUrl: opts.baseUrl,
      fetch: opts.fetch,
      authorization: () => (this.nodeToken ? `Bearer ${this.nodeToken}` : undefined),
    });
  }
  get baseUrl(): string {
    return this.http.baseUrl;
  }
  setToken(token: string): void {
    this.nodeToken = token;
  }
  enrol(body: { enrolmentToken: string; publicKeys: { x25519: string; ed25519: string }; version: string }) {
    return this.http.request('POST', '/api/node/enrol', EnrolResponseSchema, body, { anonymous: true });
  }
  heartbeat(body: {
    version: string;
    clock: string;
    datasets: DataDictionary[];
    approvals?: NodeApprovalPolicy;
  }) {
    return this.http.request('POST', '/api/node/heartbeat', NodeHeartbeatResponseSchema, body);
  }
  claim(waitMs: number, signal?: AbortSignal) {
    return this.http.request(
      'POST',
      '/api/node/claim',
      ClaimResponseSchema,
      { waitMs },
      { timeoutMs: waitMs + 15_000, signal },
    );
  }
  runHeartbeat(runId: string, attempt: number, progress?: { done: number; total: number }) {
    return this.http.request('POST', `/api/node/runs/${runId}/heartbeat`, RunHeartbeatResponseSchema, {
      attempt,
      ...(progress ? { progress } : {}),
    });
  }
  postResult(runId: string, body: RunResultRequest) {
    return this.http.request('POST', `/api/node/runs/${runId}/result`, RunResultResponseSchema, body, {
      timeoutMs: 60_000,
    });
  }
  /** A registered ONNX file by sha256 (base64 in JSON); the caller checks the bytes against the digest. */
  onnxModel(sha256: string) {
    return this.http.request(
      'GET',
      `/api/node/onnx-models/${sha256}`,
      NodeOnnxModelResponseSchema,
      undefined,
      {
        timeoutMs: 120_000,
      },
    );
  }
  /** Holds a claimed run until the node admin decides (the hub ends its lease). */
  reportPendingApproval(runId: string, body: PendingApprovalRequest) {
    return this.http.request('POST', `/api/node/runs/${runId}/pending-approval`, OkResponseSchema, body);
  }
  /** Puts a held run back in the queue once the node admin decided. */
  releasePending(runId: string, attempt: number) {
    return this.http.request('POST', `/api/node/runs/${runId}/release`, OkResponseSchema, { attempt });
  }
  approvalDecisions() {
    return this.http.request('GET', '/api/node/approval-decisions', z.array(ApprovalDecisionSchema));
  }
  ackApprovalDecision(id: string, body: { applied: boolean; reason?: string }) {
    return this.http.request('POST', `/api/node/approval-decisions/${id}/ack`, OkResponseSchema, body);
  }
  checkpoint() {
    return this.http.request('GET', '/api/node/checkpoint', AuditCheckpointSchema);
  }
}
