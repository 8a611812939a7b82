/**
 * @module adapters/require-grant
 * The framework-free core of every `requireGrant` adapter: reads the
 * `Authorization: Bearer` header, verifies the grant token offline (and its
 * revocation state when asked), checks scopes and audience, and turns every
 * refusal into an RFC 6750 answer that never carries the token.
 */
import type { RevocationOptions } from '../integrity/revocation/guard.js';
import type { VerifiedGrant } from '../integrity/verify/claims.js';
import { GrantexTokenError, type GrantexTokenErrorCode } from '../integrity/verify/errors.js';
import {
  createGrantVerifier,
  type GrantClaimOptions,
  type GrantKeySource,
  type GrantVerifier,
  type RemoteJwksOptions,
} from '../integrity/verify/grant-token.js';

export type { VerifiedGrant } from '../integrity/verify/claims.js';

/** Why a request was refused, as the `onDenied` hook sees it. Never holds the token. */
export interface GrantDenial {
  /** 400 (unreadable header), 401 (no or bad token), 403 (missing scope) or 503 (keys or revocation state unavailable). */
  status: 400 | 401 | 403 | 503;
  /** The RFC 6750 error code, absent when the request carried no credentials (RFC 6750 §3.1). */
  error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'temporarily_unavailable';
  /** A fixed description of the reason; names no value from the token. */
  description: string;
  /** The verifier's reason, when a token was read. */
  code?: GrantexTokenErrorCode | 'missing_token' | 'malformed_header';
  /** The scopes the route needs (set on 403). */
  scope?: readonly string[];
  /** The header to answer with. */
  wwwAuthenticate: string;
  /** The JSON body to answer with: `{ error, error_description }` (`unauthorized` when no token was sent). */
  body: { error: string; error_description: string };
}

/** Options of `requireGrant` in every adapter. */
export type RequireGrantOptions = Omit<GrantClaimOptions, 'requiredScopes'> &
  (GrantKeySource | { verifier: GrantVerifier; jwks?: never; jwksUri?: never }) &
  RemoteJwksOptions & {
    /** Scopes the route needs; all must be in the token's `scp`. Default none. */
    scopes?: readonly string[];
    /**
     * Revocation-aware verification (see `createGrantVerifier`'s `revocation`):
     * e.g. `{ online: { baseUrl, apiKey } }` checks high-stakes scopes online.
     */
    online?: RevocationOptions;
    /** The `realm` in `WWW-Authenticate`. Default `grantex`. */
    realm?: string;
    /**
     * Called on every refusal, before the answer is sent (for logs and
     * metrics; the denial never carries the token). Errors it throws are ignored.
     */
    onDenied?: (denial: GrantDenial) => void;
    /** The clock (tests). Default: now. */
    now?: () => Date;
  };

/** The outcome of one check. */
export type GrantCheck = { ok: true; grant: VerifiedGrant } | { ok: false; denial: GrantDenial };

/** Checks one request's `Authorization` header value. Never rejects. */
export type GrantChecker = (
  authorization: string | null | undefined,
  scopes?: readonly string[],
) => Promise<GrantCheck>;

/** RFC 6750 §2.1: `Bearer` then a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

const DESCRIPTIONS: Partial<Record<GrantexTokenErrorCode, string>> = {
  malformed: 'the token is not a well-formed grant token',
  unsupported_alg: 'the token is not signed with RS256',
  unknown_key: 'the token was not signed by a known key',
  bad_signature: 'the token signature does not verify',
  invalid_claims: 'the token claims are missing or invalid',
  expired: 'the token has expired',
  not_yet_valid: 'the token is not valid yet',
  wrong_issuer: 'the token was issued by another issuer',
  wrong_audience: 'the token is meant for another audience',
  insufficient_scope: 'the token lacks a required scope',
  delegation_too_deep: 'the token is delegated too deeply',
  revoked: 'the token has been revoked',
  jwks_unavailable: 'the signing keys are unavailable',
  revocation_unavailable: 'the revocation state is unavailable',
};

/**
 * Builds the checker an adapter calls per request. The verifier (and its key
 * cache) is created once, here; bad options throw at once.
 *
 * @throws {GrantexTokenError} `invalid_options`.
 */
export function createGrantChecker(options: RequireGrantOptions): GrantChecker {
  if (typeof options !== 'object' || options === null)
    throw new GrantexTokenError('invalid_options', 'requireGrant needs options');
  const { scopes = [], realm = 'grantex', onDenied, now } = options;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)))
    throw new GrantexTokenError('invalid_options', '"scopes" must be scope tokens (RFC 6749 §3.3)');
  if (!/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(realm))
    throw new GrantexTokenError('invalid_options', '"realm" must be printable ASCII without quotes or backslashes');
  const verifier = 'verifier' in options && options.verifier !== undefined ? options.verifier : buildVerifier(options);
  const deny = (denial: GrantDenial): GrantCheck => {
    try {
      onDenied?.(denial);
    } catch {
      // A failing hook must not turn a refusal into a crash or a pass.
    }
    return { ok: false, denial };
  };
  return async (authorization, extraScopes = []) => {
    const needed = [...scopes, ...extraScopes];
    if (authorization === undefined || authorization === null || authorization === '')
      return deny(denial(realm, 401, undefined, 'missing_token', 'the request carries no bearer token'));
    const match = BEARER.exec(authorization);
    if (match === null)
      return deny(
        denial(realm, 400, 'invalid_request', 'malformed_header', 'the Authorization header is not "Bearer <token>"'),
      );
    try {
      const grant = await verifier.verify(match[1]!, {
        requiredScopes: needed,
        ...(now ? { currentDate: now() } : {}),
      });
      return { ok: true, grant };
    } catch (error) {
      const code: GrantexTokenErrorCode = error instanceof GrantexTokenError ? error.code : 'malformed';
      const description = DESCRIPTIONS[code] ?? 'the token was refused';
      if (code === 'insufficient_scope')
        return deny(denial(realm, 403, 'insufficient_scope', code, description, needed));
      if (code === 'jwks_unavailable' || code === 'revocation_unavailable')
        return deny(denial(realm, 503, 'temporarily_unavailable', code, description));
      return deny(denial(realm, 401, 'invalid_token', code, description));
    }
  };
}

function buildVerifier(options: RequireGrantOptions): GrantVerifier {
  const {
    scopes: _scopes,
    online,
    realm: _realm,
    onDenied: _onDenied,
    now: _now,
    ...rest
  } = options as RequireGrantOptions & {
    verifier?: undefined;
  };
  return createGrantVerifier({
    ...(rest as Parameters<typeof createGrantVerifier>[0]),
    ...(online !== undefined ? { revocation: online } : {}),
  });
}

function denial(
  realm: string,
  status: GrantDenial['status'],
  error: GrantDenial['error'],
  code: GrantDenial['code'],
  description: string,
  scope?: readonly string[],
): GrantDenial {
  const params = [`realm="${realm}"`];
  if (error !== undefined && error !== 'temporarily_unavailable') {
    params.push(`error="${error}"`, `error_description="${description}"`);
    if (scope !== undefined && scope.length > 0) params.push(`scope="${scope.join(' ')}"`);
  }
  return {
    status,
    ...(error !== undefined ? { error } : {}),
    description,
    ...(code !== undefined ? { code } : {}),
    ...(scope !== undefined ? { scope: [...scope] } : {}),
    wwwAuthenticate: `Bearer ${params.join(', ')}`,
    body: { error: error ?? 'unauthorized', error_description: description },
  };
}
