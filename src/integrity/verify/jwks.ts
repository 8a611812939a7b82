/**
 * @module verify/jwks
 * Chooses the RS256 key that must have signed a grant token, by `kid`, from a
 * JSON Web Key Set held locally or fetched (and cached) from a URL.
 */
import { fromBase64url, isCanonicalBase64url } from '../../internal/bytes.js';
import { GrantexTokenError } from './errors.js';
import { isUsableRsaExponent } from './rsa-exponent.js';

/** A JSON Web Key Set, as `GET /.well-known/jwks.json` returns it. */
import type { Jwks } from '../../../generated/models.js';
export type { Jwks };

/**
 * An RSA public key fit for RS256. One object per distinct key material in
 * the process, so identity comparison means "same key".
 */
export interface RsaVerificationKey {
  readonly n: string;
  readonly e: string;
}

/** Where verification keys come from. */
export interface KeySource {
  /** The key named `kid`, fetching if needed. @throws {GrantexTokenError} `unknown_key` or `jwks_unavailable`. */
  key(kid: string): RsaVerificationKey | Promise<RsaVerificationKey>;
  /** The key named `kid` if it is known right now without fetching. */
  peek(kid: string): RsaVerificationKey | undefined;
}

/** Options of a remote JWKS. Every duration is in milliseconds. */
export interface RemoteJwksOptions {
  /** How long a fetched key set is used before it is fetched again. Default `600_000` (10 minutes). */
  cacheMaxAge?: number;
  /**
   * Minimum time between two fetches triggered by a `kid` missing from the
   * cached set (the server may have rotated keys), and the wait after a
   * failed fetch before the next one: until it ends, verifications answer
   * from the last good set (see `staleIfError`) or fail with
   * `jwks_unavailable` without a request. Default `30_000`.
   */
  cooldownDuration?: number;
  /**
   * How long past `cacheMaxAge` the last good key set keeps serving while
   * refreshing it fails (the server is down, answers an error, or sends a
   * body that is not a usable JWKS). `0` turns it off: a stale set is never
   * used. Default `3_600_000` (1 hour).
   *
   * What it trades: during an outage of the JWKS endpoint, tokens keep
   * verifying against the keys last seen, including a key the server has
   * since rotated out (even one withdrawn because it leaked), for up to
   * `cacheMaxAge + staleIfError` after the last successful fetch. One hour
   * rides out most outages while bounding that window; set `0` where a
   * withdrawn key must stop verifying within `cacheMaxAge` whatever happens.
   */
  staleIfError?: number;
  /** Abort a JWKS request (body included) after this long. Default `5_000`. */
  timeoutDuration?: number;
  /** Extra request headers. Default none. */
  headers?: Record<string, string>;
  /** The `fetch` to use. Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
}

const MIN_MODULUS_BITS = 2048;
/** The largest JWKS body read, in decoded bytes; the body is read as a stream and cancelled past it. */
export const MAX_JWKS_BYTES = 1 << 20;
const INTERNED_KEYS_LIMIT = 256;
/** Verified key objects by modulus, then exponent: one object per key material in the process. */
const interned = new Map<string, Map<string, RsaVerificationKey>>();

/**
 * Selects the usable RSA key named `kid` from a key set. Keys of other types
 * (the Grantex JWKS also publishes an Ed25519 key), with another `alg` or
 * `use`, or with a modulus under 2048 bits are never candidates.
 *
 * @throws {GrantexTokenError} `unknown_key` when none or several different keys qualify.
 */
export function selectRsaKey(jwks: Jwks, kid: string): RsaVerificationKey {
  let found: RsaVerificationKey | undefined;
  for (const jwk of jwks.keys) {
    if (jwk.kid !== kid || !isRs256Jwk(jwk)) continue;
    const key = rsaKey(jwk.n, jwk.e);
    if (key === undefined) continue;
    if (found !== undefined && found !== key) {
      throw new GrantexTokenError('unknown_key', `JWKS holds several RSA keys with kid ${JSON.stringify(kid)}`);
    }
    found = key;
  }
  if (found === undefined)
    throw new GrantexTokenError('unknown_key', `JWKS has no usable RS256 key with kid ${JSON.stringify(kid)}`);
  return found;
}

/** True when `value` has the shape of a key set: an object whose `keys` is an array of objects. */
export function isJwks(value: unknown): value is Jwks {
  return (
    isObject(value) &&
    Array.isArray((value as { keys?: unknown }).keys) &&
    (value as { keys: unknown[] }).keys.every(isObject)
  );
}

/**
 * A key set held in memory. With `snapshot` (the default) it is copied once,
 * so later changes to the object passed in are not seen; a one-shot
 * verification reads the caller's object directly instead.
 */
export class LocalJwks implements KeySource {
  readonly #jwks: Jwks;

