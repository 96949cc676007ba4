/** The shape of a feature module: a Fastify plugin that receives the hub's dependencies as options. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RequestAuth } from '../access/request-auth.js';
import type { HubContext } from './context.js';

export interface ModuleDeps {
  ctx: HubContext;
  auth: RequestAuth;
}

/** A feature module (routes of one concern, registered under /api or at the root). */
export type HubModule = FastifyPluginAsyncZod<ModuleDeps>;
