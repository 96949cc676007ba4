import { FedhubError } from '@fedhub/protocol';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { installErrorHandler } from './error-handler.js';

function app() {
  const logged: unknown[] = [];
  const a = Fastify({
    logger: { level: 'error', stream: { write: (line: string) => logged.push(JSON.parse(line)) } },
  });
  a.setValidatorCompiler(validatorCompiler);
  a.setSerializerCompiler(serializerCompiler);
  installErrorHandler(a);
  a.get('/boom', async () => {
    throw new Error('secret internals at /srv/db password=hunter2');
  });
  a.get('/coded', async () => {
    throw new FedhubError('FH_ERR_SMALL_CELL', 'a cell holds 3', { cell: 'x' });
  });
  a.get(
    '/bad-response',
    { schema: { response: { 200: z.object({ n: z.number() }) } } },
    async () => ({ n: 'x' }) as never,
  );
  a.post('/limited', { bodyLimit: 10 }, async () => ({}));
  return { a, logged };
}

it('hides unexpected errors behind a generic 500 and logs them with the request id', async () => {
  const { a, logged } = app();
  const res = await a.inject('/boom');
  expect(res.statusCode).toBe(500);
  expect(res.json()).toEqual({ code: 'FH_ERR_INTERNAL', message: 'Internal error' });
  expect(res.body).not.toContain('hunter2');
  expect(logged.some((l) => (l as { reqId?: string }).reqId === 'req-1')).toBe(true);
});

it('keeps coded errors, and maps response-schema and body-size failures', async () => {
  const { a } = app();
  const coded = await a.inject('/coded');
  expect(coded.statusCode).toBe(422);
  expect(coded.json()).toEqual({
    code: 'FH_ERR_SMALL_CELL',
    message: 'a cell holds 3',
    details: { cell: 'x' },
  });
  const bad = await a.inject('/bad-response');
  expect(bad.statusCode).toBe(500);
  expect(bad.json().code).toBe('FH_ERR_INTERNAL');
  const big = await a.inject({ method: 'POST', url: '/limited', payload: { text: 'x'.repeat(100) } });
  expect(big.statusCode).toBe(413);
  expect(big.json().code).toBe('FH_ERR_PAYLOAD_TOO_LARGE');
  const none = await a.inject('/nowhere?token=abc');
  expect(none.json()).toEqual({ code: 'FH_ERR_NOT_FOUND', message: 'no route GET /nowhere' });
});
