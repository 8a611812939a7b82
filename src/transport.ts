/**
 * @module transport
 * The one transport policy of the client. Every request, including those made
 * through the `client.api` escape hatch, passes through {@link Transport}:
 *
 * - **Headers**: the caller's default headers, `Authorization: Bearer <apiKey>`
 *   (unless the request already carries an `Authorization`, as SCIM calls do)
 *   and a `User-Agent`.
 * - **Timeout**: each attempt gets `timeout` seconds, covering the response body
 *   too; the caller's `AbortSignal` and {@link Transport.close} abort at once.
 * - **Retries**: on 429/502/503/504 and on connection errors, with exponential
 *   backoff and jitter, or after `Retry-After` when the server sends it; only
 *   for requests that are safe to repeat (GET, HEAD, OPTIONS, PUT, DELETE, the
 *   read-only verify POSTs, or any other POST/PATCH that carries an
 *   `Idempotency-Key`). Single-use calls (`POST /v1/token`,
 *   `/v1/token/refresh`, consent approval, the SSO callback) are never
 *   repeated. Timeouts are not retried, so a call fails within about
 *   `timeout` seconds of its last start.
 */
import {
  GrantexAbortError,
  GrantexConfigError,
  GrantexNetworkError,
  GrantexTimeoutError,
  type RateLimit,
} from './errors.js';

/** The settings the transport runs with; see `GrantexOptions` for their defaults. */
export interface TransportPolicy {
  baseUrl: string;
  apiKey: string | undefined;
  userAgent: string;
  headers: Readonly<Record<string, string>>;
  /** Seconds per attempt. */
  timeout: number;
  maxRetries: number;
  /** Seconds: the first backoff delay, doubled at each retry. */
  retryDelay: number;
  /** Seconds: the longest backoff delay. */
  maxRetryDelay: number;
  /** Seconds: a longer `Retry-After` than this is not waited for; the 429/503 is returned. */
  maxRetryAfter: number;
  fetch: typeof globalThis.fetch;
}

