/**
 * @module verify/grant-token
 * Offline verification of Grantex grant tokens (SPEC §6.4): RS256 signature
 * against the authorization server's JWKS, expiry, optional issuer and
 * audience, required scopes. Revocation needs the online check
 * (`POST /v1/tokens/verify`); nothing here can see it.
 */
import { type ClaimPolicy, type VerifiedGrant, checkClaims } from './claims.js';
import { decodeJsonObject, parseToken } from './compact.js';
import { GrantexTokenError } from './errors.js';
import { type Jwks, type KeySource, LocalJwks, RemoteJwks, type RemoteJwksOptions } from './jwks.js';
import { createRevocationGuard, type RevocationOptions } from '../revocation/guard.js';
import { type SignatureBackend, signatureBackend } from './signature.js';
import { TokenCache } from './token-cache.js';

export type { VerifiedGrant } from './claims.js';
export type { Jwks, RemoteJwksOptions } from './jwks.js';

/** What a grant token must satisfy beyond its signature. */
export interface GrantClaimOptions {
  /**
   * Accepted `iss` value(s). Default: not checked. The key set already pins
   * the signer (only the server holding the private key can produce a token
   * that verifies), and the `iss` a server writes is its configured public
   * base URL, which often differs from the URL a backend uses to reach its
   * JWKS; deriving a default from `jwksUri` would refuse valid tokens there.
   * Set it when one key set serves several issuers, or to pin the URL anyway.
   */
  issuer?: string | readonly string[];
  /**
   * This verifier's identifier(s): the token's `aud` must name one of them.
   * Default: not checked (SPEC §6.4 checks `aud` only when the verifier has
   * an identifier), so a token that carries an `aud` is accepted too.
   */
  audience?: string | readonly string[];
  /** Scopes the token's `scp` must all contain. Default `[]`. */
  requiredScopes?: readonly string[];
  /** Allowed clock skew in seconds, for `exp`, `nbf`, `iat` and `maxTokenAge`. Default `5`. */
  clockTolerance?: number;
  /** Refuse tokens whose `iat` is more than this many seconds ago. Default: no limit. */
  maxTokenAge?: number;
  /**
   * Largest accepted `delegationDepth`. SPEC §9 caps delegation at 10 hops
   * (3 recommended), so a deeper token was not issued by a conforming server.
   * Default and maximum `10`.
   */
  maxDelegationDepth?: number;
  /** Refuse longer tokens before parsing them (`malformed`). Default `8192` characters; real ones are ~1,300. */
  maxTokenLength?: number;
}

/** Where the verification keys come from: exactly one of `jwksUri` and `jwks`. */
export type GrantKeySource =
  | {
      /** The server's `/.well-known/jwks.json` URL, fetched and cached (see {@link RemoteJwksOptions}). */
      jwksUri: string | URL;
      jwks?: never;
    }
  | {
      /** A key set held locally (e.g. read from disk); copied once, never fetched. */
      jwks: Jwks;
      jwksUri?: never;
    };

/** Options of {@link verifyGrantToken}. */
export type VerifyGrantTokenOptions = GrantClaimOptions &
  GrantKeySource & {
    /** The time to check `exp`, `nbf` and `iat` against. Default: now. */
    currentDate?: Date;
  };

/** Options of {@link createGrantVerifier}. The {@link RemoteJwksOptions} apply with `jwksUri` only. */
export type GrantVerifierOptions = GrantClaimOptions &
  GrantKeySource &
  RemoteJwksOptions & {
    /**
     * How many verified tokens to remember, so a repeated token skips the RSA
     * check. A token is remembered from its second successful verification on
     * (one-off tokens cost nothing), only its signature result is kept (claims
     * are checked on every call), entries are dropped at the token's `exp`,
     * and an entry counts only while the JWKS still maps its `kid` to the same
     * key. `0` disables it. Default `1000`.
     */
    cacheSize?: number;
    /**
     * Makes the verifier revocation-aware (SPEC §6.4 rule 5, §7.4): after the
     * offline checks, the token is refused when the store records it, its
     * grant or its parent grant as revoked; when that state is older than
     * `maxRevocationAge` (at most 5 minutes), high-stakes scopes are checked
     * online. See {@link RevocationOptions}. Default: no revocation check.
     */
    revocation?: RevocationOptions;
  };

/** Per-call options of {@link GrantVerifier.verify}. */
export interface GrantVerifyCallOptions {
  /** Scopes this call needs, in addition to the verifier's `requiredScopes`. */
  requiredScopes?: readonly string[];
  /** The time to check `exp`, `nbf` and `iat` against. Default: now. */
  currentDate?: Date;
}

