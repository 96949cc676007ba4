/** Per-request authentication, resolved lazily and at most once per request. */
import { FedhubError } from '@fedhub/protocol';
import type { FastifyRequest } from 'fastify';
import type { HubContext } from '../core/context.js';
import { authenticateNode, authenticateUser, bearerOf } from '../modules/auth/service.js';
import type { NodePrincipal, UserPrincipal } from './principal.js';

export interface RequestAuth {
  /** The signed-in user; throws 401 when there is none. */
  user(req: FastifyRequest): Promise<UserPrincipal>;
  /** The calling node; throws 401 when there is none. */
  node(req: FastifyRequest): Promise<NodePrincipal>;
  /** The user when the request carries a user token, else undefined (never throws for a missing token). */
  optionalUser(req: FastifyRequest): Promise<UserPrincipal | undefined>;
}

/**
 * What a user signed in with a one-time password may do (`initHub`'s first administrator): see who they
 * are, change the password, sign out.
 */
const ONE_TIME_PASSWORD_ROUTES = new Set(['GET /api/me', 'POST /api/me/password', 'POST /api/auth/logout']);

/** Authentication bound to one hub instance (the cache is per instance, not module state). */
export function createRequestAuth(ctx: HubContext): RequestAuth {
  const users = new WeakMap<FastifyRequest, Promise<UserPrincipal>>();
  const nodes = new WeakMap<FastifyRequest, Promise<NodePrincipal>>();
  const resolve = (req: FastifyRequest) => {
    let p = users.get(req);
    if (!p) {
      p = authenticateUser(ctx, bearerOf(req.headers.authorization));
      users.set(req, p);
    }
    return p;
  };
  const user = async (req: FastifyRequest) => {
    const u = await resolve(req);
    if (u.passwordChangeRequired && !ONE_TIME_PASSWORD_ROUTES.has(`${req.method} ${req.routeOptions.url}`))
      throw new FedhubError('FH_ERR_PASSWORD_CHANGE_REQUIRED');
    return u;
  };
  return {
    user,
    node(req) {
      let p = nodes.get(req);
      if (!p) {
        p = authenticateNode(ctx, bearerOf(req.headers.authorization));
        nodes.set(req, p);
      }
      return p;
    },
    async optionalUser(req) {
      try {
        return await resolve(req);
      } catch (err) {
        if (err instanceof FedhubError && err.code === 'FH_ERR_UNAUTHENTICATED') return undefined;
        throw err;
      }
    },
  };
}
