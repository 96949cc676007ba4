/**
 * Approval routes: for node-admins and the dashboard (`/nodes/:id/approvals`, `/studies/:id/approvals`),
 * and for nodes (report a run held for approval, release it, fetch and acknowledge relayed decisions,
 * fetch the signed checkpoint of the audit chain).
 */
import {
  ApprovalAckRequestSchema,
  ApprovalDecisionRequestSchema,
  ApprovalDecisionSchema,
  ApprovalStateSchema,
  AuditCheckpointSchema,
  ErrorBodySchema,
  IdParamsSchema,
  OkResponseSchema,
  PendingApprovalRequestSchema,
  RunReleaseRequestSchema,
} from '@fedhub/protocol';
import { z } from 'zod';
import type { HubModule } from '../../core/module.js';
import { currentCheckpoint } from '../audit/checkpoint.js';
import {
  ackDecision,
  approvalState,
  decide,
  releasePending,
  reportPending,
  unackedDecisions,
} from './service.js';

export const approvalRoutes: HubModule = async (app, { ctx, auth }) => {
  app.get(
    '/nodes/:id/approvals',
    {
      schema: {
        tags: ['approvals'],
        summary:
          "A node's runs waiting for approval (algorithm, version, params, variables, requester) and decisions",
        params: IdParamsSchema,
        response: { 200: ApprovalStateSchema, 404: ErrorBodySchema },
      },
    },
    async (req) => approvalState(ctx, await auth.user(req), { nodeId: req.params.id }),
  );
  app.post(
    '/nodes/:id/approvals',
    {
      schema: {
        tags: ['approvals'],
        summary:
          "Record a decision for the node (node-admin of the node's organisation); the node applies it",
        params: IdParamsSchema,
        body: ApprovalDecisionRequestSchema,
        response: {
          201: ApprovalDecisionSchema,
          403: ErrorBodySchema,
          404: ErrorBodySchema,
          422: ErrorBodySchema,
        },
      },
    },
    async (req, reply) => {
      const d = await decide(ctx, await auth.user(req), req.params.id, req.body);
      reply.code(201);
      return d;
    },
  );
  app.get(
    '/studies/:id/approvals',
    {
      schema: {
        tags: ['approvals'],
        summary: "Every node's runs of the study waiting for approval, and the decisions recorded",
        params: IdParamsSchema,
        response: { 200: ApprovalStateSchema, 404: ErrorBodySchema },
      },
    },
    async (req) => approvalState(ctx, await auth.user(req), { studyId: req.params.id }),
  );
  app.get(
    '/audit/checkpoint',
    {
      schema: {
        tags: ['audit'],
        summary: 'The head of the audit chain, signed by the hub key',
        response: { 200: AuditCheckpointSchema, 401: ErrorBodySchema },
      },
    },
    async (req) => {
      await auth.user(req);
      return currentCheckpoint(ctx);
    },
  );

  app.post(
    '/node/runs/:id/pending-approval',
    {
      schema: {
        tags: ['node protocol'],
        summary: 'Hold a claimed run until the node admin decides (ends its lease)',
        params: IdParamsSchema,
        body: PendingApprovalRequestSchema,
        response: { 200: OkResponseSchema, 404: ErrorBodySchema, 409: ErrorBodySchema },
      },
    },
    async (req) => reportPending(ctx, await auth.node(req), req.params.id, req.body),
  );
  app.post(
    '/node/runs/:id/release',
    {
      schema: {
        tags: ['node protocol'],
        summary: 'The node admin decided: put a held run back in the queue for the node to claim',
        params: IdParamsSchema,
        body: RunReleaseRequestSchema,
        response: { 200: OkResponseSchema, 404: ErrorBodySchema },
      },
    },
    async (req) => releasePending(ctx, await auth.node(req), req.params.id, req.body.attempt),
  );
  app.get(
    '/node/approval-decisions',
    {
      schema: {
        tags: ['node protocol'],
        summary: 'Decisions recorded at the hub for this node and not yet acknowledged (hub-signed)',
        response: { 200: z.array(ApprovalDecisionSchema), 401: ErrorBodySchema },
      },
    },
    async (req) => unackedDecisions(ctx, await auth.node(req)),
  );
  app.post(
    '/node/approval-decisions/:id/ack',
    {
      schema: {
        tags: ['node protocol'],
        summary: 'Acknowledge a relayed decision: applied, or rejected with the reason',
        params: IdParamsSchema,
        body: ApprovalAckRequestSchema,
        response: { 200: OkResponseSchema, 401: ErrorBodySchema },
      },
    },
    async (req) => ackDecision(ctx, await auth.node(req), req.params.id, req.body),
  );
  app.get(
    '/node/checkpoint',
    {
      schema: {
        tags: ['node protocol'],
        summary: 'The head of the audit chain signed by the hub key, for the node to keep',
        response: { 200: AuditCheckpointSchema, 401: ErrorBodySchema },
      },
    },
    async (req) => {
      await auth.node(req);
      return currentCheckpoint(ctx);
    },
  );
};
