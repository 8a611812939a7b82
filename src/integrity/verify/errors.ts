/**
 * @module verify/errors
 * The one error class grant-token verification throws, with a stable `code`.
 */
import { GrantexError } from '../../core/errors.js';

/**
 * Why a grant token was refused. Stable: callers branch on these values.
 *
 * - `malformed`: not a compact JWS of three canonical base64url parts, a header
 *   or payload that is not a JSON object, a `crit` header, or longer than `maxTokenLength`.
 * - `unsupported_alg`: `alg` is anything but `RS256` (`none` in any casing, `HS256`, `EdDSA`, …).
 * - `unknown_key`: no usable RSA key in the JWKS has the token's `kid` (or the token has none).
 * - `bad_signature`: the RS256 signature does not verify.
 * - `invalid_claims`: a required claim is missing or has the wrong type (`scp` not a string array, …).
 * - `expired`: `exp` has passed, or `iat` is older than `maxTokenAge`.
 * - `not_yet_valid`: `nbf` or `iat` lies in the future.
 * - `wrong_issuer` / `wrong_audience`: `iss` / `aud` differ from the expected values.
 * - `insufficient_scope`: a required scope is not in `scp`.
 * - `jwks_unavailable`: the remote JWKS could not be fetched or is not a key set.
 * - `invalid_options`: the verifier was configured wrongly (a programming error).
 *
 * Credentials and passports (SPEC.md §15.3) add:
 * - `untrusted_issuer`: the issuer is not in the caller's trusted issuers.
 * - `revoked`: the credential's StatusList2021 bit is set.
 * - `status_unavailable`: the status list could not be fetched, is not from an allowed origin, or is not a list.
 * - `limit_exceeded`: the transaction amount is above the passport's `maxTransactionAmount` (or in another currency).
 * A category outside `allowedMPPCategories` is `insufficient_scope`; an issuer DID that does not resolve is `jwks_unavailable`.
 */
export type GrantexTokenErrorCode =
  | 'malformed'
  | 'unsupported_alg'
  | 'unknown_key'
  | 'bad_signature'
  | 'invalid_claims'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'insufficient_scope'
  | 'jwks_unavailable'
  | 'invalid_options'
  | 'untrusted_issuer'
  | 'revoked'
  | 'status_unavailable'
  | 'limit_exceeded';

/** Thrown when a grant token does not verify. Every failure is one of these; none is a crash. */
export class GrantexTokenError extends GrantexError {
  override name = 'GrantexTokenError';
  /** Why the token was refused; branch on this, not on the message. */
  readonly code: GrantexTokenErrorCode;

  constructor(code: GrantexTokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
