/** The OpenAPI 3.1 document (`/openapi.json`) generated from the routes' zod schemas, and Swagger UI (`/docs`). */
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * Registers the document generator; call before the routes are registered. The plugins are imported when
 * fastify loads them (in registration order, so the generator still sees every route), not when the hub's
 * module is imported: a hub built without API docs never loads them.
 */
export function installOpenApi(app: FastifyInstance, version: string): void {
  app.register(import('@fastify/swagger'), {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'fedhub hub API',
        description:
          'Coordination server of a federated analytics network: organisations, collaborations, nodes, studies, tasks and the node protocol. Patient-level data never passes through it.',
        version,
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  app.register(import('@fastify/swagger-ui'), { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
