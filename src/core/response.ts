/**
 * @module response
 * Turns what openapi-fetch returns into either the response data or a typed
 * error, and wraps it in an {@link ApiPromise} so callers can also reach the
 * raw response and its rate-limit headers.
 */
import {
  GrantexApiError,
  GrantexAuthenticationError,
  GrantexBadRequestError,
  GrantexConflictError,
  GrantexError,
  GrantexInternalServerError,
  GrantexNotFoundError,
  GrantexPermissionDeniedError,
  GrantexRateLimitError,
  GrantexUnprocessableEntityError,
  type ApiErrorDetails,
  type RateLimit,
} from './errors.js';
import { parseRetryAfter, readRateLimit } from '../internal/rate-limit.js';
import { Redactor } from '../internal/redact.js';
import { findMismatch, shapeFor, type OperationShapes } from '../internal/response-shape.js';
import { rebuild } from './transport.js';

/** A successful call, with what came with it. */
export interface ApiResult<T> {
  data: T;
  response: Response;
  /** The response's `x-ratelimit-*` headers, when it had any. */
  rateLimit: RateLimit | undefined;
  /** The server's `x-request-id`, to quote when reporting a problem; `undefined` when it sent none. */
  requestId: string | undefined;
}

/** What a call resolves to before it is settled (the shape of an openapi-fetch result with `parseAs: 'text'`). */
export interface RawResult {
  /** The body text of a 2xx. */
  data?: unknown;
  /** The body of a non-2xx: parsed JSON, or the text when it is not JSON. */
  error?: unknown;
  response: Response;
  /** The operation's success shapes from the spec, to check a 2xx body against. */
  shapes?: OperationShapes;
  /** Masks the call's credentials in error messages. */
  redactor?: Redactor;
  /** The request's method and path template, for error messages. */
  method?: string;
  template?: string;
}

const NO_SECRETS = new Redactor([]);

/**
 * The promise every client method returns: it resolves to the data, and
 * {@link ApiPromise.withResponse} gives the data with the raw `Response` and
 * its rate-limit headers.
 *
 * @example
 * ```ts
 * const { data: agent, rateLimit } = await client.agents.get(agentId).withResponse();
 * ```
 */
export class ApiPromise<T> extends Promise<T> {
  readonly #result: Promise<ApiResult<T>>;

  constructor(result: Promise<ApiResult<T>>) {
    // The base promise is a placeholder; `then` reads from `#result`, so a
    // failure is reported once, through whichever of the two the caller awaits.
    super(resolveToNothing);
    this.#result = result;
  }

  /** The data together with the raw response, its request id and its rate-limit headers. */
  withResponse(): Promise<ApiResult<T>> {
    return this.#result;
  }

  /**
   * The raw `Response` alone (status, headers; its body can be read again).
   * Like awaiting the call, a non-2xx still rejects with a `GrantexApiError`.
   */
  asResponse(): Promise<Response> {
    return this.#result.then(responseOf);
  }

  override then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    // One promise per await, not two: the data is unwrapped in the same callback.
    const fulfilled = onFulfilled ?? undefined;
    return this.#result.then(
      fulfilled === undefined
        ? (dataOf<T> as unknown as (result: ApiResult<T>) => A)
        : (result) => fulfilled(result.data),
      onRejected,
    );
  }

  override catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.then(undefined, onRejected);
  }

  override finally(onFinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onFinally);
  }
}

function resolveToNothing(resolve: (value: never) => void): void {
  resolve(undefined as never);
}

function dataOf<T>(result: ApiResult<T>): T {
  return result.data;
}

function responseOf<T>(result: ApiResult<T>): Response {
  return result.response;
}

/** Resolves an openapi-fetch call to its data, or throws the matching `GrantexError`. */
export async function settle<T>(pending: Promise<RawResult>): Promise<ApiResult<T>> {
  let result: RawResult;
  try {
    result = await pending;
  } catch (error) {
    if (error instanceof GrantexError) throw error;
    throw new GrantexError(`The request could not be made: ${String(error)}`, { cause: error });
  }
  const { response } = result;
  const redactor = result.redactor ?? NO_SECRETS;
  const request = { method: result.method, path: result.template };
  if (!response.ok) throw apiError(response, result.error, redactor, request);
  const text = typeof result.data === 'string' ? result.data : undefined;
  return new Settled(parseData(response, result.data, result.shapes, redactor, request) as T, response, text, redactor);
}

/** An {@link ApiResult} whose rate limits are read only if asked for. */
class Settled<T> implements ApiResult<T> {
  readonly data: T;
  #received: Response;
  #text: string | undefined;
  readonly #redactor: Redactor;

