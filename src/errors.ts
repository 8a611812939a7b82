/**
 * @module errors
 * The root of every error this package throws. Callers branch on the class or
 * on a stable `code`, never on message text.
 */

/** Base class of every error thrown by `grantex`. */
export class GrantexError extends Error {
  override name = 'GrantexError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The `x-ratelimit-*` headers of a response, as numbers. A field is `undefined`
 * when the server did not send that header.
 */
export interface RateLimit {
  /** Requests allowed in the current window (`x-ratelimit-limit`). */
  limit: number | undefined;
  /** Requests left in the current window (`x-ratelimit-remaining`). */
  remaining: number | undefined;
  /** Seconds until the window resets (`x-ratelimit-reset`). */
  reset: number | undefined;
}

/** What a server said when it answered with a non-2xx status. */
export interface ApiErrorDetails {
  statusCode: number;
  /** The server's `code` (`NOT_FOUND`…), or `HTTP_<status>` when the body has none. */
  code: string;
  message: string;
  requestId: string | undefined;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  headers: Headers;
  rateLimit: RateLimit | undefined;
}

/**
 * The server answered with a non-2xx status (or, with code `INVALID_RESPONSE`,
 * a 2xx whose JSON body does not parse). `code` is the server's stable error
 * code (`BAD_REQUEST`, `PLAN_LIMIT_EXCEEDED`…); `body` and `headers` are kept
 * as received.
 */
export class GrantexApiError extends GrantexError {
  override name = 'GrantexApiError';
  readonly statusCode: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly body: unknown;
  readonly headers: Headers;
  readonly rateLimit: RateLimit | undefined;

  constructor(details: ApiErrorDetails) {
    super(details.message);
    this.statusCode = details.statusCode;
    this.code = details.code;
    this.requestId = details.requestId;
    this.body = details.body;
    this.headers = details.headers;
    this.rateLimit = details.rateLimit;
  }
}

/** 401 or 403: the credential is missing, unknown, or not allowed to do this. */
export class GrantexAuthError extends GrantexApiError {
  override name = 'GrantexAuthError';
}

/** 404: no such resource for this developer (or the server lacks the extension). */
export class GrantexNotFoundError extends GrantexApiError {
  override name = 'GrantexNotFoundError';
}

/** 409: the request conflicts with the current state. */
export class GrantexConflictError extends GrantexApiError {
  override name = 'GrantexConflictError';
}

/** 422: the request was well-formed but failed validation. */
export class GrantexValidationError extends GrantexApiError {
  override name = 'GrantexValidationError';
}

/** 429: rate limited. `retryAfter` is the server's `Retry-After`, in seconds. */
export class GrantexRateLimitError extends GrantexApiError {
  override name = 'GrantexRateLimitError';
  readonly retryAfter: number | undefined;

  constructor(details: ApiErrorDetails & { retryAfter: number | undefined }) {
    super(details);
    this.retryAfter = details.retryAfter;
  }
}

/** No usable response: the connection failed or the response could not be read. `cause` holds the original error. */
export class GrantexNetworkError extends GrantexError {
  override name = 'GrantexNetworkError';
  readonly code: string = 'ERR_NETWORK';
}

/** An attempt took longer than the configured `timeout`. */
export class GrantexTimeoutError extends GrantexNetworkError {
  override name = 'GrantexTimeoutError';
  override readonly code: string = 'ERR_TIMEOUT';
}

/** The caller's `AbortSignal` fired, or the client was closed. `cause` holds the abort reason. */
export class GrantexAbortError extends GrantexError {
  override name = 'GrantexAbortError';
  readonly code = 'ERR_ABORTED';
}

/** The client was configured wrongly, e.g. no API key. */
export class GrantexConfigError extends GrantexError {
  override name = 'GrantexConfigError';
  readonly code = 'ERR_CONFIG';
}