  constructor(jwks: unknown, snapshot = true) {
    if (!isJwks(jwks))
      throw new GrantexTokenError('invalid_options', '"jwks" must be a JSON Web Key Set ({ keys: [...] })');
    this.#jwks = snapshot ? { keys: jwks.keys.map((jwk) => ({ ...jwk })) } : jwks;
  }

  key(kid: string): RsaVerificationKey {
    return selectRsaKey(this.#jwks, kid);
  }

  peek(kid: string): RsaVerificationKey | undefined {
    try {
      return selectRsaKey(this.#jwks, kid);
    } catch {
      return undefined;
    }
  }
}

/**
 * A key set fetched from a URL and cached. A stale set (older than
 * `cacheMaxAge`) is refetched before use; a `kid` missing from a fresh set
 * triggers one refetch per `cooldownDuration`. Concurrent callers share one
 * request, and after a failed fetch the next waits `cooldownDuration`. When a
 * refresh fails, the last good set serves for `staleIfError` past
 * `cacheMaxAge`; beyond that, or with no set yet, verification fails closed
 * with `jwks_unavailable`.
 */
export class RemoteJwks implements KeySource {
  readonly url: string;
  readonly #options: Required<Omit<RemoteJwksOptions, 'fetch'>> & { fetch: typeof globalThis.fetch | undefined };
  #jwks: Jwks | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  /** Why the last fetch failed, until one succeeds. */
  #failure: GrantexTokenError | undefined;
  #pending: Promise<void> | undefined;

  constructor(url: string | URL, options: RemoteJwksOptions = {}) {
    this.url = parseJwksUrl(url);
    this.#options = {
      cacheMaxAge: duration(options.cacheMaxAge, 'cacheMaxAge', 600_000),
      cooldownDuration: duration(options.cooldownDuration, 'cooldownDuration', 30_000),
      staleIfError: duration(options.staleIfError, 'staleIfError', 3_600_000),
      timeoutDuration: duration(options.timeoutDuration, 'timeoutDuration', 5_000),
      headers: { ...options.headers },
      fetch: options.fetch,
    };
  }

  key(kid: string): RsaVerificationKey | Promise<RsaVerificationKey> {
    const now = Date.now();
    const jwks = this.#jwks;
    if (jwks !== undefined && now - this.#fetchedAt < this.#options.cacheMaxAge) {
      const key = this.peek(kid);
      if (key !== undefined) return key;
      // A kid the fresh set lacks: refetch at most once per cooldown, and answer from the fresh set if that fails.
      if (now - this.#attemptedAt < this.#options.cooldownDuration) return selectRsaKey(jwks, kid);
      return this.reload().then(
        () => selectRsaKey(this.#jwks!, kid),
        () => selectRsaKey(jwks, kid),
      );
    }
    // No set, or a stale one: refresh, unless the last attempt failed within the cooldown.
    if (this.#failure !== undefined && now - this.#attemptedAt < this.#options.cooldownDuration)
      return this.#fallback(kid, this.#failure);
    return this.reload().then(
      () => selectRsaKey(this.#jwks!, kid),
      (error: unknown) => this.#fallback(kid, error),
    );
  }

  peek(kid: string): RsaVerificationKey | undefined {
    if (this.#jwks === undefined || Date.now() - this.#fetchedAt >= this.#options.cacheMaxAge) return undefined;
    try {
      return selectRsaKey(this.#jwks, kid);
    } catch {
      return undefined;
    }
  }

  /** Fetches the key set now (joining a fetch already under way). @throws {GrantexTokenError} `jwks_unavailable`. */
  reload(): Promise<void> {
    this.#pending ??= this.#fetch().then(
      () => {
        this.#failure = undefined;
        this.#pending = undefined;
      },
      (error: GrantexTokenError) => {
        this.#failure = error;
        this.#pending = undefined;
        throw error;
      },
    );
    return this.#pending;
  }

  /** The key from the last good set while it is within `staleIfError`, else the refresh failure. */
  #fallback(kid: string, failure: unknown): RsaVerificationKey {
    const jwks = this.#jwks;
    const age = Date.now() - this.#fetchedAt;
    if (jwks !== undefined && age < this.#options.cacheMaxAge + this.#options.staleIfError)
      return selectRsaKey(jwks, kid);
    throw failure instanceof GrantexTokenError
      ? failure
      : new GrantexTokenError('jwks_unavailable', `could not fetch the JWKS at ${this.url}`, { cause: failure });
  }

  async #fetch(): Promise<void> {
    this.#attemptedAt = Date.now();
    const fetchImpl = this.#options.fetch ?? globalThis.fetch;
    let body: string;
    try {
      const response = await fetchImpl(this.url, {
        method: 'GET',
        headers: { accept: 'application/json', ...this.#options.headers },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#options.timeoutDuration),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      body = await readCapped(response, MAX_JWKS_BYTES);
    } catch (cause) {
      throw new GrantexTokenError('jwks_unavailable', `could not fetch the JWKS at ${this.url}`, { cause });
    }
    this.#accept(body);
  }

  #accept(body: string): void {
    let jwks: unknown;
    try {
      jwks = JSON.parse(body);
    } catch (cause) {
      throw new GrantexTokenError('jwks_unavailable', `the JWKS at ${this.url} is not JSON`, { cause });
    }
    if (!isJwks(jwks)) throw new GrantexTokenError('jwks_unavailable', `the document at ${this.url} is not a JWKS`);
    this.#jwks = jwks;
    this.#fetchedAt = Date.now();
  }
}

/**
 * The body as UTF-8 text, read as a stream and cancelled as soon as it passes
 * `limit` bytes (after content decoding), so a huge or endless body costs at
 * most `limit` bytes of memory. A declared `content-length` over the limit is
 * refused without reading.
 */
export async function readCapped(response: Response, limit: number): Promise<string> {
  const tooLarge = () => new Error(`the response is larger than ${limit} bytes`);
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) > limit && response.headers.get('content-encoding') === null) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function isRs256Jwk(jwk: Jwks['keys'][number]): jwk is Jwks['keys'][number] & { n: string; e: string } {
  const { kty, alg, use, key_ops: ops, n, e } = jwk;
  return (
    kty === 'RSA' &&
    (alg === undefined || alg === 'RS256') &&
    (use === undefined || use === 'sig') &&
    (ops === undefined || (Array.isArray(ops) && ops.includes('verify'))) &&
    typeof e === 'string' &&
    typeof n === 'string'
  );
}

/**
 * The one key object for this material, or `undefined` when the modulus is
 * under 2048 bits, the exponent is even or under 3, or either part is not
 * canonical base64url. Only good keys
 * are remembered, so the hot path is two map lookups on strings whose hashes
 * the engine already cached.
 */
function rsaKey(n: string, e: string): RsaVerificationKey | undefined {
  const known = interned.get(n)?.get(e);
  if (known !== undefined) return known;
  if (!isUsableRsaExponent(e) || modulusBits(n) < MIN_MODULUS_BITS) return undefined;
  if (interned.size >= INTERNED_KEYS_LIMIT) interned.delete(interned.keys().next().value!);
  const key: RsaVerificationKey = Object.freeze({ n, e });
  interned.set(n, new Map([...(interned.get(n) ?? []), [e, key]]));
  return key;
}

function modulusBits(n: string): number {
  if (!isCanonicalBase64url(n)) return 0;
  const bytes = fromBase64url(n);
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

function parseJwksUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new GrantexTokenError('invalid_options', '"jwksUri" must be an absolute URL', { cause });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new GrantexTokenError('invalid_options', '"jwksUri" must be an http(s) URL');
  }
  return parsed.href;
}

function duration(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new GrantexTokenError('invalid_options', `"${name}" must be a non-negative number of milliseconds`);
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
