/**
 * @module transport
 * The one transport policy of the client. Every request, including those made
 * through the `client.api` escape hatch, passes through {@link Transport}:
 *
 * - **Origin**: requests go only to the configured `baseUrl`'s origin, and
 *   redirects are never followed: a 3xx (or a browser's opaque redirect) is a
 *   `GrantexRedirectError`, so no body or header reaches another origin.
 * - **Headers**: the caller's default headers, `Authorization: Bearer <apiKey>`
 *   (unless the request already carries an `Authorization`, as SCIM calls do)
 *   and a `User-Agent`.
 * - **Bounds**: each attempt gets `timeout` ms (up to 10 ms more, see
 *   `deadline.ts`), response body included; the
 *   body is read as a stream and refused past `maxResponseBytes`; the caller's
 *   `AbortSignal` and {@link Transport.close} abort at once.
 * - **Retries**: on 408, 429, 500, 502, 503, 504, connection errors and
 *   per-attempt timeouts, with exponential backoff and jitter, or after
 *   `Retry-After` when the server sends it; only for requests that are safe to
 *   repeat (GET, HEAD, OPTIONS, PUT, DELETE, the read-only verify POSTs, or any
 *   other POST/PATCH that carries an `Idempotency-Key`). Single-use calls
 *   (`POST /v1/token`, `/v1/token/refresh`, consent approval, the SSO
 *   callback) are never repeated.
 * - **Log**: one record per attempt (see `log.ts`).
 */
import { readBodyText } from '../internal/body.js';
import { Deadlines } from '../internal/deadline.js';
import {
  GrantexAbortError,
  GrantexConfigError,
  GrantexError,
  GrantexNetworkError,
  GrantexRedirectError,
  GrantexTimeoutError,
} from './errors.js';
import type { AttemptLog, AttemptRecord, LogLevel } from './log.js';
import { parseRetryAfter, readRateLimit } from '../internal/rate-limit.js';
import type { Redactor } from '../internal/redact.js';

export { parseRetryAfter, readRateLimit } from '../internal/rate-limit.js';

/** The settings the transport runs with; see `GrantexOptions` for their defaults. */
export interface TransportPolicy {
  baseUrl: string;
  apiKey: string | undefined;
  userAgent: string;
  headers: Readonly<Record<string, string>>;
  /** Milliseconds per attempt, response body included. */
  timeout: number;
  maxRetries: number;
  /** Milliseconds: the first backoff delay, doubled at each retry. */
  retryDelay: number;
  /** Milliseconds: the longest backoff delay. */
  maxRetryDelay: number;
  /** Milliseconds: a longer `Retry-After` than this is not waited for; the 429/503 is returned. */
  maxRetryAfter: number;
  /** Bytes of (decoded) response body accepted. */
  maxResponseBytes: number;
  fetch: typeof globalThis.fetch;
  log: AttemptLog;
  /** Masks the credentials in error messages and log records. */
  redactor: Redactor;
}

/** Overrides of the policy for one call. */
export interface CallPolicy {
  timeout?: number | undefined;
  maxRetries?: number | undefined;
}

/** One call, as the transport sends it. */
export interface Outgoing {
  method: string;
  /** Absolute; must be on the base URL's origin. */
  url: string;
  /** The spec's path template, for the log; the URL path when unknown. */
  template: string;
  /** Lower-case names. The transport adds auth, user agent and default headers to it. */
  headers: Record<string, string>;
  body: string | ArrayBuffer | null;
  signal: AbortSignal | undefined;
  /** Whether the call may be sent more than once (see {@link isSafeToRepeat}). */
  repeatable: boolean;
}

/** The final answer to a call: the response (its body consumed) and that body's text. */
export interface Received {
  response: Response;
  text: string;
}

/** Statuses retried for requests that are safe to repeat. */
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
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
/** Statuses whose responses must not have a body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Whether a request may be sent again without changing its effect, given
 * whether it carries an `Idempotency-Key`. `path` is relative to the base URL
 * (`/v1/token`), filled or as a template.
 */
export function isSafeToRepeat(method: string, path: string, hasIdempotencyKey: boolean): boolean {
  if (SINGLE_USE.some((pattern) => pattern.test(path))) return false;
  if (IDEMPOTENT_METHODS.has(method)) return true;
  if (method === 'POST' && READ_ONLY_POSTS.some((pattern) => pattern.test(path))) return true;
  return hasIdempotencyKey;
}

