/**
 * @module verify/token-cache
 * A bounded memo of tokens whose signature already verified, so a verifier
 * that sees the same token again skips the RSA operation. It caches only the
 * signature result: claims are checked again on every hit.
 */
import type { RsaVerificationKey } from './jwks.js';

/** What a verified token left behind: its decoded claims and the key that signed it. */
export interface VerifiedSignature {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly kid: string;
  readonly key: RsaVerificationKey;
  /** The token's `exp` in seconds; the entry is never used at or after it. */
  readonly exp: number;
}

/** Least-recently-used map from token text to {@link VerifiedSignature}, at most `maxEntries` long. */
export class TokenCache {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, VerifiedSignature>();

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** The entry for `token`, unless absent or expired at `now` (seconds); expired ones are dropped. */
  get(token: string, now: number): VerifiedSignature | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    this.#entries.delete(token);
    if (now >= entry.exp) return undefined;
    this.#entries.set(token, entry);
    return entry;
  }

  /** Remembers a verified token, unless it is already expired at `now` (seconds). */
  set(token: string, entry: VerifiedSignature, now: number): void {
    if (this.#maxEntries === 0 || !(now < entry.exp)) return;
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}
