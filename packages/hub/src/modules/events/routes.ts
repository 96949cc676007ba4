/**
 * Task events over WebSocket (`GET /api/events`). The client authenticates with `?access_token=` (browsers
 * cannot set headers on a WebSocket) or the Authorization header, then sends `{ subscribe: { taskIds } }`
 * or `{ subscribe: { studyId } }`; it receives the TaskEvents of those tasks it may see. Events come from
 * this hub process; clients of a multi-process hub should also long-poll `/api/tasks/:id/wait`.
 */
import { EventSubscribeSchema, FedhubError, type TaskEvent } from '@fedhub/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { visibleCollaborationIds } from '../../access/membership.js';
import type { UserPrincipal } from '../../access/principal.js';
import type { HubModule } from '../../core/module.js';
import { authenticateUser, bearerOf } from '../auth/service.js';

const EventsQuerySchema = z.object({ access_token: z.string().max(4096).optional() });

export const eventRoutes: HubModule = async (app, { ctx }) => {
  const users = new WeakMap<FastifyRequest, { user: UserPrincipal; token: string }>();
  /** Open sockets per user in this process (at most maxSocketsPerUser). */
  const open = new Map<string, number>();
  app.get(
    '/events',
    {
      websocket: true,
      schema: {
        tags: ['events'],
        summary: 'WebSocket of task events (send {subscribe:{taskIds}} or {subscribe:{studyId}})',
        querystring: EventsQuerySchema,
      },
      preValidation: async (req) => {
        const q = req.query as { access_token?: string };
        const token = bearerOf(req.headers.authorization) ?? q.access_token;
        const user = await authenticateUser(ctx, token);
        if ((open.get(user.id) ?? 0) >= ctx.config.maxSocketsPerUser)
          throw new FedhubError(
            'FH_ERR_RATE_LIMITED',
            `at most ${ctx.config.maxSocketsPerUser} event sockets per user are open at once`,
          );
        users.set(req, { user, token: token! });
      },
    },
    (socket, req) => {
      const session = users.get(req);
      if (!session) {
        socket.close(4401, 'unauthenticated');
        return;
      }
      const { user } = session;
      open.set(user.id, (open.get(user.id) ?? 0) + 1);
      // the token is re-checked for revocation (sign-out, password change, deleted user) while the socket
      // is open: it closes within socketRecheckMs of the change
      const recheck = setInterval(() => {
        authenticateUser(ctx, session.token, { ignoreExpiry: true }).then(
          () => undefined,
          (err: unknown) => {
            if (err instanceof FedhubError && err.status === 401) socket.close(4401, 'token revoked');
          },
        );
      }, ctx.config.socketRecheckMs);
      recheck.unref();
      socket.on('close', () => {
        clearInterval(recheck);
        const n = (open.get(user.id) ?? 1) - 1;
        if (n > 0) open.set(user.id, n);
        else open.delete(user.id);
      });
      const taskIds = new Set<string>();
      const studyIds = new Set<string>();
      const send = (msg: unknown) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
      };
      const sendError = (err: FedhubError) => send({ error: err.toBody() });
      const unsubscribe = ctx.bus.subscribe((event: TaskEvent) => {
        if (event.type === 'task.created' && studyIds.has(event.studyId)) taskIds.add(event.taskId);
        if (taskIds.has(event.taskId)) send(event);
      });
      socket.on('close', unsubscribe);
      socket.on('message', (data: Buffer) => {
        void (async () => {
          let json: unknown;
          try {
            json = JSON.parse(data.toString('utf8'));
          } catch {
            return sendError(new FedhubError('FH_ERR_VALIDATION', 'messages must be JSON'));
          }
          const parsed = EventSubscribeSchema.safeParse(json);
          if (!parsed.success)
            return sendError(
              new FedhubError(
                'FH_ERR_VALIDATION',
                'expected {"subscribe":{"taskIds":[...]}} or {"subscribe":{"studyId":"..."}}',
                {
                  fields: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
                },
              ),
            );
          const vis = await visibleCollaborationIds(ctx.db.db, user);
          const wanted = parsed.data.subscribe.taskIds ?? [];
          if (wanted.length > 0) {
            let q = ctx.db.db.selectFrom('tasks').select('id').where('id', 'in', wanted);
            if (!vis.all) q = q.where('collaboration_id', 'in', vis.ids.size > 0 ? [...vis.ids] : ['']);
            for (const r of await q.execute()) taskIds.add(r.id);
          }
          const studyId = parsed.data.subscribe.studyId;
          if (studyId) {
            const study = await ctx.db.db
              .selectFrom('studies')
              .select(['id', 'collaboration_id'])
              .where('id', '=', studyId)
              .executeTakeFirst();
            if (study && vis.has(study.collaboration_id)) {
              studyIds.add(study.id);
              const tasks = await ctx.db.db
                .selectFrom('tasks')
                .select('id')
                .where('study_id', '=', study.id)
                .execute();
              for (const t of tasks) taskIds.add(t.id);
            }
          }
        })().catch((err: unknown) => {
          req.log.error({ err: (err as Error).message }, 'events subscription failed');
          sendError(new FedhubError('FH_ERR_INTERNAL'));
        });
      });
    },
  );
};
