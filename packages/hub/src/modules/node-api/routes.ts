/** The node protocol: nodes dial out and authenticate with their node token (except to enrol). */
import {
  ClaimRequestSchema,
  ClaimResponseSchema,
  EnrolRequestSchema,
  EnrolResponseSchema,
  ErrorBodySchema,
  IdParamsSchema,
  NodeHeartbeatRequestSchema,
  NodeHeartbeatResponseSchema,
  RunHeartbeatRequestSchema,
  RunHeartbeatResponseSchema,
  RunResultRequestSchema,
  RunResultResponseSchema,
} from '@fedhub/protocol';
import type { FastifyInstance } from 'fastify';
import { clientGone } from '../../core/client-gone.js';
import type { HubModule } from '../../core/module.js';
import { claim } from './claim.js';
import { enrolNode, nodeHeartbeat } from './enrolment.js';
import { installNodeRequestGuard, NODE_RESULT_BODY_LIMIT } from './request-guard.js';
import { postResult, runHeartbeat } from './results.js';

export const nodeApiRoutes: HubModule = async (app, { ctx, auth }) => {
  installNodeRequestGuard(
    app as unknown as FastifyInstance,
    { ctx, auth },
    ctx.config.nodeRateLimitPerMinute,
  );
  app.post(
    '/node/enrol',
    {
      config: { rateLimit: { max: ctx.config.loginRateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['node protocol'],
        summary: 'Exchange a one-time enrolment token for a node token',
        body: EnrolRequestSchema,
        response: { 200: EnrolResponseSchema, 400: ErrorBodySchema, 401: ErrorBodySchema },
      },
    },
    (req) => enrolNode(ctx, req.body),
  );
  app.post(
    '/node/heartbeat',
    {
      schema: {
        tags: ['node protocol'],
        summary: "Report liveness, version and data dictionaries; checks the node's clock",
        body: NodeHeartbeatRequestSchema,
        response: { 200: NodeHeartbeatResponseSchema, 401: ErrorBodySchema, 409: ErrorBodySchema },
      },
    },
    async (req) => nodeHeartbeat(ctx, await auth.node(req), req.body),
  );
  app.post(
    '/node/claim',
    {
      schema: {
        tags: ['node protocol'],
        summary: 'Long-poll for work: leases the oldest queued run of this node',
        body: ClaimRequestSchema,
        response: { 200: ClaimResponseSchema, 401: ErrorBodySchema },
      },
    },
    async (req, reply) => {
      const node = await auth.node(req);
      const run = await claim(ctx, node, req.body.waitMs, clientGone(reply));
      return { run, serverTime: ctx.nowIso() };
    },
  );
  app.post(
    '/node/runs/:id/heartbeat',
    {
      schema: {
        tags: ['node protocol'],
        summary: "Extend the lease of the run's current attempt",
        params: IdParamsSchema,
        body: RunHeartbeatRequestSchema,
        response: { 200: RunHeartbeatResponseSchema, 404: ErrorBodySchema, 409: ErrorBodySchema },
      },
    },
    async (req) =>
      runHeartbeat(ctx, await auth.node(req), req.params.id, req.body.attempt, req.body.progress),
  );
  app.post(
    '/node/runs/:id/result',
    {
      bodyLimit: NODE_RESULT_BODY_LIMIT,
      schema: {
        tags: ['node protocol'],
        summary: 'Post the signed result of an attempt (idempotent for the same attempt and digest)',
        params: IdParamsSchema,
        body: RunResultRequestSchema,
        response: {
          200: RunResultResponseSchema,
          404: ErrorBodySchema,
          409: ErrorBodySchema,
          422: ErrorBodySchema,
        },
      },
    },
    async (req) => postResult(ctx, await auth.node(req), req.params.id, req.body),
  );
};
