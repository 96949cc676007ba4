import { sql } from '@fedhub/db';
import { z } from 'zod';
import type { HubModule } from '../../core/module.js';

const HealthSchema = z.object({ status: z.enum(['ok', 'unavailable']) }).meta({ id: 'Health' });

/** Liveness with a database round trip: 200 when the database answers, 503 otherwise. */
export const healthRoutes: HubModule = async (app, { ctx }) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Health check',
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (req, reply) => {
      try {
        await sql`select 1`.execute(ctx.db.db);
        return { status: 'ok' as const };
      } catch (err) {
        req.log.error({ err: (err as Error).message }, 'health check: database unreachable');
        reply.code(503);
        return { status: 'unavailable' as const };
      }
    },
  );
};
