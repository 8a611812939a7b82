/**
 * @module verify/backend
 * What a signature backend is. Its own module, so the jose backend and the
 * Node fast path both depend on it and never on each other.
 */
import type { ParsedToken } from './compact.js';
import type { RsaVerificationKey } from './jwks.js';

/** Checks the signature of a parsed token with a given key. */
export interface SignatureBackend {
  readonly name: 'jose' | 'node';
  /**
   * True when the signature verifies. `token` is the full compact JWS that
   * `parsed` came from.
   *
   * @throws {GrantexTokenError} when the JWS itself is refused.
   */
  verify(token: string, parsed: ParsedToken, key: RsaVerificationKey): boolean | Promise<boolean>;
}
