/**
 * @module redirect
 * Redirects are refused, never followed: how one is recognised, and the error
 * that says where it pointed without leaking the target's query or user info.
 */
import type { Redactor } from '../internal/redact.js';
import { readRateLimit } from '../internal/rate-limit.js';
import { GrantexRedirectError } from './errors.js';

/** What the error names of the call that was redirected. */
interface RedirectedCall {
  method: string;
  /** The absolute request URL the Location resolves against. */
  url: string;
  /** The spec's path template. */
  template: string;
}

/** A 3xx, a browser's opaque redirect (status 0), or a custom `fetch` that followed one anyway. */
export function isRedirect(response: Response): boolean {
  const { status } = response;
  return (status >= 300 && status < 400) || status === 0 || response.type === 'opaqueredirect' || response.redirected;
}

export function redirectError(response: Response, call: RedirectedCall, redactor: Redactor): GrantexRedirectError {
  const location = safeLocation(response.headers.get('location'), call.url);
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
    method: call.method,
    path: call.template,
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
