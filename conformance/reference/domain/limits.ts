/**
 * @module limits
 * The reference server's own caps on what callers can make it keep, beyond
 * the plan quotas it shares with the hosted server (an enterprise plan has
 * none): set far above what a test suite creates, so only a flood meets them.
 * Records a developer owns and names (agents, policies, webhooks, active
 * grants, audit entries) are refused past the cap with the operation's
 * documented 402 (SCIM records with 400); history (tokens, refresh tokens, inactive grants,
 * deliveries, anomalies) is forgotten oldest first, and a forgotten token or
 * grant no longer verifies (it fails closed). conformance/README.md lists them.
 */

/** Developers kept; past it the one idle longest is forgotten (never those added through the API of `startReferenceServer`). */
export const MAX_DEVELOPERS = 10_000;

/** Caps per developer on what the plan quota leaves unbounded or very large (refused with 402). */
export const REFERENCE_CAPS = {
  agents: 10_000,
  grants: 10_000,
  auditEntries: 20_000,
  policies: 10_000,
  webhooks: 1_000,
} as const;

/**
 * Bytes of one developer's whole audit trail (each entry's canonical metadata
 * and its caller-given strings): bounds `GET /v1/audit/entries` too.
 */
export const MAX_AUDIT_TRAIL_BYTES = 32 * 1024 * 1024;

/** History kept per developer, oldest forgotten first. */
export const HISTORY_CAPS = {
  /** Grants of any status; inactive (revoked, expired) ones go first. */
  grants: 20_000,
  tokens: 50_000,
  refreshTokens: 50_000,
  deliveries: 10_000,
  anomalies: 10_000,
} as const;

/** SCIM records per developer: creating more is refused with the documented 400 (a directory never loses users silently). */
export const SCIM_CAPS = { users: 10_000, tokens: 1_000 } as const;

/** Forgets the oldest entries of `map` (insertion order) until it holds at most `max`; returns what went. */
export function forgetOldest<K, V>(map: Map<K, V>, max: number, first?: (value: V) => boolean): V[] {
  const gone: V[] = [];
  if (map.size <= max) return gone;
  if (first !== undefined) {
    for (const [key, value] of map) {
      if (map.size <= max) return gone;
      if (!first(value)) continue;
      map.delete(key);
      gone.push(value);
    }
  }
  for (const [key, value] of map) {
    if (map.size <= max) break;
    map.delete(key);
    gone.push(value);
  }
  return gone;
}

/**
 * Tables the server shares across developers. Short-lived records (principal
 * sessions, WebAuthn challenges, email verification tokens) are forgotten
 * oldest first; the others are refused past the cap with the operation's
 * documented error (passports and offline bundles 400, registry orgs 409,
 * custom domains 402).
 */
export const SHARED_CAPS = {
  shortLived: 10_000,
  passports: 10_000,
  offlineBundles: 10_000,
  /** Audit entries synced into one offline bundle. */
  bundleEntries: 20_000,
  registryOrgs: 10_000,
  domains: 10_000,
} as const;
