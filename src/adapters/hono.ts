/**
 * @module adapters/hono
 * `grantex/hono`: `requireGrant()` middleware for Hono. Only Hono's types are
 * imported; Hono stays an optional peer dependency.
 */
import type { MiddlewareHandler } from 'hono';
import { createGrantChecker, type RequireGrantOptions, type VerifiedGrant } from './require-grant.js';

export type { GrantDenial, RequireGrantOptions, VerifiedGrant } from './require-grant.js';

/** The context variables `requireGrant` sets: `c.get('grant')`. */
export interface GrantVariables {
  grant: VerifiedGrant;
}

/**
 * Hono middleware: refuses with RFC 6750 answers unless the bearer grant
 * token verifies, then sets `c.var.grant`.
 *
 * @throws {GrantexTokenError} `invalid_options` at once when the options are wrong.
 * @example
 * ```ts
 * app.get('/calendar', requireGrant({ jwksUri, scopes: ['calendar:read'] }), (c) => c.json({ for: c.var.grant.principalId }));
 * ```
 */
export function requireGrant(options: RequireGrantOptions): MiddlewareHandler<{ Variables: GrantVariables }> {
  const check = createGrantChecker(options);
  return async (c, next) => {
    const result = await check(c.req.header('authorization'));
    if (!result.ok) {
      const { denial } = result;
      return c.json(denial.body, denial.status, {
        'WWW-Authenticate': denial.wwwAuthenticate,
        'Cache-Control': 'no-store',
      });
    }
    c.set('grant', result.grant);
    await next();
    return undefined;
  };
}
