/**
 * @module http-error
 * The error a handler throws to answer with `{message, code, requestId}`.
 */

/** An error answer: HTTP status, stable `code` and a human-readable message. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  /** Render as a SCIM 2.0 error body (set for errors of the SCIM 2.0 routes). */
  scim = false;
  /** A documented non-error body to answer with instead of the error shape (an SSO connection test's 422). */
  body?: unknown;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** 400 `BAD_REQUEST`. */
export const badRequest = (message: string): HttpError => new HttpError(400, 'BAD_REQUEST', message);
/** 401 `UNAUTHORIZED`. */
export const unauthorized = (message: string): HttpError => new HttpError(401, 'UNAUTHORIZED', message);
/** 403 with the given code. */
export const forbidden = (message: string, code = 'FORBIDDEN'): HttpError => new HttpError(403, code, message);
/** 404 `NOT_FOUND`. */
export const notFound = (message: string): HttpError => new HttpError(404, 'NOT_FOUND', message);
/** 409 `CONFLICT`. */
export const conflict = (message: string): HttpError => new HttpError(409, 'CONFLICT', message);
/** 410 `GONE`. */
export const gone = (message: string): HttpError => new HttpError(410, 'GONE', message);