/**
 * Milliseconds to wait before retry number `attempt + 1`, or `undefined` when the
 * server's `Retry-After` (seconds) asks for more than the policy accepts.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterSeconds: number | undefined,
  policy: Pick<TransportPolicy, 'retryDelay' | 'maxRetryDelay' | 'maxRetryAfter'>,
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

/** Sends requests under a {@link TransportPolicy}. */
export class Transport {
  readonly policy: TransportPolicy;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #closing = new AbortController();
  /** Attempts in flight with a caller signal, so that close() can abort them (cheaper than a listener per attempt). */
  readonly #inFlight = new Set<AbortController>();
  /** The shared timeout signals of attempts without a caller signal. */
  readonly #deadlines = new Deadlines();
  /** Path templates of `client.api` requests, recorded by its middleware adapter for the log. */
  readonly templates = new WeakMap<Request, string>();

  constructor(policy: TransportPolicy) {
    this.policy = policy;
    const base = new URL(policy.baseUrl);
    this.#origin = base.origin;
    this.#basePath = base.pathname.replace(/\/+$/, '');
  }

  /** The policy with some settings overridden for one call (already checked by the caller). */
  policyWith(overrides: CallPolicy): TransportPolicy {
    const policy = { ...this.policy };
    if (overrides.timeout !== undefined) policy.timeout = overrides.timeout;
    if (overrides.maxRetries !== undefined) policy.maxRetries = overrides.maxRetries;
    return policy;
  }

  /**
   * The `fetch` that `client.api` (openapi-fetch) is given: the whole policy,
   * returning a fresh `Response` over the body read, so every `parseAs` works.
   */
  readonly fetch = async (request: Request): Promise<Response> => {
    const { response, text } = await this.send(await this.fromRequest(request), this.policy);
    return rebuild(response, text);
  };

  /** The {@link Outgoing} form of a `Request` (from `client.api` or a middleware). */
  async fromRequest(request: Request): Promise<Outgoing> {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const path = this.#relativePath(request.url);
    return {
      method: request.method,
      url: request.url,
      template: this.templates.get(request) ?? path,
      headers,
      // A Request's body is a one-shot stream: buffer it so that every attempt sends the same bytes.
      body: request.body === null ? null : await request.arrayBuffer(),
      signal: request.signal,
      repeatable: isSafeToRepeat(request.method, path, 'idempotency-key' in headers),
    };
  }

  /** Aborted when the client closes; long-lived reads (event streams) end with it. */
  get closing(): AbortSignal {
    return this.#closing.signal;
  }

  /** Aborts requests in flight and refuses new ones. */
  close(): void {
    const reason = new GrantexAbortError('The client was closed');
    this.#closing.abort(reason);
    for (const controller of this.#inFlight) controller.abort(reason);
    this.#deadlines.abortAll(reason);
  }

  /** Sends `call` with retries; resolves to the final response (any status but 3xx) with its body read. */
  async send(call: Outgoing, policy: TransportPolicy): Promise<Received> {
    this.#checkOrigin(call.url);
    const init = this.#init(call, policy);
    const redactor =
      call.headers.authorization === undefined
        ? policy.redactor
        : policy.redactor.with([bearer(call.headers.authorization)]);
    const retries = call.repeatable ? policy.maxRetries : 0;
    for (let attempt = 0; ; attempt++) {
      const start = performance.now();
      let received: Received;
      try {
        received = await this.#attempt(call, init, policy, redactor);
      } catch (error) {
        const retryable = error instanceof GrantexNetworkError && attempt < retries;
        this.#logFailure(call, policy, redactor, error, attempt, start, retryable);
        if (!retryable) throw error;
        await this.#sleep(retryDelayMs(attempt, undefined, policy) ?? 0, call.signal);
        continue;
      }
      const { status, headers } = received.response;
      const delay =
        attempt < retries && RETRY_STATUSES.has(status)
          ? retryDelayMs(attempt, parseRetryAfter(headers.get('retry-after')), policy)
          : undefined;
      this.#logResponse(call, policy, redactor, received.response, attempt, start, delay !== undefined);
      if (delay === undefined) return received;
      await this.#sleep(delay, call.signal);
    }
  }

  #init(call: Outgoing, policy: TransportPolicy): RequestInit {
    const headers = call.headers;
    for (const name in policy.headers) if (headers[name] === undefined) headers[name] = policy.headers[name]!;
    if (policy.apiKey !== undefined && headers.authorization === undefined)
      headers.authorization = `Bearer ${policy.apiKey}`;
    if (headers['user-agent'] === undefined) headers['user-agent'] = policy.userAgent;
    // Never follow: a redirect would carry the body and headers (the key) to wherever it points.
    const init: RequestInit = { method: call.method, headers, redirect: 'manual' };
    if (call.body !== null) init.body = call.body;
    return init;
  }

