/**
 * @module cors
 * CORS for browser apps calling the local server from another origin:
 * preflights are answered, and responses name the headers a client reads
 * (rate limits, `Retry-After`, the request id).
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

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

/** The middleware for `origins` (exact origins such as `http://localhost:5173`, or `*`). */
export function corsMiddleware(origins: readonly string[]): MiddlewareHandler {
  if (origins.length === 0) throw new RangeError('corsOrigins must name at least one origin (or "*")');
  for (const origin of origins) {
    if (origin !== ANY_ORIGIN && !isOrigin(origin))
      throw new RangeError(`Not an origin: ${JSON.stringify(origin)} (expected scheme://host[:port])`);
  }
  return cors({
    origin: origins.includes(ANY_ORIGIN) ? ANY_ORIGIN : [...origins],
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: [...CORS_ALLOW_HEADERS],
    exposeHeaders: [...CORS_EXPOSE_HEADERS],
    maxAge: 600,
  });
}

function isOrigin(text: string): boolean {
  try {
    return new URL(text).origin === text;
  } catch {
    return false;
  }
}
