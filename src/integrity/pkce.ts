/**
 * @module pkce
 * Proof Key for Code Exchange (RFC 7636) with the `S256` method, the only one
 * Grantex accepts: the client keeps a random verifier and sends its SHA-256
 * challenge with `POST /v1/authorize`, then proves possession with the
 * verifier at `POST /v1/token`.
 */
import { GrantexError } from '../core/errors.js';
import { base64url, timingSafeEqual, utf8 } from '../internal/bytes.js';

/** A code verifier and the challenge derived from it. */
export interface PkcePair {
  /** 43 characters of `[A-Za-z0-9-._~]` from a CSPRNG; keep it secret until the token exchange. */
  codeVerifier: string;
  /** `base64url(SHA-256(codeVerifier))`, unpadded; send it with the authorization request. */
  codeChallenge: string;
  /** Always `'S256'`. */
  codeChallengeMethod: 'S256';
}

/** Stable machine codes of {@link GrantexPkceError}. */
export type GrantexPkceErrorCode = 'invalid_verifier' | 'unsupported_method';

/** Thrown when a code verifier or challenge method does not satisfy RFC 7636. */
export class GrantexPkceError extends GrantexError {
  override name = 'GrantexPkceError';
  /** Why the input was refused; branch on this, not on the message. */
  readonly code: GrantexPkceErrorCode;

  constructor(code: GrantexPkceErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * True when `value` is a valid RFC 7636 code verifier: 43 to 128 characters
 * of `[A-Za-z0-9-._~]`.
 */
export function isValidCodeVerifier(value: unknown): value is string {
  return typeof value === 'string' && VERIFIER.test(value);
}

/**
 * Derives the `S256` challenge of a code verifier.
 *
 * @throws {GrantexPkceError} `invalid_verifier` when `codeVerifier` is not 43–128 characters of `[A-Za-z0-9-._~]`.
 * @example
 * ```ts
 * const challenge = await computeCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
 * // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 * ```
 */
export async function computeCodeChallenge(codeVerifier: string): Promise<string> {
  if (!isValidCodeVerifier(codeVerifier)) {
    throw new GrantexPkceError('invalid_verifier', 'code verifier must be 43-128 characters of [A-Za-z0-9-._~]');
  }
  const digest = await crypto.subtle.digest('SHA-256', utf8(codeVerifier));
  return base64url(new Uint8Array(digest));
}

/**
 * Creates a fresh verifier (32 bytes from the platform CSPRNG, base64url
 * encoded to 43 characters) and its `S256` challenge.
 *
 * @example
 * ```ts
 * const { codeVerifier, codeChallenge, codeChallengeMethod } = await generatePkce();
 * // send codeChallenge + codeChallengeMethod to POST /v1/authorize,
 * // then codeVerifier to POST /v1/token
 * ```
 */
export async function generatePkce(): Promise<PkcePair> {
  const codeVerifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  return { codeVerifier, codeChallenge: await computeCodeChallenge(codeVerifier), codeChallengeMethod: 'S256' };
}

/**
 * Server side of PKCE: true when `codeVerifier` hashes to `codeChallenge`.
 * Compares in constant time; a malformed verifier is a mismatch, not an error.
 *
 * @throws {GrantexPkceError} `unsupported_method` for any method other than `'S256'` (`plain` is refused).
 * @example
 * ```ts
 * const ok = await verifyCodeChallenge(codeVerifier, stored.codeChallenge); // codeVerifier from POST /v1/token
 * ```
 */
export async function verifyCodeChallenge(
  codeVerifier: string,
  codeChallenge: string,
  codeChallengeMethod = 'S256',
): Promise<boolean> {
  if (codeChallengeMethod !== 'S256') {
    throw new GrantexPkceError(
      'unsupported_method',
      `code challenge method ${JSON.stringify(codeChallengeMethod)} is not supported; use S256`,
    );
  }
  if (!isValidCodeVerifier(codeVerifier) || typeof codeChallenge !== 'string') return false;
  return timingSafeEqual(utf8(await computeCodeChallenge(codeVerifier)), utf8(codeChallenge));
}
