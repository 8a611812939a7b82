/**
 * @module adapters/express
 * `grantex/express`: `requireGrant()` middleware for Express 4 and 5. It
 * imports nothing from Express, which stays an optional peer dependency.
 */
import { createGrantChecker, type RequireGrantOptions, type VerifiedGrant } from './require-grant.js';

export type { GrantDenial, RequireGrantOptions, VerifiedGrant } from './require-grant.js';

declare global {
  namespace Express {
    interface Request {
      /** The grant `requireGrant` verified. */
      grant?: VerifiedGrant;
    }
  }
}

/** The parts of an Express request the middleware reads and writes. */
export interface GrantRequest {
  headers: Record<string, string | string[] | undefined>;
  /** Set by `requireGrant` once the token verified. */
  grant?: VerifiedGrant;
}

/** The parts of an Express response the middleware uses to refuse. */
export interface GrantResponse {
  status(code: number): GrantResponse;
  set(field: string, value: string): GrantResponse;
  json(body: unknown): unknown;
}

/**
 * Express middleware: refuses the request with RFC 6750 answers (401
 * `invalid_token`, 403 `insufficient_scope` with the `scope` needed) unless
 * its bearer grant token verifies, then sets `req.grant` and calls `next()`.
 *
 * @throws {GrantexTokenError} `invalid_options` at once when the options are wrong.
 * @example
 * ```ts
 * app.get('/calendar', requireGrant({ jwksUri, audience: 'https://api.example.com', scopes: ['calendar:read'] }),
 *   (req, res) => res.json({ for: grantOf(req).principalId }));
 * ```
 */
export function requireGrant(
  options: RequireGrantOptions,
): (req: GrantRequest, res: GrantResponse, next: (error?: unknown) => void) => Promise<void> {
  const check = createGrantChecker(options);
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const result = await check(typeof header === 'string' ? header : Array.isArray(header) ? 'multiple' : undefined);
    if (result.ok) {
      req.grant = result.grant;
      next();
      return;
    }
    const { denial } = result;
    res.status(denial.status).set('WWW-Authenticate', denial.wwwAuthenticate).set('Cache-Control', 'no-store');
    res.json(denial.body);
  };
}

/** The grant `requireGrant` attached. @throws {TypeError} when the route is not behind `requireGrant`. */
export function grantOf(req: GrantRequest): VerifiedGrant {
  if (req.grant === undefined) throw new TypeError('grantOf: this route is not behind requireGrant');
  return req.grant;
}