/** A reusable verifier with its own key cache and verified-token cache. */
export interface GrantVerifier {
  /** Verifies `token`; see {@link verifyGrantToken}. @throws {GrantexTokenError} */
  verify(token: string, options?: GrantVerifyCallOptions): Promise<VerifiedGrant>;
  /** Forgets every verified token (keys stay cached). */
  clearCache(): void;
}

/** The pieces one verification runs with. Exported for the differential tests, not public API. */
export interface VerifierParts {
  readonly source: KeySource;
  readonly cache: TokenCache | undefined;
  readonly backend: SignatureBackend;
}

/** Validated, normalized verification options. Exported for the differential tests, not public API. */
export interface VerifierSettings {
  readonly policy: ClaimPolicy;
  readonly maxTokenLength: number;
}

const DEFAULT_CACHE_SIZE = 1000;
const SHARED_SOURCES_LIMIT = 64;
const shared = new Map<string, VerifierParts>();

/**
 * Verifies a grant token offline and returns what it grants.
 *
 * With `jwksUri`, one resolver per URL is shared by every call in the
 * process: its key set is cached (10 minutes; one refetch per 30 s on an
 * unknown `kid` or after a failed fetch; when a refresh fails, the last good
 * set serves for one more hour, see {@link RemoteJwksOptions.staleIfError}),
 * and it remembers up to 1000 tokens whose signature verified
 * (see {@link GrantVerifierOptions.cacheSize}). Use {@link createGrantVerifier}
 * to tune either.
 *
 * Only RS256 is accepted; the key is chosen by the header's `kid` among the
 * JWKS's RSA keys; `jku`, `x5u`, `jwk` and `x5c` headers are ignored and never
 * fetched; `exp`, `iat` and the Grantex claims are required and type-checked.
 *
 * The RSA check runs on jose and Web Crypto, except where the runtime offers
 * `node:crypto` through `process.getBuiltinModule` (Node ≥ 20.16, Deno, Bun):
 * there its synchronous `crypto.verify` is used, which accepts and refuses
 * exactly the same tokens (a differential test holds the two together).
 *
 * @throws {GrantexTokenError} with a stable `code`; see `GrantexTokenErrorCode`.
 * @example
 * ```ts
 * const grant = await verifyGrantToken(token, {
 *   jwksUri: 'https://api.grantex.dev/.well-known/jwks.json',
 *   audience: 'https://api.example.com',
 *   requiredScopes: ['calendar:read'],
 * });
 * grant.principalId; // 'user_123'
 * ```
 */
