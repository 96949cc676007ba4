/**
 * Per-node approvals as the hub relays them (node-admins decide; the node is the authority and applies the
 * decision). Kept apart from the sdk so the inbox and the study page share one reading of the answer, and
 * tolerant of extra fields. A hub without the routes answers 404: the screens then say so instead of failing.
 */
import { JsonHttp } from '@fedhub/sdk';
import { z } from 'zod';

export const APPROVAL_STATES = ['pending', 'approved', 'denied', 'stopped'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/** One (node, study, algorithm version) approval record. */
export const ApprovalSchema = z.looseObject({
  nodeId: z.string(),
  nodeName: z.string().optional(),
  studyId: z.string(),
  studyTitle: z.string().optional(),
  algorithm: z.string().nullable().optional(),
  version: z.string().nullable().optional(),
  digest: z.string().nullable().optional(),
  state: z.enum(APPROVAL_STATES),
  taskId: z.string().nullable().optional(),
  params: z.unknown().optional(),
  variables: z.array(z.string()).nullable().optional(),
  requester: z.string().nullable().optional(),
  requestedAt: z.string().nullable().optional(),
  decidedBy: z.string().nullable().optional(),
  decidedAt: z.string().nullable().optional(),
  reason: z.string().nullable().optional(),
});
export type Approval = z.infer<typeof ApprovalSchema>;

export type Decision = 'approve' | 'deny' | 'stop-study';

/** A node-admin's decision on a study (optionally one algorithm version of it). */
export interface DecisionRequest {
  studyId: string;
  decision: Decision;
  algorithm?: string;
  version?: string;
  digest?: string;
  reason?: string;
}

/** True when the hub answered that the route does not exist (an older hub). */
export function isMissingRoute(e: unknown): boolean {
  return !!e && typeof e === 'object' && 'status' in e && (e as { status: number }).status === 404;
}

/** Reads and records approvals with the signed-in user's access token. */
export class ApprovalsApi {
  private readonly http: JsonHttp;
  constructor(baseUrl: string, accessToken: () => string | undefined) {
    this.http = new JsonHttp({
      baseUrl,
      authorization: () => {
        const t = accessToken();
        return t ? `Bearer ${t}` : undefined;
      },
    });
  }

  /** The approvals of one node (all states), optionally of one study. */
  list(nodeId: string, studyId?: string): Promise<Approval[]> {
    const q = studyId ? `?studyId=${encodeURIComponent(studyId)}` : '';
    return this.http.request(
      'GET',
      `/api/nodes/${encodeURIComponent(nodeId)}/approvals${q}`,
      z.array(ApprovalSchema),
    );
  }

  /** Records a decision at the hub; the node applies it on its next contact. */
  decide(nodeId: string, body: DecisionRequest): Promise<unknown> {
    return this.http.request('POST', `/api/nodes/${encodeURIComponent(nodeId)}/approvals`, z.unknown(), body);
  }
}
