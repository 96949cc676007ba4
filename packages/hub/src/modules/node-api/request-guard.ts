/**
 * Order of checks on the node protocol routes, cheapest and most selective first, all before the body is
 * read (issue 15, item 1): a per-address budget of failed authentications (an address that spent it is
 * answered 429 before its token is even looked up), then the node token, then a per-node rate limit, then
 * (for a result) whether the run is this node's and currently claimed. Only then is the body read, parsed,
 * shape-checked and validated. The 16 MiB body limit of a result is granted to an authenticated node
 * posting to a run it holds; any other body on these routes may weigh {@link NODE_SMALL_BODY_LIMIT} at most.
 *
 * The address budget counts failures only, so that many nodes behind one address (a consortium's NAT, a
 * test on loopback) polling with valid tokens are never throttled for one another; each authenticated node
 * has its own budget of the same size, keyed by its id.
 */
import { Transform } from 'node:stream';
import { FedhubError } from '@fedhub/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ModuleDeps } from '../../core/module.js';

/** The largest result body: an authenticated node posting to a run it has claimed. */
export const NODE_RESULT_BODY_LIMIT = 16 * 1024 * 1024;

/** Every other body on the node routes (heartbeats, claims, a result for someone else's run). */
export const NODE_SMALL_BODY_LIMIT = 1024 * 1024;

const ENROL_PATH = '/api/node/enrol';
const RESULT_ROUTE = /^\/api\/node\/runs\/([^/?]+)\/result$/;

function tooLarge(limit: number): FedhubError {
  return new FedhubError('FH_ERR_PAYLOAD_TOO_LARGE', `the request body is larger than ${limit} bytes`, {
    limit,
  });
}

/** A pass-through stream that fails once more than `limit` bytes went through. */
function capped(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) done(Object.assign(tooLarge(limit), { statusCode: 413 }));
      else done(null, chunk);
    },
  });
}

/** Failed authentications per client address in fixed one-minute windows (per hub process). */
function failureBudget(maxPerMinute: number, windowMs = 60_000) {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const current = (ip: string, now: number) => {
    const w = windows.get(ip);
    if (w && w.resetAt > now) return w;
    if (w) windows.delete(ip);
    return undefined;
  };
  return {
    /** Throws 429 (with Retry-After) when `ip` has spent its budget of failures in the current window. */
    check(ip: string, reply: FastifyReply): void {
      const now = Date.now();
      const w = current(ip, now);
      if (!w || w.count < maxPerMinute) return;
      const seconds = Math.ceil((w.resetAt - now) / 1000);
      reply.header('retry-after', String(seconds));
      throw new FedhubError('FH_ERR_RATE_LIMITED', `too many requests: retry in ${seconds} s`);
    },
    fail(ip: string): void {
      const now = Date.now();
      if (windows.size >= 100_000) for (const [k, v] of windows) if (v.resetAt <= now) windows.delete(k);
      const w = current(ip, now);
      if (w) w.count++;
      else windows.set(ip, { count: 1, resetAt: now + windowMs });
    },
  };
}

/**
 * Installs the guard on the node protocol plugin (its hooks see only that plugin's routes). `maxPerMinute`
 * is both the budget of failed authentications per client address and the budget of requests per
 * authenticated node, shared by all node routes but enrolment (which has its own).
 */
export function installNodeRequestGuard(
  app: FastifyInstance,
  { ctx, auth }: ModuleDeps,
  maxPerMinute: number,
): void {
  const failures = failureBudget(maxPerMinute);
  const perNode = app.rateLimit({
    hook: 'onRequest',
    max: maxPerMinute,
    timeWindow: 60_000,
    keyGenerator: async (req: FastifyRequest) => `node:${(await auth.node(req)).id}`,
  });
  const bigBody = new WeakSet<FastifyRequest>();
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (path === ENROL_PATH) return;
    failures.check(req.ip, reply);
    let node: Awaited<ReturnType<typeof auth.node>>;
    try {
      node = await auth.node(req);
    } catch (err) {
      if (
        err instanceof FedhubError &&
        (err.code === 'FH_ERR_UNAUTHENTICATED' || err.code === 'FH_ERR_TOKEN_INVALID')
      )
        failures.fail(req.ip);
      throw err;
    }
    await perNode.call(app, req, reply);
    if (reply.sent) return;
    const m = RESULT_ROUTE.exec(path);
    if (!m) return;
    const run = await ctx.db.db
      .selectFrom('runs')
      .select('id')
      .where('id', '=', decodeURIComponent(m[1]!))
      .where('node_id', '=', node.id)
      .where('status', '=', 'claimed')
      .executeTakeFirst();
    if (run) bigBody.add(req);
  });
  app.addHook('preParsing', async (req, _reply, payload) => {
    if (bigBody.has(req)) return payload;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > NODE_SMALL_BODY_LIMIT) throw tooLarge(NODE_SMALL_BODY_LIMIT);
    return payload.pipe(capped(NODE_SMALL_BODY_LIMIT));
  });
}