/** Overrides of the policy for one call. */
export interface CallPolicy {
  timeout?: number | undefined;
  maxRetries?: number | undefined;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Operations that consume a single-use credential (code, refresh token, consent request, SSO code). */
const SINGLE_USE = [/^\/v1\/token$/, /^\/v1\/token\/refresh$/, /^\/v1\/consent\/[^/]+\/approve$/, /^\/sso\/callback$/];
/** POSTs that only read state, so repeating them is harmless. */
const READ_ONLY_POSTS = [/^\/v1\/tokens\/verify$/, /^\/v1\/grants\/verify$/];
/** How a response whose body was read comes back: a fresh `Response`, or the original with `text()` answered. */
type Handoff = 'response' | 'text';

/** Statuses whose responses must not have a body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Whether a request may be sent again without changing its effect.
 * `path` is relative to the base URL, e.g. `/v1/token`.
 */
export function isSafeToRepeat(method: string, path: string, headers: Headers): boolean {
  if (SINGLE_USE.some((pattern) => pattern.test(path))) return false;
  if (IDEMPOTENT_METHODS.has(method)) return true;
  if (method === 'POST' && READ_ONLY_POSTS.some((pattern) => pattern.test(path))) return true;
  return headers.has('idempotency-key');
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into seconds; `undefined` if absent or invalid. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  // An HTTP date names its weekday and month; anything else (`-5`, `soon`) is not one.
  if (!/^[A-Za-z]{3}, /.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** Reads the `x-ratelimit-*` headers; `undefined` when the response has none. */
export function readRateLimit(headers: Headers): RateLimit | undefined {
  const limit = headerNumber(headers, 'x-ratelimit-limit');
  const remaining = headerNumber(headers, 'x-ratelimit-remaining');
  const reset = headerNumber(headers, 'x-ratelimit-reset');
  if (limit === undefined && remaining === undefined && reset === undefined) return undefined;
  return { limit, remaining, reset };
}

function headerNumber(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * Milliseconds to wait before retry number `attempt + 1`, or `undefined` when the
 * server's `Retry-After` (seconds) asks for more than the policy accepts.
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: number | undefined,
  policy: Pick<TransportPolicy, 'retryDelay' | 'maxRetryDelay' | 'maxRetryAfter'>,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfter !== undefined) return retryAfter <= policy.maxRetryAfter ? retryAfter * 1000 : undefined;
  const ceiling = Math.min(policy.retryDelay * 2 ** attempt, policy.maxRetryDelay) * 1000;
  // Equal jitter: at least half the exponential delay, so retries spread out but still back off.
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * What the resource methods' openapi-fetch client builds instead of a
 * `Request` (its documented `Request` option): the same fields, without
 * constructing an undici `Request` (headers, body stream, abort signal) that
 * the transport would only unpack again. Its body is reusable, so retries need
 * no buffering.
 */
export class PlainRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  // Typed via RequestInit: BodyInit and RequestRedirect are DOM-only names, missing under @types/node alone.
  readonly body: NonNullable<RequestInit['body']> | null;
  readonly signal: AbortSignal | null;
  readonly redirect: NonNullable<RequestInit['redirect']>;

  constructor(url: string, init: RequestInit = {}) {
    this.url = url;
    this.method = init.method ?? 'GET';
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.body = init.body ?? null;
    this.signal = init.signal ?? null;
    this.redirect = init.redirect ?? 'follow';
  }
}

/** A request as the transport receives it from openapi-fetch. */
export type OutgoingRequest = Request | PlainRequest;

/** Sends requests under a {@link TransportPolicy}. */
export class Transport {
  readonly #policy: TransportPolicy;
  readonly #basePath: string;
  readonly #closing = new AbortController();
  /** Attempts in flight, so that close() can abort them (cheaper than a listener per attempt). */
  readonly #inFlight = new Set<AbortController>();

  constructor(policy: TransportPolicy) {
    this.#policy = policy;
    this.#basePath = new URL(policy.baseUrl).pathname.replace(/\/+$/, '');
  }

  /**
   * The `fetch` that openapi-fetch is given: applies the whole policy and
   * returns a fresh `Response` over the body it has read, so every `parseAs` works.
   */
  readonly fetch = (request: OutgoingRequest): Promise<Response> => this.#send(request, this.#policy, 'response');

  /**
   * The `fetch` for calls made with `parseAs: 'text'` (all resource methods).
   * It returns the network response itself, its `text()` answering from the
   * body already read: building and re-reading a second body stream costs
   * about as much as the request itself on Node 20.
   */
  readonly textFetch = (request: OutgoingRequest): Promise<Response> => this.#send(request, this.#policy, 'text');

  /** {@link textFetch} with some of the policy overridden for one call. */
  textFetchWith(overrides: CallPolicy): (request: OutgoingRequest) => Promise<Response> {
    const policy = { ...this.#policy };
    policy.timeout = positiveSeconds('timeout', overrides.timeout, policy.timeout);
    policy.maxRetries = wholeNumber('maxRetries', overrides.maxRetries, policy.maxRetries);
    return (request) => this.#send(request, policy, 'text');
  }

  /** Aborts requests in flight and refuses new ones. */
  close(): void {
    const reason = new GrantexAbortError('The client was closed');
    this.#closing.abort(reason);
    for (const controller of this.#inFlight) controller.abort(reason);
  }

  async #send(request: OutgoingRequest, policy: TransportPolicy, handoff: Handoff): Promise<Response> {
    const plain = request instanceof PlainRequest;
    // A PlainRequest's headers were made for this call alone; a Request's are copied.
    const headers = this.#headers(plain ? request.headers : new Headers(request.headers), policy);
    const init: RequestInit = { method: request.method, headers, redirect: request.redirect };
    // A Request's body is a one-shot stream: buffer it so that every attempt sends the same bytes.
    const body = plain ? request.body : request.body === null ? null : await request.arrayBuffer();
    if (body !== null) init.body = body;
    const callerSignal = request.signal ?? undefined;
    const retries = this.#safeToRepeat(request, headers) ? policy.maxRetries : 0;

    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.#attempt(request.url, init, callerSignal, policy, handoff);
      } catch (error) {
        const connectionError = error instanceof GrantexNetworkError && !(error instanceof GrantexTimeoutError);
        if (!connectionError || attempt >= retries) throw error;
        await this.#sleep(retryDelayMs(attempt, undefined, policy) ?? 0, callerSignal);
        continue;
      }
      if (attempt >= retries || !RETRY_STATUSES.has(response.status)) return response;
      const delay = retryDelayMs(attempt, parseRetryAfter(response.headers.get('retry-after')), policy);
      if (delay === undefined) return response;
      await this.#sleep(delay, callerSignal);
    }
  }

  /** Fills in, without overriding what the call set: the client's default headers, auth and user agent. */
  #headers(headers: Headers, policy: TransportPolicy): Headers {
    for (const name in policy.headers) if (!headers.has(name)) headers.set(name, policy.headers[name]!);
    if (policy.apiKey !== undefined && !headers.has('authorization')) {
      headers.set('authorization', `Bearer ${policy.apiKey}`);
    }
    if (!headers.has('user-agent')) headers.set('user-agent', policy.userAgent);
    return headers;
  }

