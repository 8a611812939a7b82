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

/** What a token names, for a lookup: its `jti` and its grant chain as far as the token or the store knows it. */
export interface RevocationQuery {
  tokenId: string;
  /** The token's `grnt`, then its `parentGrnt` when delegated. */
  grantIds: readonly string[];
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
  readonly #revoked = new Map<string, number>();
  readonly #parents = new Map<string, { parent: string; at: number }>();
  #syncedAt: number | undefined;

  constructor(options: MemoryRevocationStoreOptions = {}) {
    this.#retention = options.retention ?? 25 * 3600_000;
    this.#maxEntries = options.maxEntries ?? 100_000;
    if (!(this.#retention > 0) || !Number.isSafeInteger(this.#maxEntries) || this.#maxEntries < 1)
      throw new TypeError('MemoryRevocationStore: retention and maxEntries must be positive');
  }

  revokeGrant(grantId: string, at: number): void {
    this.#add(this.#revoked, `g:${grantId}`, at);
  }

  revokeToken(tokenId: string, at: number): void {
    this.#add(this.#revoked, `t:${tokenId}`, at);
  }

  linkGrant(grantId: string, parentGrantId: string, at: number): void {
    this.#prune(at);
    this.#parents.delete(grantId);
    this.#parents.set(grantId, { parent: parentGrantId, at });
    this.#bound(this.#parents);
  }

  markSynced(at: number): void {
    if (this.#syncedAt === undefined || at > this.#syncedAt) this.#syncedAt = at;
  }

  lookup({ tokenId, grantIds }: RevocationQuery): RevocationSnapshot {
    const syncedAt = this.#syncedAt;
    if (this.#revoked.size === 0) return { revoked: false, syncedAt };
    if (this.#revoked.has(`t:${tokenId}`)) return { revoked: true, syncedAt };
    for (const first of grantIds) {
      let grant: string | undefined = first;
      for (let hop = 0; grant !== undefined && hop <= MAX_CHAIN; hop++) {
        if (this.#revoked.has(`g:${grant}`)) return { revoked: true, syncedAt };
        grant = this.#parents.get(grant)?.parent;
      }
    }
    return { revoked: false, syncedAt };
  }

  #add(map: Map<string, number>, key: string, at: number): void {
    this.#prune(at);
    map.delete(key);
    map.set(key, at);
    this.#bound(map);
  }

  #bound(map: Map<string, unknown>): void {
    while (this.#revoked.size + this.#parents.size > this.#maxEntries && map.size > 0)
      map.delete(map.keys().next().value!);
  }

  /** Drops entries past retention; insertion order is time order, so it stops at the first young one. */
  #prune(now: number): void {
    for (const [key, at] of this.#revoked) {
      if (now - at <= this.#retention) break;
      this.#revoked.delete(key);
    }
    for (const [key, link] of this.#parents) {
      if (now - link.at <= this.#retention) break;
      this.#parents.delete(key);
    }
  }
}