  /** Refuses a URL off the base URL's origin (a per-call `baseUrl` on `client.api`, or a middleware's new Request). */
  #checkOrigin(url: string): void {
    const base = this.policy.baseUrl;
    if (url.startsWith(base) && (url.length === base.length || '/?#'.includes(url[base.length]!))) return;
    let origin: string | undefined;
    try {
      origin = new URL(url).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== this.#origin) {
      throw new GrantexConfigError(
        'A request was addressed to an origin other than the baseUrl the client was created with; it was not sent',
      );
    }
  }

  #relativePath(url: string): string {
    const base = this.policy.baseUrl;
    // openapi-fetch builds every URL as baseUrl + path + query, so usually no URL parsing is needed.
    let path: string;
    if (url.startsWith(base)) {
      path = url.slice(base.length);
      const end = path.search(/[?#]/);
      if (end !== -1) path = path.slice(0, end);
    } else {
      let pathname: string;
      try {
        pathname = new URL(url).pathname;
      } catch {
        return url;
      }
      path = pathname.startsWith(this.#basePath) ? pathname.slice(this.#basePath.length) : pathname;
    }
    return path;
  }

  /** One attempt: the response with its body read, or a typed error. */
  async #attempt(call: Outgoing, init: RequestInit, policy: TransportPolicy, redactor: Redactor): Promise<Received> {
    const callerSignal = call.signal;
    // Without a caller signal (the usual case), the attempt shares a deadline slot's signal; see deadline.ts.
    const lease = callerSignal === undefined ? this.#deadlines.acquire(policy.timeout) : undefined;
    const controller = lease === undefined ? new AbortController() : undefined;
    const signal = lease?.signal ?? controller!.signal;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onCallerAbort = controller && callerSignal && (() => controller.abort(abortError(callerSignal.reason)));
    if (controller !== undefined) {
      if (callerSignal?.aborted) controller.abort(abortError(callerSignal.reason));
      if (this.#closing.signal.aborted) controller.abort(this.#closing.signal.reason);
      if (onCallerAbort) callerSignal!.addEventListener('abort', onCallerAbort);
      this.#inFlight.add(controller);
      timer = setTimeout(abortForTimeout, timerMs(policy.timeout), controller, policy.timeout);
    }
    try {
      if (this.#closing.signal.aborted) throw this.#closing.signal.reason;
      if (signal.aborted) throw signal.reason;
      init.signal = signal;
      const response = await policy.fetch(call.url, init);
      if (isRedirect(response)) {
        await response.body?.cancel().catch(ignore);
        throw redirectError(response, call.url, redactor);
      }
      // Reading the body here keeps it under the timeout and frees the connection before a retry.
      const text =
        NULL_BODY_STATUSES.has(response.status) || call.method === 'HEAD'
          ? ''
          : await readBodyText(response, policy.maxResponseBytes);
      return { response, text };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof GrantexError) throw error;
      // Without the query, which may carry one-time values (SSO code and state).
      const message = redactor.text(`${call.method} ${call.url.split('?')[0]} failed: ${describe(error)}`);
      // The cause is kept only when it repeats no secret.
      const cause = message.includes('[redacted]') ? undefined : error;
      throw new GrantexNetworkError(message, cause === undefined ? undefined : { cause });
    } finally {
      lease?.release();
      if (controller !== undefined) {
        clearTimeout(timer);
        if (onCallerAbort) callerSignal!.removeEventListener('abort', onCallerAbort);
        this.#inFlight.delete(controller);
      }
    }
  }

  #logResponse(
    call: Outgoing,
    policy: TransportPolicy,
    redactor: Redactor,
    response: Response,
    attempt: number,
    start: number,
    retrying: boolean,
  ): void {
    const { status } = response;
    const level: Exclude<LogLevel, 'off'> = retrying
      ? 'info'
      : status < 400
        ? 'debug'
        : status >= 500
          ? 'warn'
          : 'info';
    if (!policy.log.enabled(level)) return;
    policy.log.write(level, {
      ...record(call, attempt, start),
      status,
      retryReason: retrying ? `status ${status}` : undefined,
      requestId: redactor.optional(response.headers.get('x-request-id') ?? undefined),
    });
  }

  #logFailure(
    call: Outgoing,
    policy: TransportPolicy,
    redactor: Redactor,
    error: unknown,
    attempt: number,
    start: number,
    retrying: boolean,
  ): void {
    if (error instanceof GrantexAbortError) return;
    const level: Exclude<LogLevel, 'off'> = retrying ? 'info' : 'warn';
    if (!policy.log.enabled(level)) return;
    const code =
      typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'ERR_UNKNOWN';
    const status =
      typeof (error as { statusCode?: unknown }).statusCode === 'number'
        ? (error as { statusCode: number }).statusCode
        : undefined;
    policy.log.write(level, {
      ...record(call, attempt, start),
      status,
      retryReason: retrying ? (error instanceof GrantexTimeoutError ? 'timeout' : 'connection error') : undefined,
      requestId: undefined,
      error: redactor.text(code),
    });
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
        reject(abortError(callerSignal?.aborted ? callerSignal.reason : this.#closing.signal.reason));
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

function record(
  call: Outgoing,
  attempt: number,
  start: number,
): Omit<AttemptRecord, 'status' | 'retryReason' | 'requestId'> & { error: string | undefined } {
  return {
    method: call.method,
    path: call.template,
    durationMs: performance.now() - start,
    attempt: attempt + 1,
    error: undefined,
  };
}

/** A 3xx, a browser's opaque redirect (status 0), or a custom `fetch` that followed one anyway. */
function isRedirect(response: Response): boolean {
  const { status } = response;
  return (status >= 300 && status < 400) || status === 0 || response.type === 'opaqueredirect' || response.redirected;
}

function redirectError(response: Response, url: string, redactor: Redactor): GrantexRedirectError {
  const location = safeLocation(response.headers.get('location'), url);
  const shown = location === undefined ? 'no Location the client can read' : redactor.text(location);
  const what = response.status === 0 ? 'an opaque redirect (status 0)' : `status ${response.status}`;
  const message = response.redirected
    ? `The fetch function followed a redirect, which this client refuses; the response was not used`
    : `The server answered with ${what} to ${shown}; redirects are not followed, and nothing was sent there`;
  return new GrantexRedirectError({
    statusCode: response.status,
    code: 'REDIRECT',
    message,
    requestId: redactor.optional(response.headers.get('x-request-id') ?? undefined),
    body: undefined,
    headers: response.headers,
    rateLimit: readRateLimit(response.headers),
    location: location === undefined ? undefined : redactor.text(location),
  });
}

/** The redirect target resolved against the request URL, without user info, query or fragment. */
function safeLocation(location: string | null, base: string): string | undefined {
  if (location === null) return undefined;
  try {
    const url = new URL(location, base);
    return `${url.origin === 'null' ? url.protocol : url.origin}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/** A `Response` over text already read, for openapi-fetch, which reads the body itself. */
export function rebuild(response: Response, text: string): Response {
  const body = NULL_BODY_STATUSES.has(response.status) ? null : text;
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function bearer(authorization: string): string {
  return authorization.startsWith('Bearer ') ? authorization.slice(7) : authorization;
}

function abortError(reason: unknown): GrantexAbortError {
  return new GrantexAbortError('The request was aborted', { cause: reason });
}

function abortForTimeout(controller: AbortController, ms: number): void {
  controller.abort(new GrantexTimeoutError(`No response within ${ms} ms`));
}

/** `setTimeout` fires at once for delays above 2^31 - 1 ms; clamp instead. */
function timerMs(ms: number): number {
  return Math.min(ms, 2 ** 31 - 1);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

function ignore(): void {}
