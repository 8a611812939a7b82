/**
 * @module errors
 * The root of every error this package throws. Callers branch on the class or
 * on a stable `code`, never on message text.
 */
import type { DocumentedErrorCodes } from '../../generated/error-codes.js';

/**
 * The `code`s the spec documents for the statuses `S`, or any other string a
 * server may send (`string & {}` keeps the documented ones in autocompletion).
 */
export type ErrorCodeFor<S extends number> =
  | DocumentedErrorCodes[Extract<S, keyof DocumentedErrorCodes>]
  | (string & {}); // `string & {}` keeps the documented codes visible to editors.

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
  /** The request's method, when known. */
  method?: string | undefined;
  /** The spec's path template of the request (`/v1/agents/{agentId}`), when known. */
  path?: string | undefined;
}

/**
 * The server answered with a non-2xx status, or with a 2xx the client cannot
 * use: code `INVALID_RESPONSE` when the body is not JSON or lacks a field the
 * spec requires (or has the wrong JSON type there), `RESPONSE_TOO_LARGE` when
 * it passes `maxResponseBytes`. `code` is otherwise the server's stable error
 * code (`BAD_REQUEST`, `PLAN_LIMIT_EXCEEDED`…). `body` and `headers` are kept
 * as received, except that the client's own credentials are masked in
 * `message`, `code`, `requestId` and `body`.
 */
export class GrantexApiError extends GrantexError {
  override name = 'GrantexApiError';
  readonly statusCode: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly body: unknown;
  readonly headers: Headers;
  readonly rateLimit: RateLimit | undefined;
  /** The request's method (`GET`…), when known. */
  readonly method: string | undefined;
  /** The spec's path template of the request (`/v1/agents/{agentId}`), when known: no ids, nothing secret. */
  readonly path: string | undefined;
  /** What the server said (its `message`), without the status, request and hint that `message` adds. */
  readonly serverMessage: string;

  /**
   * `message` reads `404 GET /v1/agents/{agentId}: Agent not found (request id req_…)`,
   * plus what to do where the status says (401, 403, 429).
   */
  constructor(details: ApiErrorDetails) {
    super(describeFailure(details));
    this.statusCode = details.statusCode;
    this.code = details.code;
    this.requestId = details.requestId;
    this.body = details.body;
    this.headers = details.headers;
    this.rateLimit = details.rateLimit;
    this.method = details.method;
    this.path = details.path;
    this.serverMessage = details.message;
  }
}

/** What to do about a status, where the status alone says it. */
const HINTS: Record<number, string> = {
  401: 'check the API key: the apiKey option or GRANTEX_API_KEY (a sandbox key starts gx_test_)',
  403: 'the key is valid but may not do this: check its mode (sandbox or live), its plan and the scopes',
  429: 'rate limited: wait for Retry-After, or raise maxRetryAfter so that the client waits for it',
};

function describeFailure(details: ApiErrorDetails): string {
  const request =
    details.method !== undefined && details.path !== undefined ? ` ${details.method} ${details.path}` : '';
  const status = details.statusCode >= 200 && details.statusCode < 300 ? '' : `${details.statusCode}${request}: `;
  const id = details.requestId === undefined ? '' : ` (request id ${details.requestId})`;
  const hint = HINTS[details.statusCode];
  return `${status === '' && request !== '' ? `${request.trim()}: ` : status}${details.message}${id}${hint === undefined ? '' : `; ${hint}`}`;
}

/** 3xx (or a browser's opaque redirect, status 0): redirects are never followed, so nothing reaches another origin. */
export class GrantexRedirectError extends GrantexApiError {
  override name = 'GrantexRedirectError';
  /** Where the server pointed, without user info, query or fragment; `undefined` when it gave none (or the browser hid it). */
  readonly location: string | undefined;

  constructor(details: ApiErrorDetails & { location: string | undefined }) {
    super(details);
    this.location = details.location;
  }
}

/** 400: the request is malformed (a missing or wrong field, a bad query). */
export class GrantexBadRequestError extends GrantexApiError {
  override name = 'GrantexBadRequestError';
  /** The server's code: one of those the spec documents for this status, or another string. */
  declare readonly code: ErrorCodeFor<400 | 413 | 415>;
}

/**
 * 401 or 403: the credential is missing, unknown, or not allowed to do this.
 * The common parent of {@link GrantexAuthenticationError} and {@link GrantexPermissionDeniedError}.
 */
export class GrantexAuthError extends GrantexApiError {
  override name = 'GrantexAuthError';
  /** The server's code: one of those the spec documents for this status, or another string. */
  declare readonly code: ErrorCodeFor<401 | 403>;
}

/** 401: the API key (or SCIM token) is missing, unknown or revoked. */
export class GrantexAuthenticationError extends GrantexAuthError {
  override name = 'GrantexAuthenticationError';
  /** The server's code: one of those the spec documents for this status, or another string. */
  declare readonly code: ErrorCodeFor<401>;
}

/** 403: the credential is valid but may not do this (wrong mode, plan or scope). */
export class GrantexPermissionDeniedError extends GrantexAuthError {
  override name = 'GrantexPermissionDeniedError';
  /** The server's code: one of those the spec documents for this status, or another string. */
  declare readonly code: ErrorCodeFor<403>;
}

/** 404: no such resource for this developer (or the server lacks the extension). */
export class GrantexNotFoundError extends GrantexApiError {
  override name = 'GrantexNotFoundError';
  /** The server's code: one of those the spec documents for this status, or another string. */
  declare readonly code: ErrorCodeFor<404>;
}

/** 409: the request conflicts with the current state. */
export class GrantexConflictError extends GrantexApiError {
  override name = 'GrantexConflictError';
  /** The server's code: one of those the spec documents for this status, or another string. */
  declare readonly code: ErrorCodeFor<409>;
}

/** 422: the request was well-formed but failed validation. */
export class GrantexUnprocessableEntityError extends GrantexApiError {
  override name = 'GrantexUnprocessableEntityError';
  /** The server's code: one of those the spec documents for this status, or another string. */
  declare readonly code: ErrorCodeFor<422>;
}

/**
 * @deprecated Use {@link GrantexUnprocessableEntityError}; this is the same class
 * under its earlier name, kept so that `instanceof` checks keep working.
 */
export const GrantexValidationError = GrantexUnprocessableEntityError;
/** @deprecated Use {@link GrantexUnprocessableEntityError}. */
export type GrantexValidationError = GrantexUnprocessableEntityError;

/** 429: rate limited. `retryAfter` is the server's `Retry-After`, in seconds. */
export class GrantexRateLimitError extends GrantexApiError {
  override name = 'GrantexRateLimitError';
  /** The server's code: one of those the spec documents for 429, or another string. */
  declare readonly code: ErrorCodeFor<429>;
  readonly retryAfter: number | undefined;

  constructor(details: ApiErrorDetails & { retryAfter: number | undefined }) {
    super(details);
    this.retryAfter = details.retryAfter;
  }
}

/** 500 or above: the server (or a proxy in front of it) failed. */
export class GrantexInternalServerError extends GrantexApiError {
  override name = 'GrantexInternalServerError';
  /** The server's code: one of those the spec documents for this status, or another string. */
  declare readonly code: ErrorCodeFor<500 | 502 | 503 | 504>;
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