  constructor(data: T, received: Response, text: string | undefined, redactor: Redactor) {
    this.data = data;
    this.#received = received;
    this.#text = text;
    this.#redactor = redactor;
  }

  /** The response; its body (already read by the transport) can be read again. Built only if asked for. */
  get response(): Response {
    if (this.#text !== undefined && this.#received.bodyUsed) {
      this.#received = rebuild(this.#received, this.#text);
      this.#text = undefined;
    }
    return this.#received;
  }

  get rateLimit(): RateLimit | undefined {
    return readRateLimit(this.#received.headers);
  }

  get requestId(): string | undefined {
    return this.#redactor.optional(this.#received.headers.get('x-request-id') ?? undefined);
  }
}

/**
 * A 2xx body, parsed. Where the spec documents a JSON body for this status, it
 * must be JSON and have every required field with its JSON type; anything else
 * is an `INVALID_RESPONSE` error, never a success with fields missing. Where it
 * documents none, JSON is parsed and other text returned as it is.
 */
function parseData(
  response: Response,
  text: unknown,
  shapes: OperationShapes,
  redactor: Redactor,
  request: RequestNames,
): unknown {
  const body = typeof text === 'string' ? text : '';
  const shape = shapeFor(shapes, response.status);
  if (shape === 0) return undefined;
  if (shape === undefined) return parseUndocumented(response, body, redactor, request);
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw invalidResponse(
      response,
      body,
      redactor,
      body === '' ? 'an empty body where JSON is required' : 'a body that is not valid JSON',
      request,
    );
  }
  const problem = findMismatch(data, shape);
  if (problem !== undefined) {
    throw invalidResponse(response, data, redactor, `a body that does not match the spec (${problem})`, request);
  }
  return data;
}

/** A 2xx the spec says nothing about: JSON is parsed; other text is returned unless it claims to be JSON. */
function parseUndocumented(response: Response, text: string, redactor: Redactor, request: RequestNames): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type');
    if (type !== null && !type.includes('json')) return text;
    throw invalidResponse(response, text, redactor, 'a body that is not valid JSON', request);
  }
}

/** The method and path template of the request, for error messages (both unknown outside the resource calls). */
interface RequestNames {
  method?: string | undefined;
  path?: string | undefined;
}

function invalidResponse(
  response: Response,
  body: unknown,
  redactor: Redactor,
  what: string,
  request: RequestNames,
): GrantexApiError {
  const excerptText = typeof body === 'string' && body !== '' ? `: ${excerpt(redactor.text(body))}` : '';
  return new GrantexApiError({
    ...describeResponse(response, body, redactor),
    ...request,
    code: 'INVALID_RESPONSE',
    message: `The server answered ${response.status} with ${what}${excerptText}`,
  });
}

/** The error class for a non-2xx response. `body` is the parsed JSON, or the text when it is not JSON. */
export function apiError(
  response: Response,
  body: unknown,
  redactor: Redactor = NO_SECRETS,
  request: RequestNames = {},
): GrantexApiError {
  const details = { ...describeResponse(response, body, redactor), ...request };
  const { status } = response;
  switch (status) {
    case 400:
      return new GrantexBadRequestError(details);
    case 401:
      return new GrantexAuthenticationError(details);
    case 403:
      return new GrantexPermissionDeniedError(details);
    case 404:
      return new GrantexNotFoundError(details);
    case 409:
      return new GrantexConflictError(details);
    case 422:
      return new GrantexUnprocessableEntityError(details);
    case 429:
      return new GrantexRateLimitError({
        ...details,
        retryAfter: parseRetryAfter(response.headers.get('retry-after')),
      });
    default:
      return status >= 500 ? new GrantexInternalServerError(details) : new GrantexApiError(details);
  }
}

function describeResponse(response: Response, received: unknown, redactor: Redactor): ApiErrorDetails {
  const body = redactor.json(received);
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = (name: string) => (typeof fields[name] === 'string' && fields[name] !== '' ? fields[name] : undefined);
  // The message that GrantexApiError prefixes with the status and the request.
  const fallback =
    typeof body === 'string' && body.trim() !== ''
      ? excerpt(body)
      : redactor.text(response.statusText).trim() || 'no message';
  return {
    statusCode: response.status,
    // SCIM 2.0 routes answer `{detail, scimType, status}` instead of `{message, code, requestId}`.
    code: text('code') ?? text('scimType') ?? `HTTP_${response.status}`,
    // Prism and other proxies answer RFC 7807 problems (`title`, `detail`) instead of `message`.
    message: text('message') ?? text('detail') ?? text('title') ?? fallback,
    requestId: text('requestId') ?? redactor.optional(response.headers.get('x-request-id') ?? undefined),
    body,
    headers: response.headers,
    rateLimit: readRateLimit(response.headers),
  };
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
