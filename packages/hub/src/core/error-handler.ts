/**
 * The one place errors become `{ code, message, details }`: FedhubError keeps its code; request validation
 * becomes 400 FH_ERR_VALIDATION listing each field path; Fastify's own client errors map to the nearest
 * code; everything else is a logged 500 with a generic body (no stack, no internals).
 */
import { ERROR_CATALOGUE, type ErrorBody, type ErrorCode, FedhubError } from '@fedhub/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable } from './database-unavailable.js';

/** Seconds a client is told to wait when the database is unreachable. */
const DATABASE_RETRY_AFTER_SEC = 2;

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'FH_ERR_VALIDATION',
  401: 'FH_ERR_UNAUTHENTICATED',
  403: 'FH_ERR_FORBIDDEN',
  404: 'FH_ERR_NOT_FOUND',
  409: 'FH_ERR_CONFLICT',
  413: 'FH_ERR_PAYLOAD_TOO_LARGE',
  415: 'FH_ERR_VALIDATION',
  429: 'FH_ERR_RATE_LIMITED',
  503: 'FH_ERR_UNAVAILABLE',
};

function body(code: ErrorCode, message?: string, details?: unknown): ErrorBody {
  return details === undefined
    ? { code, message: message ?? ERROR_CATALOGUE[code].message }
    : { code, message: message ?? ERROR_CATALOGUE[code].message, details };
}

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | FedhubError | Error, req, reply) => {
    if (err instanceof FedhubError) {
      if (err.status >= 500) req.log.error({ code: err.code, err: err.message }, 'request failed');
      return reply.code(err.status).send(err.toBody());
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = (err as FastifyError).validationContext ?? 'body';
      const fields = err.validation.map((v) => ({
        path: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      }));
      return reply
        .code(400)
        .send(
          body(
            'FH_ERR_VALIDATION',
            `invalid request: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
            { fields },
          ),
        );
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err: err.message, url: req.routeOptions.url }, 'response does not match its schema');
      return reply.code(500).send(body('FH_ERR_INTERNAL'));
    }
    const status = (err as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const code = BY_STATUS[status] ?? 'FH_ERR_VALIDATION';
      return reply.code(status).send(body(code, err.message));
    }
    if (isDatabaseUnavailable(err)) {
      // The message names no host or credential: it goes to clients.
      req.log.warn({ err: err.message }, 'database unavailable');
      return reply
        .code(503)
        .header('retry-after', String(DATABASE_RETRY_AFTER_SEC))
        .send(body('FH_ERR_UNAVAILABLE', 'the hub cannot reach its database; retry shortly'));
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send(body('FH_ERR_INTERNAL'));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(body('FH_ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
}
