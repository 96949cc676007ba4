/** The composition root: wires config, database, clock and logger into an unstarted Fastify instance. */

import fastifyRateLimit from '@fastify/rate-limit';
import fastifyWebsocket from '@fastify/websocket';
import { getAlgorithm, listAlgorithms } from '@fedhub/algorithms';
import { decoyPasswordHash } from '@fedhub/crypto';
import type { DbHandle } from '@fedhub/db';
import { FedhubError } from '@fedhub/protocol';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { createRequestAuth } from './access/request-auth.js';
import { type Clock, systemClock } from './clock.js';
import type { HubConfig } from './config.js';
import type { AlgorithmRegistry, HubContext } from './core/context.js';
import { installCors } from './core/cors.js';
import { installErrorHandler } from './core/error-handler.js';
import { loadOrCreateHubSecret } from './core/hub-secret.js';
import { installBodyDepthLimit, installJsonBodyParser } from './core/json-depth.js';
import { bindMasterKey } from './core/master-key.js';
import type { ModuleDeps } from './core/module.js';
import { installOpenApi } from './core/openapi.js';
import { installSecurityHeaders } from './core/security-headers.js';
import { createTaskEventBus } from './core/task-event-bus.js';
import { createWaiters } from './core/waiters.js';
import { algorithmRoutes } from './modules/algorithms/routes.js';
import { approvalRoutes } from './modules/approvals/routes.js';
import { hubSigningKey } from './modules/audit/hub-key.js';
import { auditRoutes } from './modules/audit/routes.js';
import { authRoutes } from './modules/auth/routes.js';
import { collaborationRoutes } from './modules/collaborations/routes.js';
import { dashboardRoutes, hasDashboard } from './modules/dashboard/routes.js';
import { eventRoutes } from './modules/events/routes.js';
import { healthRoutes } from './modules/health/routes.js';
import { onnxModelRoutes } from './modules/models/onnx-routes.js';
import { modelRoutes } from './modules/models/routes.js';
import { sweepExpiredLeases } from './modules/node-api/lease-sweeper.js';
import { nodeApiRoutes } from './modules/node-api/routes.js';
import { nodeRoutes } from './modules/nodes/routes.js';
import { organisationRoutes } from './modules/organisations/routes.js';
import { revocationRoutes } from './modules/revocation/routes.js';
import { studyRoutes } from './modules/studies/routes.js';
import { dropoutGraceMs, sweepDropouts } from './modules/tasks/dropout.js';
import { taskRoutes } from './modules/tasks/routes.js';
import { userRoutes } from './modules/users/routes.js';
import { HUB_VERSION } from './version.js';

export interface BuildHubOptions {
  config: HubConfig;
  /** An open, migrated database; the caller owns it (buildHub never closes it). */
  db: DbHandle;
  clock?: Clock;
  /** A pino logger; without one, Fastify creates one at `config.logLevel`. */
  log?: FastifyBaseLogger;
  /** The algorithms to offer (default: the built-in registry of @fedhub/algorithms). */
  algorithms?: AlgorithmRegistry;
}

/** The built-in algorithm registry as an {@link AlgorithmRegistry}. */
export const builtInAlgorithms: AlgorithmRegistry = Object.freeze({
  get: (name: string, version?: string) => getAlgorithm(name, version),
  list: () => listAlgorithms(),
});

/** Builds the hub's context (exported for tests and tools that drive services directly). */
export function createHubContext(opts: BuildHubOptions): HubContext {
  const clock = opts.clock ?? systemClock;
  bindMasterKey(opts.db, opts.config);
  let secret: Promise<Uint8Array> | undefined;
  let decoy: Promise<string> | undefined;
  const nowIso = () => new Date(clock.now()).toISOString();
  return {
    config: opts.config,
    db: opts.db,
    clock,
    algorithms: opts.algorithms ?? builtInAlgorithms,
    bus: createTaskEventBus(),
    claimWaiters: createWaiters(),
    taskWaiters: createWaiters(),
    nowIso,
    secret() {
      secret ??= loadOrCreateHubSecret(opts.db, nowIso()).catch((err: unknown) => {
        secret = undefined;
        throw err;
      });
      return secret;
    },
    decoyHash() {
      decoy ??= decoyPasswordHash();
      return decoy;
    },
  };
}