  #safeToRepeat(request: OutgoingRequest, headers: Headers): boolean {
    // openapi-fetch builds every URL as baseUrl + path + query, so no URL parsing is needed.
    const { url } = request;
    let path: string;
    if (url.startsWith(this.#policy.baseUrl)) {
      path = url.slice(this.#policy.baseUrl.length);
      const end = path.search(/[?#]/);
      if (end !== -1) path = path.slice(0, end);
    } else {
      // A per-call baseUrl through the escape hatch.
      const { pathname } = new URL(url);
      path = pathname.startsWith(this.#basePath) ? pathname.slice(this.#basePath.length) : pathname;
    }
    return isSafeToRepeat(request.method, path, headers);
  }

  /** One attempt: the response with its body read, or a typed error. */
  async #attempt(
    url: string,
    init: RequestInit,
    callerSignal: AbortSignal | undefined,
    policy: TransportPolicy,
    handoff: Handoff,
  ): Promise<Response> {
    const controller = new AbortController();
    // Closures only where needed: this runs once per request.
    const onCallerAbort = callerSignal && (() => controller.abort(abortError(callerSignal.reason)));
    if (callerSignal?.aborted) controller.abort(abortError(callerSignal.reason));
    if (this.#closing.signal.aborted) controller.abort(this.#closing.signal.reason);
    if (onCallerAbort) callerSignal.addEventListener('abort', onCallerAbort);
    this.#inFlight.add(controller);
    const timer = setTimeout(abortForTimeout, timerMs(policy.timeout * 1000), controller, policy.timeout);
    try {
      if (controller.signal.aborted) throw controller.signal.reason;
      init.signal = controller.signal;
      const response = await policy.fetch(url, init);
      // Reading the body here keeps it under the timeout and frees the connection before a retry.
      if (NULL_BODY_STATUSES.has(response.status)) return response;
      if (handoff === 'text') {
        const text = await response.text();
        Object.defineProperty(response, 'text', { value: () => Promise.resolve(text) });
        return response;
      }
      const body = await response.arrayBuffer();
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      // Without the query, which may carry one-time values (SSO code and state).
      throw new GrantexNetworkError(`${init.method} ${url.split('?')[0]} failed: ${describe(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
      if (onCallerAbort) callerSignal.removeEventListener('abort', onCallerAbort);
      this.#inFlight.delete(controller);
    }
  }

  /** Waits between attempts; an abort or close ends the wait with the abort error. */
  #sleep(ms: number, callerSignal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const signals = callerSignal === undefined ? [this.#closing.signal] : [callerSignal, this.#closing.signal];
      const done = () => {
        clearTimeout(timer);
        for (const signal of signals) signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        done();
        reject(abortError(callerSignal?.reason ?? this.#closing.signal.reason));
      };
      const timer = setTimeout(() => {
        done();
        resolve();
      }, timerMs(ms));
      for (const signal of signals) {
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort);
      }
    });
  }
}

function abortError(reason: unknown): GrantexAbortError {
  return new GrantexAbortError('The request was aborted', { cause: reason });
}

function abortForTimeout(controller: AbortController, seconds: number): void {
  controller.abort(new GrantexTimeoutError(`No response within ${seconds} s`));
}

/** `setTimeout` fires at once for delays above 2^31 - 1 ms; clamp instead. */
function timerMs(ms: number): number {
  return Math.min(ms, 2 ** 31 - 1);
}

/** `value` if it is a positive number of seconds, `fallback` if undefined; otherwise a config error. */
export function positiveSeconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new GrantexConfigError(`${name} must be a positive number of seconds`);
  return value;
}

/** `value` if it is zero or more seconds, `fallback` if undefined; otherwise a config error. */
export function nonNegativeSeconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new GrantexConfigError(`${name} must be zero or more seconds`);
  return value;
}

/** `value` if it is a whole number, zero or more, `fallback` if undefined; otherwise a config error. */
export function wholeNumber(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new GrantexConfigError(`${name} must be a whole number, zero or more`);
  return value;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
