import {
  ErrorBodySchema,
  NodeOnnxModelResponseSchema,
  OnnxDigestParamsSchema,
  OnnxModelParamsSchema,
  OnnxModelSchema,
  RegisterOnnxModelRequestSchema,
} from '@fedhub/protocol';
import { z } from 'zod';
import type { HubModule } from '../../core/module.js';
import {
  getOnnxModel,
  listOnnxModels,
  ONNX_REGISTER_BODY_LIMIT,
  onnxFileForNode,
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
};
