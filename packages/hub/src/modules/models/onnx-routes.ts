import {
  AttachValidationRequestSchema,
  ErrorBodySchema,
  NodeOnnxModelResponseSchema,
  OnnxDigestParamsSchema,
  OnnxModelParamsSchema,
  OnnxModelSchema,
  RegisterOnnxModelRequestSchema,
} from '@fedhub/protocol';
import { z } from 'zod';
import type { HubModule } from '../../core/module.js';
import { renderOnnxReportHtml } from './onnx-report.js';
import {
  attachOnnxValidation,
  getOnnxModel,
  listOnnxModels,
  ONNX_REGISTER_BODY_LIMIT,
  onnxFileForNode,
  onnxValidationReport,
  registerOnnxModel,
} from './onnx-service.js';

const errors = {
  400: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
  413: ErrorBodySchema,
  422: ErrorBodySchema,
};

export const onnxModelRoutes: HubModule = async (app, { ctx, auth }) => {
  app.post(
    '/onnx-models',
    {
      bodyLimit: ONNX_REGISTER_BODY_LIMIT,
      schema: {
        tags: ['models'],
        summary:
          'Register an ONNX file (base64) with its model card: the hub checks it and reads its signature',
        body: RegisterOnnxModelRequestSchema,
        response: { 201: OnnxModelSchema, ...errors },
      },
    },
    async (req, reply) => {
      const m = await registerOnnxModel(ctx, await auth.user(req), req.body);
      reply.code(201);
      return m;
    },
  );
  app.get(
    '/onnx-models',
    {
      schema: {
        tags: ['models'],
        summary: 'The ONNX models of your collaborations',
        response: { 200: z.array(OnnxModelSchema) },
      },
    },
    async (req) => listOnnxModels(ctx, await auth.user(req)),
  );
  app.get(
    '/onnx-models/:name/versions/:version',
    {
      schema: {
        tags: ['models'],
        summary: 'One ONNX model: digest, signature, card',
        params: OnnxModelParamsSchema,
        response: { 200: OnnxModelSchema, 404: ErrorBodySchema },
      },
    },
    async (req) => getOnnxModel(ctx, await auth.user(req), req.params.name, req.params.version),
  );
  app.get(
    '/node/onnx-models/:sha256',
    {
      schema: {
        tags: ['node protocol'],
        summary: "A model file of the node's collaboration, by sha256 (the node checks the bytes against it)",
        params: OnnxDigestParamsSchema,
        response: { 200: NodeOnnxModelResponseSchema, 401: ErrorBodySchema, 404: ErrorBodySchema },
      },
    },
    async (req) => onnxFileForNode(ctx, await auth.node(req), req.params.sha256),
  );
  app.post(
    '/onnx-models/:name/versions/:version/validations',
    {
      schema: {
        tags: ['models'],
        summary: "Attach a completed validate task that ran this model's file, for the validation report",
        params: OnnxModelParamsSchema,
        body: AttachValidationRequestSchema,
        response: {
          201: z.object({ modelId: z.string(), taskId: z.string(), studyId: z.string() }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const r = await attachOnnxValidation(
        ctx,
        await auth.user(req),
        req.params.name,
        req.params.version,
        req.body.taskId,
      );
      reply.code(201);
      return r;
    },
  );
  app.get(
    '/onnx-models/:name/versions/:version/report',
    {
      schema: {
        tags: ['models'],
        summary:
          'The validation report (JSON), signed by the hub: card, per-study metrics, TRIPOD+AI/CLAIM checklist',
        params: OnnxModelParamsSchema,
        response: { 200: z.record(z.string(), z.unknown()), 404: ErrorBodySchema },
      },
    },
    async (req) => onnxValidationReport(ctx, await auth.user(req), req.params.name, req.params.version),
  );
  app.get(
    '/onnx-models/:name/versions/:version/report.html',
    {
      schema: {
        tags: ['models'],
        summary: 'The signed validation report as a standalone HTML page',
        params: OnnxModelParamsSchema,
        produces: ['text/html'],
      },
    },
    async (req, reply) => {
      const report = await onnxValidationReport(
        ctx,
        await auth.user(req),
        req.params.name,
        req.params.version,
      );
      reply.type('text/html; charset=utf-8');
      return renderOnnxReportHtml(report);
    },
  );
};
