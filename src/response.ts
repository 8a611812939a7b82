/**
 * @module response
 * Turns what openapi-fetch returns into either the response data or a typed
 * error, and wraps it in an {@link ApiPromise} so callers can also reach the
 * raw response and its rate-limit headers.
 */
import {
  GrantexApiError,
  GrantexAuthError,
  GrantexConflictError,
  GrantexError,
  GrantexNotFoundError,
  GrantexRateLimitError,
  GrantexValidationError,
  type ApiErrorDetails,
  type RateLimit,
} from './errors.js';
import { parseRetryAfter, readRateLimit } from './transport.js';

/** A successful call, with what came with it. */
export interface ApiResult<T> {
  data: T;
  response: Response;
  /** The response's `x-ratelimit-*` headers, when it had any. */
  rateLimit: RateLimit | undefined;
}

/** What an openapi-fetch call resolves to, with `parseAs: 'text'`. */
export interface RawResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

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

  /** The data together with the raw response and its rate-limit headers. */
  withResponse(): Promise<ApiResult<T>> {
    return this.#result;
  }

  override then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#result.then(dataOf<T>).then(onFulfilled, onRejected);
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
  if (!response.ok) throw apiError(response, result.error);
  return new Settled(parseData(response, result.data) as T, response);
}

/** An {@link ApiResult} whose rate limits are read only if asked for. */
class Settled<T> implements ApiResult<T> {
  readonly data: T;
  readonly response: Response;

  constructor(data: T, response: Response) {
    this.data = data;
    this.response = response;
  }

  get rateLimit(): RateLimit | undefined {
    return readRateLimit(this.response.headers);
  }
}

/**
 * JSON bodies are parsed. A body that does not parse is returned as text when
 * the response says it is not JSON, and is an error when it claims to be.
 */
function parseData(response: Response, text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type');
    if (type !== null && !type.includes('json')) return text;
    throw new GrantexApiError({
      ...describeResponse(response, text),
      code: 'INVALID_RESPONSE',
      message: `The server answered ${response.status} with a body that is not valid JSON: ${excerpt(text)}`,
    });
  }
}

/** The error class for a non-2xx response. `body` is the parsed JSON, or the text when it is not JSON. */
export function apiError(response: Response, body: unknown): GrantexApiError {
  const details = describeResponse(response, body);
  switch (response.status) {
    case 401:
    case 403:
      return new GrantexAuthError(details);
    case 404:
      return new GrantexNotFoundError(details);
    case 409:
      return new GrantexConflictError(details);
    case 422:
      return new GrantexValidationError(details);
    case 429:
      return new GrantexRateLimitError({ ...details, retryAfter: parseRetryAfter(response.headers.get('retry-after')) });
    default:
      return new GrantexApiError(details);
  }
}

function describeResponse(response: Response, body: unknown): ApiErrorDetails {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = (name: string) => (typeof fields[name] === 'string' && fields[name] !== '' ? fields[name] : undefined);
  const fallback =
    typeof body === 'string' && body.trim() !== ''
      ? `HTTP ${response.status}: ${excerpt(body)}`
      : `HTTP ${response.status} ${response.statusText}`.trim();
  return {
    statusCode: response.status,
    // SCIM 2.0 routes answer `{detail, scimType, status}` instead of `{message, code, requestId}`.
    code: text('code') ?? text('scimType') ?? `HTTP_${response.status}`,
    // Prism and other proxies answer RFC 7807 problems (`title`, `detail`) instead of `message`.
    message: text('message') ?? text('detail') ?? text('title') ?? fallback,
    requestId: text('requestId') ?? response.headers.get('x-request-id') ?? undefined,
    body,
    headers: response.headers,
    rateLimit: readRateLimit(response.headers),
  };
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
