import {
  CreateStudyRequestSchema,
  ErrorBodySchema,
  IdParamsSchema,
  IdSchema,
  StopStudyRequestSchema,
  StudySchema,
  UpdateStudyRequestSchema,
} from '@fedhub/protocol';
import { z } from 'zod';
import type { HubModule } from '../../core/module.js';
import { createStudy, getStudy, listStudies, stopStudy, updateStudy } from './service.js';

const StudyListQuerySchema = z.object({ collaborationId: IdSchema.optional() });

export const studyRoutes: HubModule = async (app, { ctx, auth }) => {
  app.get(
    '/studies',
    {
      schema: {
        tags: ['studies'],
        summary: 'Studies of your collaborations (or of one)',
        querystring: StudyListQuerySchema,
        response: { 200: z.array(StudySchema), 404: ErrorBodySchema },
      },
    },
    async (req) => listStudies(ctx, await auth.user(req), req.query.collaborationId),
  );
  app.get(
    '/studies/:id',
    {
      schema: {
        tags: ['studies'],
        summary: 'One study',
        params: IdParamsSchema,
        response: { 200: StudySchema, 404: ErrorBodySchema },
      },
    },
    async (req) => getStudy(ctx, await auth.user(req), req.params.id),
  );
  app.post(
    '/studies',
    {
      schema: {
        tags: ['studies'],
        summary: 'Create a study (researcher or hub-admin, member of the collaboration)',
        body: CreateStudyRequestSchema,
        response: { 201: StudySchema, 400: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema },
      },
    },
    async (req, reply) => {
      const s = await createStudy(ctx, await auth.user(req), req.body);
      reply.code(201);
      return s;
    },
  );
  app.patch(
    '/studies/:id',
    {
      schema: {
        tags: ['studies'],
        summary:
          'Change a study (researcher or hub-admin); changes that widen its permission are audited as such',
        params: IdParamsSchema,
        body: UpdateStudyRequestSchema,
        response: {
          200: StudySchema,
          400: ErrorBodySchema,
          403: ErrorBodySchema,
          404: ErrorBodySchema,
          409: ErrorBodySchema,
          422: ErrorBodySchema,
        },
      },
    },
    async (req) => updateStudy(ctx, await auth.user(req), req.params.id, req.body),
  );
  app.post(
    '/studies/:id/stop',
    {
      schema: {
        tags: ['studies'],
        summary: 'Stop a study at once (final): no more tasks, and nodes refuse its runs',
        params: IdParamsSchema,
        body: StopStudyRequestSchema,
        response: {
          200: StudySchema,
          400: ErrorBodySchema,
          403: ErrorBodySchema,
          404: ErrorBodySchema,
          409: ErrorBodySchema,
        },
      },
    },
    async (req) => stopStudy(ctx, await auth.user(req), req.params.id, req.body),
  );
};
