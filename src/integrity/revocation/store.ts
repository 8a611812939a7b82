/**
 * @module revocation/store
 * Where revocation state lives: the {@link RevocationStore} interface (so a
 * serverless deployment can keep it in a shared KV or database) and the
 * in-memory {@link MemoryRevocationStore}.
 */

/** What a store answers for one token. */
export interface RevocationSnapshot {
  /** True when the token, its grant or a grant it was delegated from is recorded as revoked. */
  revoked: boolean;
  /**
   * When the state was last confirmed current (ms since the epoch): the last
   * webhook delivery or sync. `undefined` when it never was.
   */
  syncedAt: number | undefined;
}

/** What a token names, for a lookup: its `jti`, its `grnt` and, when delegated, its `parentGrnt`. */
export interface RevocationQuery {
  tokenId: string;
  grantId: string;
  parentGrantId?: string | undefined;
}

/**
 * Revocation state. Every method may answer synchronously or with a promise;
 * a synchronous answer keeps verification free of extra awaits. Revocations
 * are facts that never un-happen, so a store only ever adds them (and may
 * forget one after `retention`, once every token it could cover has expired).
 */
export interface RevocationStore {
  /** Records a revoked grant (`grant.revoked`). `at` is ms since the epoch. */
  revokeGrant(grantId: string, at: number): void | Promise<void>;
  /** Records a revoked token (its `jti`). */
  revokeToken(tokenId: string, at: number): void | Promise<void>;
  /** Records that `grantId` was delegated from `parentGrantId`, so revoking an ancestor reaches it. */
  linkGrant(grantId: string, parentGrantId: string, at: number): void | Promise<void>;
  /** Records that the state is current as of `at` (a delivery arrived, a sync finished). */
  markSynced(at: number): void | Promise<void>;
  /** Answers for one token. */
  lookup(query: RevocationQuery): RevocationSnapshot | Promise<RevocationSnapshot>;
}

/** Options of {@link MemoryRevocationStore}. */
export interface MemoryRevocationStoreOptions {
  /**
   * How long a revocation or a delegation link is kept, in ms. Default
   * 25 hours: longer than the 24-hour maximum token lifetime of SPEC §7.4,
   * so no token a forgotten entry covered can still be valid.
   */
  retention?: number;
  /** Most entries kept (revocations plus links); the oldest go first past it. Default `100_000`. */
  maxEntries?: number;
}

/** The longest delegation chain followed (SPEC §9's hard cap). */
const MAX_CHAIN = 10;

/** A {@link RevocationStore} in this process's memory: right for one long-lived server. */
export class MemoryRevocationStore implements RevocationStore {
  readonly #retention: number;
  readonly #maxEntries: number;
  readonly #grants = new Map<string, number>();
  readonly #tokens = new Map<string, number>();
  readonly #parents = new Map<string, { parent: string; at: number }>();
  /** The answer for a token nothing revoked, shared while the sync time stays (no allocation per lookup). */
  #clean: RevocationSnapshot = Object.freeze({ revoked: false, syncedAt: undefined });

  constructor(options: MemoryRevocationStoreOptions = {}) {
    this.#retention = options.retention ?? 25 * 3600_000;
    this.#maxEntries = options.maxEntries ?? 100_000;
    if (!(this.#retention > 0) || !Number.isSafeInteger(this.#maxEntries) || this.#maxEntries < 1)
      throw new TypeError('MemoryRevocationStore: retention and maxEntries must be positive');
  }

  revokeGrant(grantId: string, at: number): void {
    this.#add(this.#grants, grantId, at);
  }

  revokeToken(tokenId: string, at: number): void {
    this.#add(this.#tokens, tokenId, at);
  }

  linkGrant(grantId: string, parentGrantId: string, at: number): void {
    this.#prune(at);
    this.#parents.delete(grantId);
    this.#parents.set(grantId, { parent: parentGrantId, at });
    this.#bound(this.#parents);
  }

  markSynced(at: number): void {
    const syncedAt = this.#clean.syncedAt;
    if (syncedAt === undefined || at > syncedAt) this.#clean = Object.freeze({ revoked: false, syncedAt: at });
  }

  lookup(query: RevocationQuery): RevocationSnapshot {
    const clean = this.#clean;
    if (
      this.#tokens.has(query.tokenId) ||
      this.#chainRevoked(query.grantId) ||
      (query.parentGrantId !== undefined && this.#chainRevoked(query.parentGrantId))
    )
      return { revoked: true, syncedAt: clean.syncedAt };
    return clean;
  }

  /** Whether `grantId` or an ancestor the store has links for is revoked. */
  #chainRevoked(grantId: string): boolean {
    if (this.#grants.has(grantId)) return true;
    if (this.#parents.size === 0) return false;
    let grant = this.#parents.get(grantId)?.parent;
    for (let hop = 0; grant !== undefined && hop < MAX_CHAIN; hop++) {
      if (this.#grants.has(grant)) return true;
      grant = this.#parents.get(grant)?.parent;
    }
    return false;
  }

  #add(map: Map<string, number>, key: string, at: number): void {
    this.#prune(at);
    map.delete(key);
    map.set(key, at);
    this.#bound(map);
  }

  #bound(map: Map<string, unknown>): void {
    while (this.#grants.size + this.#tokens.size + this.#parents.size > this.#maxEntries && map.size > 0)
      map.delete(map.keys().next().value!);
  }

  /** Drops entries past retention; insertion order is time order, so it stops at the first young one. */
  #prune(now: number): void {
    for (const map of [this.#grants, this.#tokens]) {
      for (const [key, at] of map) {
        if (now - at <= this.#retention) break;
        map.delete(key);
      }
    }
    for (const [key, link] of this.#parents) {
      if (now - link.at <= this.#retention) break;
      this.#parents.delete(key);
    }
  }
}
