/**
 * Security headers on every response (issue 15, item 12): no framing (clickjacking), no MIME sniffing,
 * no referrer leaving the hub (deep links carry object ids), and a Content-Security-Policy that lets the
 * dashboard load only its own scripts and talk only to its own origin. The API docs page (Swagger UI)
 * gets the same policy with inline scripts allowed, which it needs.
 */
import type { FastifyInstance } from 'fastify';

/** The policy of the dashboard and of every API response. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // React sets style attributes; styles cannot run code
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const DOCS_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");

/** Adds the headers to every response, errors and 404s included. */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    const path = req.url.split('?')[0]!;
    reply.header(
      'content-security-policy',
      path === '/docs' || path.startsWith('/docs/') ? DOCS_POLICY : CONTENT_SECURITY_POLICY,
    );
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    return payload;
  });
}
