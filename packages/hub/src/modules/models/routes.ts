import {
  AttachValidationRequestSchema,
  ErrorBodySchema,
  ModelCardSchema,
  ModelNameParamsSchema,
  ModelVersionParamsSchema,
  ModelVersionSchema,
  RegisterModelRequestSchema,
  TaskSchema,
  ValidateModelRequestSchema,
} from '@fedhub/protocol';
import { z } from 'zod';
import type { HubModule } from '../../core/module.js';
import { buildModelCard, renderModelCardHtml } from './card.js';
import { attachValidation, getModelVersion, listModels, registerModel, validateModel } from './service.js';

const errors = { 400: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema };

export const modelRoutes: HubModule = async (app, { ctx, auth }) => {
  app.post(
    '/models',
    {
      schema: {
        tags: ['models'],
        summary: 'Register a completed glm or coxph task as the next version of a model',
        body: RegisterModelRequestSchema,
        response: { 201: ModelVersionSchema, ...errors },
      },
    },
    async (req, reply) => {
      const mv = await registerModel(ctx, await auth.user(req), req.body);
      reply.code(201);
      return mv;
    },
  );
  app.get(
    '/models',
    {
      schema: {
        tags: ['models'],
        summary: 'Every version of the models of your collaborations',
        response: { 200: z.array(ModelVersionSchema) },
      },
    },
    async (req) => listModels(ctx, await auth.user(req)),
  );
  app.get(
    '/models/:name',
    {
      schema: {
        tags: ['models'],
        summary: 'The versions of one model',
        params: ModelNameParamsSchema,
        response: { 200: z.array(ModelVersionSchema), 404: ErrorBodySchema },
      },
    },
    async (req) => listModels(ctx, await auth.user(req), req.params.name),
  );
  app.get(
    '/models/:name/versions/:version',
    {
      schema: {
        tags: ['models'],
        summary: 'One model version with its validations',
        params: ModelVersionParamsSchema,
        response: { 200: ModelVersionSchema, 404: ErrorBodySchema },
      },
    },
    async (req) => getModelVersion(ctx, await auth.user(req), req.params.name, req.params.version),
  );
  app.post(
    '/models/:name/versions/:version/validate',
    {
      schema: {
        tags: ['models'],
        summary:
          "Validate the version at a study's nodes: submits a validate task with its frozen coefficients",
        params: ModelVersionParamsSchema,
        body: ValidateModelRequestSchema,
        response: { 201: TaskSchema, ...errors, 422: ErrorBodySchema },
      },
    },
    async (req, reply) => {
      const task = await validateModel(
        ctx,
        await auth.user(req),
        req.params.name,
        req.params.version,
        req.body,
      );
      reply.code(201);
      return task;
    },
  );
  app.post(
    '/models/:name/versions/:version/validations',
    {
      schema: {
        tags: ['models'],
        summary: 'Attach the report of a completed validate task run with this version’s coefficients',
        params: ModelVersionParamsSchema,
        body: AttachValidationRequestSchema,
        response: { 201: ModelVersionSchema, ...errors },
      },
    },
    async (req, reply) => {
      const mv = await attachValidation(
        ctx,
        await auth.user(req),
        req.params.name,
        req.params.version,
        req.body.taskId,
      );
      reply.code(201);
      return mv;
    },
  );
  app.get(
    '/models/:name/versions/:version/card',
    {
      schema: {
        tags: ['models'],
        summary: 'The model card (JSON)',
        params: ModelVersionParamsSchema,
        response: { 200: ModelCardSchema, 404: ErrorBodySchema },
      },
    },
    async (req) =>
      buildModelCard(await getModelVersion(ctx, await auth.user(req), req.params.name, req.params.version)),
  );
  app.get(
    '/models/:name/versions/:version/card.html',
    {
      schema: {
        tags: ['models'],
        summary: 'The model card as a standalone HTML page',
        params: ModelVersionParamsSchema,
        produces: ['text/html'],
      },
    },
    async (req, reply) => {
      const mv = await getModelVersion(ctx, await auth.user(req), req.params.name, req.params.version);
      reply.type('text/html; charset=utf-8');
      return renderModelCardHtml(buildModelCard(mv));
    },
  );
};
