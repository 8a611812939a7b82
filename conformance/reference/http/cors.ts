/**
 * @module cors
 * CORS for browser apps calling the local server from another origin:
 * preflights are answered, and responses name the headers a client reads
 * (rate limits, `Retry-After`, the request id).
 *
 * Headers go on the response after the route has answered, never on a
 * placeholder response before it: a placeholder makes Hono rebuild the
 * route's response around a stream, which costs every request a
 * ReadableStream and the Node adapter's slow path.
 */
import type { MiddlewareHandler } from 'hono';

/** Every origin, the local-development default. */
export const ANY_ORIGIN = '*';

/** Request headers a client of the API sends. */
export const CORS_ALLOW_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key'] as const;

/** Response headers a client of the API reads. */
export const CORS_EXPOSE_HEADERS = [
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'retry-after',
  'x-request-id',
] as const;

const ALLOW_METHODS = 'GET,POST,PUT,PATCH,DELETE';
const MAX_AGE_S = '600';

/** The middleware for `origins` (exact origins such as `http://localhost:5173`, or `*`). */
export function corsMiddleware(origins: readonly string[]): MiddlewareHandler {
  if (origins.length === 0) throw new RangeError('corsOrigins must name at least one origin (or "*")');
  for (const origin of origins) {
    if (origin !== ANY_ORIGIN && !isOrigin(origin))
      throw new RangeError(`Not an origin: ${JSON.stringify(origin)} (expected scheme://host[:port])`);
  }
  const any = origins.includes(ANY_ORIGIN);
  const listed = new Set(origins);
  const expose = CORS_EXPOSE_HEADERS.join(',');
  const allowHeaders = CORS_ALLOW_HEADERS.join(',');
  /** Sets the headers every answer to a request from `origin` carries (on every request: no objects made). */
  const addCors = (headers: Headers, origin: string): void => {
    const allowed = any ? ANY_ORIGIN : listed.has(origin) ? origin : undefined;
    if (allowed !== undefined) headers.set('access-control-allow-origin', allowed);
    headers.set('access-control-expose-headers', expose);
    // The answer depends on the caller's origin only when origins are listed.
    if (!any) headers.append('vary', 'Origin');
  };
  return async (c, next) => {
    const origin = c.req.header('origin') ?? '';
    if (c.req.method === 'OPTIONS') {
      // A preflight, whatever the path: answered here, without the route.
      const headers = new Headers({
        'access-control-max-age': MAX_AGE_S,
        'access-control-allow-methods': ALLOW_METHODS,
        'access-control-allow-headers': allowHeaders,
        vary: 'Access-Control-Request-Headers',
      });
      addCors(headers, origin);
      return new Response(null, { status: 204, headers });
    }
    await next();
    try {
      addCors(c.res.headers, origin);
    } catch {
      // Immutable headers (a fetched answer, say): the same answer, rebuilt with headers of its own.
      c.res = new Response(c.res.body, c.res);
      addCors(c.res.headers, origin);
    }
  };
}

function isOrigin(text: string): boolean {
  try {
    return new URL(text).origin === text;
  } catch {
    return false;
  }
}
