/**
 * @module adapters/mcp
 * `grantex/mcp`: guards an MCP tool handler by the scopes the tool needs.
 * The grant token is read from the request's `authInfo` (which the MCP SDK's
 * HTTP transports fill from `req.auth`); nothing from the MCP SDK is
 * imported, so it stays an optional peer dependency.
 */
import { createGrantChecker, type GrantDenial, type RequireGrantOptions, type VerifiedGrant } from './require-grant.js';

export type { GrantDenial, RequireGrantOptions, VerifiedGrant } from './require-grant.js';

/** The part of the MCP SDK's `RequestHandlerExtra` the guard reads. */
export interface ToolCallExtra {
  authInfo?: { token: string };
}

/** An MCP tool error result, what a refused call answers (a type alias, so it fits the SDK's indexed result type). */
export type ToolErrorResult = {
  content: Array<{ type: 'text'; text: string }>;
  isError: true;
  /** The refusal in machine form: HTTP-like status, RFC 6750 error, scopes needed. */
  _meta: { status: number; error: string; scope?: string[] };
};

/** Options of {@link guardTool}. */
export type GuardToolOptions = RequireGrantOptions & {
  /** Where the grant token is. Default `extra.authInfo?.token`. */
  getToken?: (extra: ToolCallExtra) => string | undefined;
};

/**
 * Wraps a tool handler `(args, extra)` (for a tool without input schema,
 * `args` is `undefined`): it runs only when the
 * call's grant token verifies and carries `options.scopes`; the grant is
 * passed on as `extra.grant`. A refused call returns an MCP error result
 * (`isError: true`) whose text gives the RFC 6750 error code and the scopes
 * needed, never the token.
 *
 * @throws {GrantexTokenError} `invalid_options` at once when the options are wrong.
 * @example
 * ```ts
 * server.registerTool('send_email', { inputSchema: { to: z.string() } },
 *   guardTool({ jwksUri, scopes: ['email:send'] }, async ({ to }, extra) => send(to, extra.grant.principalId)));
 * ```
 */
export function guardTool<A, E extends ToolCallExtra, R>(
  options: GuardToolOptions,
  handler: (args: A, extra: E & { grant: VerifiedGrant }) => R | Promise<R>,
): (...params: [args: A, extra: E] | [extra: E]) => Promise<R | ToolErrorResult> {
  const { getToken = (extra: ToolCallExtra) => extra.authInfo?.token, ...rest } = options;
  const check = createGrantChecker(rest);
  return async (...params) => {
    // The SDK calls (args, extra) for tools with an input schema and (extra) for tools without.
    const extra = params[params.length - 1] as E;
    const token = typeof extra === 'object' && extra !== null ? getToken(extra) : undefined;
    const result = await check(token === undefined || token === '' ? undefined : `Bearer ${token}`);
    if (!result.ok) return toolError(result.denial);
    return handler((params.length === 2 ? params[0] : undefined) as A, { ...extra, grant: result.grant });
  };
}

function toolError(denial: GrantDenial): ToolErrorResult {
  const scope = denial.scope?.length ? ` (needs scope: ${denial.scope.join(' ')})` : '';
  return {
    content: [{ type: 'text', text: `${denial.error ?? 'unauthorized'}: ${denial.description}${scope}` }],
    isError: true,
    _meta: {
      status: denial.status,
      error: denial.error ?? 'unauthorized',
      ...(denial.scope ? { scope: [...denial.scope] } : {}),
    },
  };
}