export function verifyGrantToken(token: string, options: VerifyGrantTokenOptions): Promise<VerifiedGrant> {
  try {
    const settings = toSettings(options);
    return verifyWith(partsFor(options), token, settings, nowSeconds(options.currentDate));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Creates a reusable verifier: its own JWKS cache (tunable with
 * {@link RemoteJwksOptions}) and a bounded cache of verified tokens.
 *
 * @throws {GrantexTokenError} `invalid_options` at once when the options are wrong.
 * @example
 * ```ts
 * const verifier = createGrantVerifier({
 *   jwksUri: new URL('/.well-known/jwks.json', 'https://api.grantex.dev'),
 *   issuer: 'https://api.grantex.dev',
 * });
 * const grant = await verifier.verify(token, { requiredScopes: ['email:send'] });
 * ```
 */
export function createGrantVerifier(options: GrantVerifierOptions): GrantVerifier {
  const settings = toSettings(options);
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  if (!Number.isSafeInteger(cacheSize) || cacheSize < 0)
    throw invalidOption('"cacheSize" must be a non-negative integer');
  const cache = new TokenCache(cacheSize);
  const source = options.jwksUri !== undefined ? new RemoteJwks(options.jwksUri, options) : new LocalJwks(options.jwks);
  const parts: VerifierParts = { source, cache, backend: signatureBackend() };
  const guard = options.revocation === undefined ? undefined : createRevocationGuard(options.revocation);
  return {
    verify(token, call = {}) {
      try {
        const extra = call.requiredScopes === undefined ? [] : stringList(call.requiredScopes, 'requiredScopes');
        const policy = { ...settings.policy, requiredScopes: [...settings.policy.requiredScopes, ...extra] };
        const now = nowSeconds(call.currentDate);
        if (guard === undefined) return verifyWith(parts, token, { ...settings, policy }, now);
        const nowMs = call.currentDate?.getTime();
        return verifyWith(parts, token, { ...settings, policy }, now, (grant) => guard(token, grant, nowMs));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    clearCache: () => cache.clear(),
  };
}

/**
 * Runs one verification: cache lookup, then parse, key, signature, claims.
 * Exported for the differential tests, not public API.
 */
export async function verifyWith(
  parts: VerifierParts,
  token: unknown,
  settings: VerifierSettings,
  now: number,
  /** A last step on the verified grant (the revocation check), run inside this call to spare a promise. */
  after?: (grant: VerifiedGrant) => undefined | Promise<void>,
): Promise<VerifiedGrant> {
  if (typeof token === 'string' && token.length <= settings.maxTokenLength && parts.cache !== undefined) {
    const hit = parts.cache.get(token, now);
    if (hit !== undefined && parts.source.peek(hit.kid) === hit.key) {
      const grant = checkClaims(hit.claims, settings.policy, now);
      const pending = after?.(grant);
      if (pending !== undefined) await pending;
      return grant;
    }
  }
  const parsed = parseToken(token, settings.maxTokenLength);
  // Awaiting only real promises keeps the common, fully synchronous case free of extra microtask turns.
  const pendingKey = parts.source.key(parsed.kid);
  const key = pendingKey instanceof Promise ? await pendingKey : pendingKey;
  const pendingCheck = parts.backend.verify(token as string, parsed, key);
  if (!(pendingCheck instanceof Promise ? await pendingCheck : pendingCheck)) {
    throw new GrantexTokenError('bad_signature', 'token signature does not verify');
  }
  const claims = decodeJsonObject(parsed.payloadSegment, 'payload');
  const grant = checkClaims(claims, settings.policy, now);
  parts.cache?.set(token as string, { claims, kid: parsed.kid, key, exp: grant.expiresAt }, now);
  const pending = after?.(grant);
  if (pending !== undefined) await pending;
  return grant;
}

function partsFor(options: VerifyGrantTokenOptions): VerifierParts {
  if (options.jwksUri === undefined)
    return { source: new LocalJwks(options.jwks, false), cache: undefined, backend: signatureBackend() };
  const id = typeof options.jwksUri === 'string' ? options.jwksUri : String(options.jwksUri);
  let parts = shared.get(id);
  if (parts === undefined) {
    parts = {
      source: new RemoteJwks(options.jwksUri),
      cache: new TokenCache(DEFAULT_CACHE_SIZE),
      backend: signatureBackend(),
    };
    if (shared.size >= SHARED_SOURCES_LIMIT) shared.delete(shared.keys().next().value!);
    shared.set(id, parts);
  }
  return parts;
}

/** Validates options once. Exported for the differential tests, not public API. */
export function toSettings(options: GrantClaimOptions & Partial<GrantKeySource>): VerifierSettings {
  if (typeof options !== 'object' || options === null) throw invalidOption('options are required');
  if ((options.jwksUri === undefined) === (options.jwks === undefined))
    throw invalidOption('give exactly one of "jwksUri" and "jwks"');
  const policy: ClaimPolicy = {
    issuer: options.issuer === undefined ? undefined : oneOrMore(options.issuer, 'issuer'),
    audience: options.audience === undefined ? undefined : oneOrMore(options.audience, 'audience'),
    requiredScopes: options.requiredScopes === undefined ? [] : stringList(options.requiredScopes, 'requiredScopes'),
    clockTolerance: seconds(options.clockTolerance, 'clockTolerance') ?? 5,
    maxTokenAge: seconds(options.maxTokenAge, 'maxTokenAge'),
    maxDelegationDepth: delegationLimit(options.maxDelegationDepth),
  };
  const maxTokenLength = options.maxTokenLength ?? 8192;
  if (!Number.isSafeInteger(maxTokenLength) || maxTokenLength < 1)
    throw invalidOption('"maxTokenLength" must be a positive integer');
  return { policy, maxTokenLength };
}

function oneOrMore(value: string | readonly string[], name: string): readonly string[] {
  const list = typeof value === 'string' ? [value] : stringList(value, name);
  if (list.length === 0 || list.some((item) => item.length === 0)) throw invalidOption(`"${name}" must be non-empty`);
  return list;
}

function stringList(value: readonly string[], name: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw invalidOption(`"${name}" must be an array of strings`);
  return [...value];
}

function seconds(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw invalidOption(`"${name}" must be a non-negative number of seconds`);
  return value;
}

/** SPEC §9's hard cap on delegation depth. */
const MAX_DELEGATION_DEPTH = 10;

function delegationLimit(value: number | undefined): number {
  if (value === undefined) return MAX_DELEGATION_DEPTH;
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_DELEGATION_DEPTH)
    throw invalidOption(`"maxDelegationDepth" must be an integer from 0 to ${MAX_DELEGATION_DEPTH}`);
  return value;
}

function nowSeconds(currentDate: Date | undefined): number {
  if (currentDate === undefined) return Math.floor(Date.now() / 1000);
  const time = currentDate instanceof Date ? currentDate.getTime() : Number.NaN;
  if (!Number.isFinite(time)) throw invalidOption('"currentDate" must be a valid Date');
  return Math.floor(time / 1000);
}

function invalidOption(message: string): GrantexTokenError {
  return new GrantexTokenError('invalid_options', message);
}
