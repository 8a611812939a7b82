/**
 * @module rate-limit
 * Fixed-window request limits, kept per developer (per client address for
 * public endpoints), reported in `x-ratelimit-*` headers.
 */

/**
 * Requests allowed per window. Defaults are generous so that a conformance run
 * never meets them; set low values to test 429 and `Retry-After`.
 */
export interface RateLimitOptions {
  /** Length of a window in milliseconds. Default 60000. */
  windowMs?: number;
  /** Every authenticated call, per developer. Default 10000. */
  default?: number;
  /** `POST /v1/authorize`, per developer (hosted server: 10). Default 10000. */
  authorize?: number;
  /** `POST /v1/token` and `POST /v1/token/refresh` together, per client address (hosted server: 20). Default 10000. */
  token?: number;
  /** `POST /v1/signup`, per client address (hosted server: 30). Default 10000. */
  signup?: number;
  /** Every public call other than signup, per client address. Default 10000. */
  public?: number;
}

/** The limiter buckets. */
export type Bucket = 'default' | 'authorize' | 'token' | 'signup' | 'public';

/** The outcome of counting one request. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (at least 1). */
  resetSeconds: number;
}

interface Window {
  start: number;
  count: number;
}

const GENEROUS = 10_000;

/** Counts requests per (bucket, key) in fixed windows. */
export class RateLimiter {
  readonly #windowMs: number;
  readonly #limits: Record<Bucket, number>;
  readonly #windows = new Map<string, Window>();
  readonly #now: () => number;

  constructor(options: RateLimitOptions = {}, now: () => number = Date.now) {
    this.#windowMs = options.windowMs ?? 60_000;
    this.#limits = {
      default: options.default ?? GENEROUS,
      authorize: options.authorize ?? GENEROUS,
      token: options.token ?? GENEROUS,
      signup: options.signup ?? GENEROUS,
      public: options.public ?? GENEROUS,
    };
    this.#now = now;
  }

  /** Counts one request of `key` in `bucket` and says whether it may proceed. */
  hit(bucket: Bucket, key: string): RateDecision {
    const now = this.#now();
    const limit = this.#limits[bucket];
    const id = `${bucket}\u0000${key}`;
    let window = this.#windows.get(id);
    if (window === undefined || now - window.start >= this.#windowMs) {
      window = { start: now, count: 0 };
      this.#windows.set(id, window);
    }
    const resetSeconds = Math.max(1, Math.ceil((window.start + this.#windowMs - now) / 1000));
    if (window.count >= limit) return { allowed: false, limit, remaining: 0, resetSeconds };
    window.count += 1;
    return { allowed: true, limit, remaining: limit - window.count, resetSeconds };
  }
}

/** The `x-ratelimit-*` headers (and `Retry-After` when refused) for a decision. */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(decision.limit),
    'x-ratelimit-remaining': String(decision.remaining),
    'x-ratelimit-reset': String(decision.resetSeconds),
  };
  if (!decision.allowed) headers['retry-after'] = String(decision.resetSeconds);
  return headers;
}
