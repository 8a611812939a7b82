/**
 * @module retry
 * Which requests may be sent again and how long to wait first: the retry half
 * of the transport policy, kept apart so it reads as one table.
 */
/** The timing part of the transport policy (milliseconds), as `GrantexOptions` documents it. */
export interface RetryTiming {
  /** First backoff delay; doubles per attempt. */
  retryDelay: number;
  /** Ceiling of the exponential backoff. */
  maxRetryDelay: number;
  /** Longest `Retry-After` honoured; a longer one ends the retries. */
  maxRetryAfter: number;
}

/** Statuses retried for requests that are safe to repeat. */
export const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/**
 * Operations that consume a single-use credential (code, refresh token, consent
 * request, SSO code or assertion), or spend money: a budget debit, which the
 * server does not de-duplicate by `Idempotency-Key`.
 */
const SINGLE_USE = [
  /^\/v1\/token$/,
  /^\/v1\/token\/refresh$/,
  /^\/v1\/consent\/[^/]+\/approve$/,
  /^\/sso\/callback$/,
  /^\/sso\/callback\/(oidc|saml|ldap)$/,
  /^\/v1\/budget\/debit$/,
];
/** POSTs that only read state, so repeating them is harmless. */
const READ_ONLY_POSTS = [/^\/v1\/tokens\/verify$/, /^\/v1\/grants\/verify$/];
/**
 * Whether a request may be sent again without changing its effect. `path` is
 * relative to the base URL (`/v1/token`), filled or as a template.
 */
export function isSafeToRepeat(method: string, path: string): boolean {
  if (SINGLE_USE.some((pattern) => pattern.test(path))) return false;
  if (IDEMPOTENT_METHODS.has(method)) return true;
  return method === 'POST' && READ_ONLY_POSTS.some((pattern) => pattern.test(path));
}

/**
 * Milliseconds to wait before retry number `attempt + 1`, or `undefined` when the
 * server's `Retry-After` (seconds) asks for more than the policy accepts.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterSeconds: number | undefined,
  policy: RetryTiming,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterSeconds !== undefined) {
    const ms = retryAfterSeconds * 1000;
    return ms <= policy.maxRetryAfter ? ms : undefined;
  }
  const ceiling = Math.min(policy.retryDelay * 2 ** attempt, policy.maxRetryDelay);
  // Equal jitter: at least half the exponential delay, so retries spread out but still back off.
  return ceiling / 2 + random() * (ceiling / 2);
}
