import { AlgorithmInfoSchema } from '@fedhub/protocol';
import { z } from 'zod';
import type { HubModule } from '../../core/module.js';

export const algorithmRoutes: HubModule = async (app, { ctx, auth }) => {
  app.get(
    '/algorithms',
    {
      schema: {
        tags: ['algorithms'],
        summary: 'Algorithms installed on this hub',
        response: { 200: z.array(AlgorithmInfoSchema) },
      },
    },
    async (req) => {
      await auth.user(req);
      return ctx.algorithms.list().map((a) => ({
        name: a.name,
        version: a.version,
        title: a.title,
        description: a.description,
        digest: a.digest,
        paramsJsonSchema: a.paramsJsonSchema(),
        releases: a.releases,
      }));
    },
  );
};