/** A context for command-line tools working on the database of a stopped hub (binds the master key). */
export function buildHubContextForTools(config: HubConfig, db: DbHandle): HubContext {
  return createHubContext({ config, db });
}

/**
 * Builds the hub: every route under `/api`, `/health`, `/openapi.json` and `/docs`. Does not listen;
 * tests call `inject()`, `startHub` calls `listen()`.
 */
export function buildHub(opts: BuildHubOptions): FastifyInstance {
  const ctx = createHubContext(opts);
  const app = Fastify({
    ...(opts.log
      ? { loggerInstance: opts.log }
      : {
          logger: {
            level: opts.config.logLevel,
            redact: ['req.headers.authorization', 'headers.authorization', '*.password', '*.refreshToken'],
          },
        }),
    // Request logging is ours (below): Fastify's default would log URLs with their query strings, and
    // the events socket carries `?access_token=` there.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  installSecurityHeaders(app as unknown as FastifyInstance);
  installJsonBodyParser(app as unknown as FastifyInstance);
  installBodyDepthLimit(app as unknown as FastifyInstance);
  installCors(app, opts.config.corsOrigins);
  app.addHook('onResponse', async (req, reply) => {
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    req.log[level](
      {
        method: req.method,
        path: req.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  const deps: ModuleDeps = { ctx, auth: createRequestAuth(ctx) };
  // One budget per signed-in user (whichever token they use), per IP for everyone else; login and
  // enrolment keep their own, smaller per-IP budgets (route config). Counted once the caller is known
  // (preHandler), so a user flooding from many addresses is still one user. Nodes are not counted here.
  app.register(fastifyRateLimit, {
    global: true,
    hook: 'preHandler',
    max: opts.config.userRateLimitPerMinute,
    timeWindow: 60_000,
    allowList: (req) => {
      const path = req.url.split('?')[0]!;
      return !path.startsWith('/api/') || (path.startsWith('/api/node/') && path !== '/api/node/enrol');
    },
    keyGenerator: async (req) => {
      const user = await deps.auth.optionalUser(req).catch(() => undefined);
      return user ? `user:${user.id}` : `ip:${req.ip}`;
    },
    errorResponseBuilder: (_req, c) =>
      new FedhubError('FH_ERR_RATE_LIMITED', `too many requests: retry in ${Math.ceil(c.ttl / 1000)} s`),
  });
  app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  if (opts.config.apiDocs) installOpenApi(app, HUB_VERSION);

  app.register(healthRoutes, deps);
  for (const module of [
    authRoutes,
    organisationRoutes,
    userRoutes,
    revocationRoutes,
    collaborationRoutes,
    nodeRoutes,
    studyRoutes,
    algorithmRoutes,
    taskRoutes,
    modelRoutes,
    onnxModelRoutes,
    auditRoutes,
    eventRoutes,
    nodeApiRoutes,
    approvalRoutes,
  ])
    app.register(module, { ...deps, prefix: '/api' });

  // the folder is given by whoever assembles the hub (the CLI: the web package's build); none: API only
  const dashboardDir = opts.config.dashboardDir;
  if (dashboardDir && hasDashboard(dashboardDir)) app.register(dashboardRoutes, { dir: dashboardDir });

  let sweeper: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    await ctx.secret();
    await hubSigningKey(opts.db, ctx.nowIso());
    const readyAt = ctx.clock.now();
    sweeper = setInterval(() => {
      sweepExpiredLeases(ctx).catch((err: unknown) =>
        app.log.error({ err: (err as Error).message }, 'lease sweep failed'),
      );
      sweepDropouts(ctx, dropoutGraceMs(opts.config), readyAt).catch((err: unknown) =>
        app.log.error({ err: (err as Error).message }, 'dropout sweep failed'),
      );
    }, opts.config.leaseSweepIntervalMs);
    sweeper.unref();
  });
  // End waiting claims and long-polls first, so closing does not wait for their timeouts.
  app.addHook('preClose', async () => {
    ctx.claimWaiters.close();
    ctx.taskWaiters.close();
  });
  app.addHook('onClose', async () => {
    if (sweeper) clearInterval(sweeper);
  });
  return app as unknown as FastifyInstance;
}
