/**
 * @module rate-limit
 * Fixed-window request limits, kept per developer (per client address for
 * public endpoints), reported in `x-ratelimit-*` headers.
 */

/** A bucket's limit: requests per window, or requests and the window's length. */
export type BucketLimit = number | { limit: number; windowMs: number };

/**
 * Requests allowed per window. Defaults are generous so that a conformance run
 * never meets them; set low values to test 429 and `Retry-After`.
 */
export interface RateLimitOptions {
  /** Length of a window in milliseconds, for buckets given as a plain number. Default 60000. */
  windowMs?: number;
  /** Every authenticated call, per developer. Default 10000. */
  default?: BucketLimit;
  /** `POST /v1/authorize`, per developer (hosted server: 10). Default 10000. */
  authorize?: BucketLimit;
  /** `POST /v1/token` and `POST /v1/token/refresh` together, per client address (hosted server: 20). Default 10000. */
  token?: BucketLimit;
  /** `POST /v1/signup`, per client address (hosted server: 30). Default 10000. */
  signup?: BucketLimit;
  /** Every public call other than signup, and calls refused for a missing or unknown key, per client address. Default 10000. */
  public?: BucketLimit;
}

/** The limiter buckets. */
export type Bucket = 'default' | 'authorize' | 'token' | 'signup' | 'public';

/** Every bucket name, as `--rate-limit` takes them. */
export const BUCKET_NAMES: readonly Bucket[] = ['default', 'authorize', 'token', 'signup', 'public'];

/** The outcome of counting one request. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (at least 1). */
  resetSeconds: number;
}

/** One bucket a request counts against, and whose requests it shares it with. */
export interface Hit {
  bucket: Bucket;
  key: string;
}

interface Window {
  start: number;
  count: number;
}

const GENEROUS = 10_000;

/**
 * Windows kept (one per bucket and key: a developer, or a client address,
 * of which 127.0.0.0/8 alone offers millions). Past it, expired windows are
 * swept and then the oldest dropped, so a flood of addresses cannot grow memory.
 */
export const MAX_WINDOWS = 100_000;

/** Counts requests per (bucket, key) in fixed windows. */
export class RateLimiter {
  readonly #limits: Record<Bucket, { limit: number; windowMs: number }>;
  readonly #windows = new Map<string, Window>();
  readonly #now: () => number;

  constructor(options: RateLimitOptions = {}, now: () => number = Date.now) {
    const windowMs = options.windowMs ?? 60_000;
    const resolve = (given: BucketLimit | undefined) =>
      given === undefined
        ? { limit: GENEROUS, windowMs }
        : typeof given === 'number'
          ? { limit: given, windowMs }
          : given;
    this.#limits = {
      default: resolve(options.default),
      authorize: resolve(options.authorize),
      token: resolve(options.token),
      signup: resolve(options.signup),
      public: resolve(options.public),
    };
    for (const [bucket, { limit, windowMs: ms }] of Object.entries(this.#limits)) {
      if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`rate limit of ${bucket} must be a whole number`);
      if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`rate-limit window of ${bucket} must be positive`);
    }
    this.#now = now;
  }

  /** Windows currently kept. */
  get size(): number {
    return this.#windows.size;
  }

  /**
   * Drops expired windows, then the oldest down to 90% of {@link MAX_WINDOWS}
   * (a dropped one starts afresh); the margin makes sweeps rare under a flood.
   */
  #sweep(now: number): void {
    for (const [id, window] of this.#windows) {
      const bucket = id.slice(0, id.indexOf('\u0000')) as Bucket;
      if (now - window.start >= this.#limits[bucket].windowMs) this.#windows.delete(id);
    }
    for (const id of this.#windows.keys()) {
      if (this.#windows.size <= MAX_WINDOWS * 0.9) break;
      this.#windows.delete(id);
    }
  }

  /** Counts one request of `key` in `bucket` and says whether it may proceed. */
  hit(bucket: Bucket, key: string): RateDecision {
    const [decision] = this.take([{ bucket, key }]).decisions;
    return decision!;
  }

  /**
   * Counts one request against every bucket in `hits`, or against none of
   * them when any is spent: a refused request uses up nobody's budget.
   * Decisions come back in the order of `hits`; `refused` is the first spent one.
   */
  take(hits: readonly Hit[]): { decisions: RateDecision[]; refused?: { bucket: Bucket; decision: RateDecision } } {
    const now = this.#now();
    const windows = hits.map(({ bucket, key }) => {
      const { limit, windowMs } = this.#limits[bucket];
      const id = `${bucket}\u0000${key}`;
      let window = this.#windows.get(id);
      if (window === undefined || now - window.start >= windowMs) {
        window = { start: now, count: 0 };
        // Re-inserted, so the map's order stays the order windows started in.
        this.#windows.delete(id);
        this.#windows.set(id, window);
        if (this.#windows.size > MAX_WINDOWS) this.#sweep(now);
      }
      return { bucket, window, limit, resetSeconds: Math.max(1, Math.ceil((window.start + windowMs - now) / 1000)) };
    });
    const spent = windows.find((w) => w.window.count >= w.limit);
    if (spent === undefined) for (const w of windows) w.window.count += 1;
    const decisions = windows.map((w) => ({
      allowed: spent === undefined,
      limit: w.limit,
      remaining: Math.max(0, w.limit - w.window.count),
      resetSeconds: w.resetSeconds,
    }));
    if (spent === undefined) return { decisions };
    const refusedDecision = { allowed: false, limit: spent.limit, remaining: 0, resetSeconds: spent.resetSeconds };
    return { decisions, refused: { bucket: spent.bucket, decision: refusedDecision } };
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

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a `--rate-limit` value, `BUCKET=N` or `BUCKET=N/WINDOW` with WINDOW
 * like `30s`, `1m`, `1h`, `500ms` (a bare number is seconds). `developer` is
 * another name for the `default` bucket.
 *
 * @throws {Error} with a message naming the problem.
 */
export function parseRateLimit(text: string): { bucket: Bucket; limit: BucketLimit } {
  const match = /^([a-z]+)=(\d+)(?:\/(\d+)(ms|s|m|h)?)?$/.exec(text.trim());
  if (match === null)
    throw new Error(
      `Invalid --rate-limit ${JSON.stringify(text)}: expected BUCKET=N or BUCKET=N/WINDOW, e.g. authorize=10/1m`,
    );
  const name = match[1] === 'developer' ? 'default' : match[1];
  const bucket = BUCKET_NAMES.find((b) => b === name);
  if (bucket === undefined)
    throw new Error(`Unknown rate-limit bucket ${JSON.stringify(match[1])} (buckets: ${BUCKET_NAMES.join(', ')})`);
  const limit = Number(match[2]);
  if (match[3] === undefined) return { bucket, limit };
  const windowMs = Number(match[3]) * (UNIT_MS[match[4] ?? 's'] ?? 1000);
  if (windowMs <= 0) throw new Error(`Invalid --rate-limit ${JSON.stringify(text)}: the window must be longer than 0`);
  return { bucket, limit: { limit, windowMs } };
}
