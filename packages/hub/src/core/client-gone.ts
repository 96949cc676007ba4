/** An AbortSignal that fires when the client of a long-poll disconnects before its answer is sent. */
import type { FastifyReply } from 'fastify';

/** Aborts when the reply's connection closes before the response was written. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) controller.abort();
  });
  return controller.signal;
}
