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

/**
 * Least-recently-used map from token text to {@link VerifiedSignature}, at
 * most `maxEntries` long. A token is admitted on its second verification, not
 * its first: one-off tokens then neither evict hot ones nor churn memory (a
 * stream of distinct tokens costs one small-integer set insertion each).
 */
export class TokenCache {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, VerifiedSignature>();
  /** Fingerprints of tokens verified once; a collision only admits a token early. */
  readonly #seen = new Set<number>();

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

  /** Remembers a verified token from its second verification on, unless it is expired at `now` (seconds). */
  set(token: string, entry: VerifiedSignature, now: number): void {
    if (this.#maxEntries === 0 || !(now < entry.exp)) return;
    const fingerprint = fingerprintOf(token);
    if (!this.#seen.has(fingerprint)) {
      if (this.#seen.size >= 4 * this.#maxEntries + 64) this.#seen.clear();
      this.#seen.add(fingerprint);
      return;
    }
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
    this.#seen.clear();
  }
}

/** 30 bits from the end of the signature, which is uniformly random for distinct tokens. */
function fingerprintOf(token: string): number {
  let hash = token.length;
  for (let i = Math.max(0, token.length - 6); i < token.length; i++) hash = (hash * 31 + token.charCodeAt(i)) | 0;
  return hash & 0x3fffffff;
}
