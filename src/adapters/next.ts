/**
 * @module adapters/next
 * `grantex/next`: guards Next.js App Router route handlers. Route handlers
 * take a Web `Request` and return a `Response`, so nothing from Next.js is
 * imported; it stays an optional peer dependency.
 */
import { createGrantChecker, type GrantDenial, type RequireGrantOptions, type VerifiedGrant } from './require-grant.js';

export type { GrantDenial, RequireGrantOptions, VerifiedGrant } from './require-grant.js';

/**
 * Wraps a route handler: it runs only when the request's bearer grant token
 * verifies, with the grant as a third argument; otherwise the answer is an
 * RFC 6750 refusal.
 *
 * @throws {GrantexTokenError} `invalid_options` at once when the options are wrong.
 * @example
 * ```ts
 * // app/api/calendar/route.ts
 * export const GET = withGrant({ jwksUri, scopes: ['calendar:read'] },
 *   async (request, context, grant) => Response.json({ for: grant.principalId }));
 * ```
 */
export function withGrant<C = unknown>(
  options: RequireGrantOptions,
  handler: (request: Request, context: C, grant: VerifiedGrant) => Response | Promise<Response>,
): (request: Request, context: C) => Promise<Response> {
  const check = createGrantChecker(options);
  return async (request, context) => {
    const result = await check(request.headers.get('authorization'));
    if (!result.ok) return denialResponse(result.denial);
    return handler(request, context, result.grant);
  };
}

/** The RFC 6750 answer for a refusal, for handlers that check by hand. */
export function denialResponse(denial: GrantDenial): Response {
  return Response.json(denial.body, {
    status: denial.status,
    headers: { 'www-authenticate': denial.wwwAuthenticate, 'cache-control': 'no-store' },
  });
}

/** Checks a request without answering it: `{ ok: true, grant }` or `{ ok: false, denial }`. */
export function grantChecker(
  options: RequireGrantOptions,
): (request: Request) => ReturnType<ReturnType<typeof createGrantChecker>> {
  const check = createGrantChecker(options);
  return (request) => check(request.headers.get('authorization'));
}
