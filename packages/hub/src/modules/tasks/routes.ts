import {
  CreateTaskRequestSchema,
  ErrorBodySchema,
  IdParamsSchema,
  IdSchema,
  SlugSchema,
  TaskDetailSchema,
  TaskListEntrySchema,
  TaskSchema,
  WaitQuerySchema,
} from '@fedhub/protocol';
import { z } from 'zod';
import { clientGone } from '../../core/client-gone.js';
import type { HubModule } from '../../core/module.js';
import { cancelTask, createTask, getTaskDetail, listTasks, waitForTask } from './service.js';

const TaskListQuerySchema = z.object({
  studyId: IdSchema.optional(),
  mine: z.enum(['true', 'false']).optional().describe("true: only the caller's own tasks, across studies"),
  algorithm: z
    .string()
    .max(400)
    .refine((v) => v.split(',').every((a) => SlugSchema.safeParse(a).success), {
      message: 'a comma-separated list of algorithm names',
    })
    .optional()
    .describe('Only tasks of these algorithms (comma-separated, e.g. glm,coxph)'),
  withResults: z
    .enum(['true', 'false'])
    .optional()
    .describe('true: each entry carries its `result` (lists leave it out; narrow with studyId/algorithm)'),
});
const TaskWaitResponseSchema = TaskDetailSchema.extend({
  revision: z.int().describe('Pass as `since` in the next wait'),
}).meta({ id: 'TaskWaitResponse' });

export const taskRoutes: HubModule = async (app, { ctx, auth }) => {
  app.post(
    '/tasks',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Submit a task: run an algorithm on the study nodes',
        body: CreateTaskRequestSchema,
        response: {
          201: TaskSchema,
          400: ErrorBodySchema,
          403: ErrorBodySchema,
          404: ErrorBodySchema,
          422: ErrorBodySchema,
        },
      },
    },
    async (req, reply) => {
      const task = await createTask(ctx, await auth.user(req), req.body);
      reply.code(201);
      return task;
    },
  );
  app.get(
    '/tasks',
    {
      schema: {
        tags: ['tasks'],
        summary:
          'Tasks of your collaborations (or of one study, or your own: mine=true), newest first, without results (withResults=true: with them)',
        querystring: TaskListQuerySchema,
        response: { 200: z.array(TaskListEntrySchema), 400: ErrorBodySchema, 404: ErrorBodySchema },
      },
    },
    async (req) =>
      listTasks(ctx, await auth.user(req), {
        studyId: req.query.studyId,
        mine: req.query.mine === 'true',
        algorithms: req.query.algorithm?.split(','),
        withResults: req.query.withResults === 'true',
      }),
  );
  app.get(
    '/tasks/:id',
    {
      schema: {
        tags: ['tasks'],
        summary: 'One task with its runs',
        params: IdParamsSchema,
        response: { 200: TaskDetailSchema, 404: ErrorBodySchema },
      },
    },
    async (req) => getTaskDetail(ctx, await auth.user(req), req.params.id),
  );
  app.get(
    '/tasks/:id/wait',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Long-poll: the task once its revision passes `since` (or after timeoutMs)',
        params: IdParamsSchema,
        querystring: WaitQuerySchema,
        response: { 200: TaskWaitResponseSchema, 404: ErrorBodySchema },
      },
    },
    async (req, reply) =>
      waitForTask(
        ctx,
        await auth.user(req),
        req.params.id,
        req.query.since,
        req.query.timeoutMs,
        clientGone(reply),
      ),
  );
  app.post(
    '/tasks/:id/cancel',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Cancel a running task',
        params: IdParamsSchema,
        response: { 200: TaskSchema, 403: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema },
      },
    },
    async (req) => cancelTask(ctx, await auth.user(req), req.params.id),
  );
};
