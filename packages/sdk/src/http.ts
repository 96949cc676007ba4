import { type ErrorBody, ErrorBodySchema } from '@fedhub/protocol';
import type { z } from 'zod';

/** An error answered by the hub (or a transport failure, with code FH_ERR_UNAVAILABLE and status 0). */
export class HubRequestError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;
  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.name = 'HubRequestError';
    this.code = body.code;
    this.status = status;
    this.details = body.details;
  }
  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export interface HttpOptions {
  baseUrl: string;
  /** Returns the Authorization header value, or undefined for anonymous calls. */
  authorization?: () => Promise<string | undefined> | string | undefined;
  fetch?: typeof fetch;
  /** Per-request timeout in ms (long-polls add their own wait). */
  timeoutMs?: number;
}

/** A small JSON-over-HTTP caller that validates every response with its zod schema. */
export class JsonHttp {
  readonly baseUrl: string;
  private readonly opts: HttpOptions;
  constructor(opts: HttpOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.opts = opts;
  }

  async request<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    schema: S,
    body?: unknown,
    extra: { timeoutMs?: number; anonymous?: boolean; authorization?: string; signal?: AbortSignal } = {},
  ): Promise<z.output<S>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const auth = extra.authorization ?? (extra.anonymous ? undefined : await this.opts.authorization?.());
    if (auth) headers.authorization = auth;
    const f = this.opts.fetch ?? fetch;
    let res: Response;
    try {
      res = await f(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: extra.signal
          ? AbortSignal.any([
              extra.signal,
              AbortSignal.timeout(extra.timeoutMs ?? this.opts.timeoutMs ?? 30_000),
            ])
          : AbortSignal.timeout(extra.timeoutMs ?? this.opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const reason =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new HubRequestError(0, {
        code: 'FH_ERR_UNAVAILABLE',
        message: `cannot reach the hub at ${this.baseUrl}: ${reason}`,
      });
    }
    const text = await res.text();
    let json: unknown = null;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        throw new HubRequestError(res.status, {
          code: 'FH_ERR_INTERNAL',
          message: `the hub answered ${res.status} with a body that is not JSON`,
        });
      }
    }
    if (!res.ok) {
      const parsed = ErrorBodySchema.safeParse(json);
      throw new HubRequestError(
        res.status,
        parsed.success ? parsed.data : { code: 'FH_ERR_INTERNAL', message: `the hub answered ${res.status}` },
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new HubRequestError(res.status, {
        code: 'FH_ERR_INTERNAL',
        message: `unexpected response from ${method} ${path}: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      });
    return parsed.data;
  }
}
