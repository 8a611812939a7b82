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
 *   repeat (GET, HEAD, OPTIONS, PUT, DELETE and the read-only verify POSTs).
 *   Other POSTs and PATCHes are never repeated, with or without an
 *   `Idempotency-Key` header: the spec documents none and neither server
 *   honours one, so a repeat could create a duplicate. Single-use calls
 *   (`POST /v1/token`, `/v1/token/refresh`, consent approval, the SSO
 *   callback) are never repeated. A retryable status that is not retried is
 *   logged with the reason (`Retry-After 10 s exceeds maxRetryAfter 2 s`).
 * - **Log**: one record per attempt (see `log.ts`).
 */
import { readBodyText } from '../internal/body.js';
import { Deadlines } from '../internal/deadline.js';
import {
  GrantexAbortError,
  GrantexConfigError,
  GrantexError,
  GrantexNetworkError,
  GrantexTimeoutError,
} from './errors.js';
import type { AttemptLog, AttemptRecord, LogLevel } from './log.js';
import { parseRetryAfter } from '../internal/rate-limit.js';
import type { Redactor } from '../internal/redact.js';
import { nodeBuiltins, NodeSender } from './node-http.js';
import { isRedirect, redirectError } from './redirect.js';
import { isSafeToRepeat, RETRY_STATUSES, retryDelayMs } from './retry.js';

export { parseRetryAfter, readRateLimit } from '../internal/rate-limit.js';
export { isSafeToRepeat, retryDelayMs } from './retry.js';

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
  /**
   * On Node with no `fetch` option: send with `node:http` (see node-http.ts)
   * instead of `fetch`, with the same guarantees and less CPU per call.
   */
  nodeHttp: boolean;
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

/** Statuses whose responses must not have a body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

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
  /** The `node:http` sender, on Node when the policy asks for it. */
  readonly #node: NodeSender | undefined;
  /** Whether a response needs its body read, for the Node sender (built once). */
  readonly #hasBody: (method: string) => (status: number) => boolean;

  constructor(policy: TransportPolicy) {
    this.policy = policy;
    const base = new URL(policy.baseUrl);
    this.#origin = base.origin;
    this.#basePath = base.pathname.replace(/\/+$/, '');
    const builtins = policy.nodeHttp ? nodeBuiltins() : undefined;
    this.#node = builtins === undefined ? undefined : new NodeSender(builtins, policy.baseUrl);
    const bodyFor = (status: number) => !NULL_BODY_STATUSES.has(status);
    const noBody = () => false;
    this.#hasBody = (method) => (method === 'HEAD' ? noBody : bodyFor);
  }

  /** Whether calls go through `node:http` (Node, no custom fetch) rather than `fetch`. */
  get usesNodeHttp(): boolean {
    return this.#node !== undefined;
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
      repeatable: isSafeToRepeat(request.method, path),
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
    this.#node?.close(reason);
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
        received =
          this.#node === undefined
            ? await this.#attempt(call, init, policy, redactor)
            : await this.#nodeAttempt(this.#node, call, init, policy, redactor);
      } catch (error) {
        const retryable = error instanceof GrantexNetworkError && attempt < retries;
        this.#logFailure(call, policy, redactor, error, attempt, start, retryable);
        if (!retryable) throw error;
        await this.#sleep(retryDelayMs(attempt, undefined, policy) ?? 0, call.signal);
        continue;
      }
      const { status, headers } = received.response;
      let delay: number | undefined;
      let notRetried: string | undefined;
      if (RETRY_STATUSES.has(status)) {
        const retryAfter = parseRetryAfter(headers.get('retry-after'));
        if (!call.repeatable) notRetried = `${call.method} ${call.template} is not safe to repeat`;
        else if (attempt >= retries) notRetried = `no retries left (maxRetries ${policy.maxRetries})`;
        else {
          delay = retryDelayMs(attempt, retryAfter, policy);
          if (delay === undefined)
            notRetried = `Retry-After ${retryAfter} s exceeds maxRetryAfter ${policy.maxRetryAfter / 1000} s`;
        }
      }
      this.#logResponse(call, policy, redactor, received.response, attempt, start, delay !== undefined, notRetried);
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

  /** One attempt through `node:http`: the same outcomes as {@link #attempt}. */
  async #nodeAttempt(
    sender: NodeSender,
    call: Outgoing,
    init: RequestInit,
    policy: TransportPolicy,
    redactor: Redactor,
  ): Promise<Received> {
    if (this.#closing.signal.aborted) throw this.#closing.signal.reason;
    let received: Received;
    try {
      received = await sender.send({
        method: call.method,
        url: call.url,
        headers: init.headers as Record<string, string>,
        body: call.body,
        signal: call.signal,
        timeout: policy.timeout,
        maxResponseBytes: policy.maxResponseBytes,
        hasBody: this.#hasBody(call.method),
      });
    } catch (error) {
      if (error instanceof GrantexError) throw error;
      throw networkError(call, redactor, error);
    }
    if (isRedirect(received.response)) throw redirectError(received.response, call, redactor);
    return received;
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
        throw redirectError(response, call, redactor);
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
      throw networkError(call, redactor, error);
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
    notRetried: string | undefined,
  ): void {
    const { status } = response;
    // A retryable status given back to the caller is worth a warning: it says why no retry was made.
    const level: Exclude<LogLevel, 'off'> = retrying
      ? 'info'
      : notRetried !== undefined || status >= 500
        ? 'warn'
        : status < 400
          ? 'debug'
          : 'info';
    if (!policy.log.enabled(level)) return;
    policy.log.write(level, {
      ...record(call, attempt, start),
      status,
      retryReason: retrying ? `status ${status}` : undefined,
      notRetriedReason: notRetried,
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
): Omit<AttemptRecord, 'status' | 'retryReason' | 'requestId' | 'notRetriedReason'> & { error: string | undefined } {
  return {
    method: call.method,
    path: call.template,
    durationMs: performance.now() - start,
    attempt: attempt + 1,
    error: undefined,
  };
}

/** A `Response` over text already read, for openapi-fetch, which reads the body itself. */
export function rebuild(response: Response, text: string): Response {
  const body = NULL_BODY_STATUSES.has(response.status) ? null : text;
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** A connection-level failure, without the query (it may carry one-time values: SSO code and state). */
function networkError(call: Outgoing, redactor: Redactor, error: unknown): GrantexNetworkError {
  const message = redactor.text(`${call.method} ${call.url.split('?')[0]} failed: ${describe(error)}`);
  // The cause is kept only when it repeats no secret.
  const cause = message.includes('[redacted]') ? undefined : error;
  return new GrantexNetworkError(message, cause === undefined ? undefined : { cause });
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
