/** The OpenAPI 3.1 document (`/openapi.json`) generated from the routes' zod schemas, and Swagger UI (`/docs`). */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/** Registers the document generator; call before the routes are registered. */
export function installOpenApi(app: FastifyInstance, version: string): void {
  app.register(fastifySwagger, {
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
  app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
