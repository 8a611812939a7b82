/**
 * @module revocation/guard
 * The revocation step a verifier runs after a token verified offline: the
 * store's answer while it is fresh, the online check for high-stakes scopes
 * once it is not (SPEC §7.4), never state older than `maxRevocationAge`.
 */
import type { VerifiedGrant } from '../verify/claims.js';
import { GrantexTokenError } from '../verify/errors.js';
import { type OnlineCheck, type OnlineCheckOptions, onlineCheck } from './online.js';
import { MemoryRevocationStore, type RevocationSnapshot, type RevocationStore } from './store.js';

/** SPEC §7.4: revocation state MUST NOT be cached longer than 5 minutes. */
export const MAX_REVOCATION_AGE = 300_000;

/** SPEC §7.4's high-stakes scopes, which SHOULD be verified online. */
export const HIGH_STAKES_SCOPES: readonly string[] = ['payments:initiate', 'email:send', 'files:write'];

/** The `revocation` option of `createGrantVerifier`. */
export interface RevocationOptions {
  /** Where revocation state is read. Default: a fresh {@link MemoryRevocationStore}, never synced. */
  store?: RevocationStore;
  /** The online check used when the state is stale: a function, or where to call `POST /v1/tokens/verify`. */
  online?: OnlineCheck | OnlineCheckOptions;
  /**
   * Scopes that go online when the state is stale: a token carrying one of
   * them (or a narrower form, `payments:initiate:max_500`) is checked online.
   * Default {@link HIGH_STAKES_SCOPES}.
   */
  onlineScopes?: readonly string[];
  /**
   * The oldest revocation state trusted, in ms: state last synced longer ago
   * is stale, and so is an online answer. Default and maximum `300_000`.
   */
  maxRevocationAge?: number;
  /**
   * What stale state means for tokens without an online scope: `'offline'`
   * (default) accepts them on the offline checks alone (revocations already
   * recorded still refuse them), `'refuse'` refuses them with
   * `revocation_unavailable`.
   */
  onStale?: 'offline' | 'refuse';
  /** The clock, in ms since the epoch, when a call gives no `currentDate`. Default `Date.now`. */
  clock?: () => number;
}

/** Checks one offline-verified grant; see {@link createRevocationGuard}. */
export type RevocationGuard = (
  token: string,
  grant: VerifiedGrant,
  nowMs: number | undefined,
) => undefined | Promise<void>;

const ONLINE_ANSWERS_LIMIT = 10_000;

/**
 * Builds the revocation step.
 * @throws {GrantexTokenError} `invalid_options`.
 */
export function createRevocationGuard(options: RevocationOptions): RevocationGuard {
  if (typeof options !== 'object' || options === null) throw invalid('"revocation" must be an object');
  const maxAge = options.maxRevocationAge ?? MAX_REVOCATION_AGE;
  if (typeof maxAge !== 'number' || !(maxAge >= 0) || maxAge > MAX_REVOCATION_AGE)
    throw invalid(`"maxRevocationAge" must be 0 to ${MAX_REVOCATION_AGE} ms (SPEC §7.4)`);
  const onStale = options.onStale ?? 'offline';
  if (onStale !== 'offline' && onStale !== 'refuse') throw invalid('"onStale" must be "offline" or "refuse"');
  const onlineScopes = [...(options.onlineScopes ?? HIGH_STAKES_SCOPES)];
  if (!onlineScopes.every((scope) => typeof scope === 'string' && scope.length > 0))
    throw invalid('"onlineScopes" must be non-empty strings');
  const store = options.store ?? new MemoryRevocationStore();
  const online = typeof options.online === 'function' ? options.online : options.online && onlineCheck(options.online);
  const clock = options.clock ?? Date.now;
  /** Online "still valid" answers by token id, with when they were given. */
  const answers = new Map<string, number>();

  const needsOnline = (grant: VerifiedGrant) =>
    grant.scopes.some((scope) => onlineScopes.some((s) => scope === s || scope.startsWith(`${s}:`)));

  const goOnline = async (token: string, grant: VerifiedGrant, now: number): Promise<void> => {
    const answeredAt = answers.get(grant.tokenId);
    if (answeredAt !== undefined && now - answeredAt <= maxAge && now >= answeredAt) return;
    if (online === undefined)
      throw new GrantexTokenError('revocation_unavailable', 'revocation state is stale and no online check is set');
    const valid = await online(token);
    if (!valid) {
      answers.delete(grant.tokenId);
      await store.revokeToken(grant.tokenId, now);
      throw revoked();
    }
    if (answers.size >= ONLINE_ANSWERS_LIMIT) answers.delete(answers.keys().next().value!);
    answers.set(grant.tokenId, now);
  };

  const judge = (token: string, grant: VerifiedGrant, now: number, snapshot: RevocationSnapshot) => {
    if (snapshot.revoked) throw revoked();
    const { syncedAt } = snapshot;
    // A sync time in the future (clock skew between writers) is not trusted either.
    if (syncedAt !== undefined && now - syncedAt <= maxAge && syncedAt <= now) return undefined;
    if (needsOnline(grant)) return goOnline(token, grant, now);
    if (onStale === 'refuse')
      throw new GrantexTokenError('revocation_unavailable', 'revocation state is older than maxRevocationAge');
    return undefined;
  };

  return (token, grant, nowMs) => {
    const now = nowMs ?? clock();
    // A verified grant names its tokenId, grantId and parentGrantId: it is the query itself, no copy made.
    const snapshot = store.lookup(grant);
    if (snapshot instanceof Promise) return snapshot.then((s) => judge(token, grant, now, s));
    return judge(token, grant, now, snapshot);
  };
}

function revoked(): GrantexTokenError {
  return new GrantexTokenError('revoked', 'the token or its grant has been revoked');
}

function invalid(message: string): GrantexTokenError {
  return new GrantexTokenError('invalid_options', message);
}
