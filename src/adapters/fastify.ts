/**
 * @module adapters/fastify
 * `grantex/fastify`: a `requireGrant()` preHandler hook for Fastify. It
 * imports nothing from Fastify, which stays an optional peer dependency.
 */
import { createGrantChecker, type RequireGrantOptions, type VerifiedGrant } from './require-grant.js';

export type { GrantDenial, RequireGrantOptions, VerifiedGrant } from './require-grant.js';

/** The parts of a Fastify request the hook reads and writes. */
export interface GrantRequest {
  headers: Record<string, string | string[] | undefined>;
  /** Set by `requireGrant` once the token verified (declare it with `app.decorateRequest('grant', null)`). */
  grant?: VerifiedGrant | null;
}

/** The parts of a Fastify reply the hook uses to refuse. */
export interface GrantReply {
  code(statusCode: number): GrantReply;
  header(name: string, value: string): GrantReply;
  send(payload?: unknown): unknown;
}

/**
 * A Fastify `preHandler`: refuses with RFC 6750 answers unless the bearer
 * grant token verifies, then sets `request.grant`.
 *
 * @throws {GrantexTokenError} `invalid_options` at once when the options are wrong.
 * @example
 * ```ts
 * app.decorateRequest('grant', null);
 * app.get('/calendar', { preHandler: requireGrant({ jwksUri, scopes: ['calendar:read'] }) },
 *   async (request) => ({ for: grantOf(request).principalId }));
 * ```
 */
export function requireGrant(
  options: RequireGrantOptions,
): (request: GrantRequest, reply: GrantReply) => Promise<void> {
  const check = createGrantChecker(options);
  return async (request, reply) => {
    const header = request.headers.authorization;
    const result = await check(typeof header === 'string' ? header : Array.isArray(header) ? 'multiple' : undefined);
    if (result.ok) {
      request.grant = result.grant;
      return;
    }
    const { denial } = result;
    await reply
      .code(denial.status)
      .header('www-authenticate', denial.wwwAuthenticate)
      .header('cache-control', 'no-store')
      .send(denial.body);
  };
}

/** The grant `requireGrant` attached. @throws {TypeError} when the route is not behind `requireGrant`. */
export function grantOf(request: object): VerifiedGrant {
  const grant = (request as GrantRequest).grant;
  if (grant === undefined || grant === null) throw new TypeError('grantOf: this route is not behind requireGrant');
  return grant;
}
