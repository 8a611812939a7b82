/**
 * @module config
 * Checks of the client's options. A bad value is a `GrantexConfigError` whose
 * message names the option but never repeats the value, which may be a secret.
 */
import { GrantexConfigError } from './errors.js';

/** `value` if it is a positive number of milliseconds, `fallback` if undefined; otherwise a config error. */
export function positiveMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new GrantexConfigError(`${name} must be a positive number of milliseconds`);
  }
  return value;
}

/** `value` if it is zero or more milliseconds, `fallback` if undefined; otherwise a config error. */
export function nonNegativeMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new GrantexConfigError(`${name} must be zero or more milliseconds`);
  }
  return value;
}

/** `value` if it is a whole number, zero or more, `fallback` if undefined; otherwise a config error. */
export function wholeNumber(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0)
    throw new GrantexConfigError(`${name} must be a whole number, zero or more`);
  return value;
}

/** A positive whole number of bytes, `fallback` if undefined. */
export function byteCount(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new GrantexConfigError(`${name} must be a positive whole number of bytes`);
  return value;
}

/** Visible ASCII only: what a bearer credential is made of, and what no header injection can hide in. */
const CREDENTIAL = /^[\x21-\x7e]+$/;
/** A header value: no control characters (CR, LF, NUL…) and nothing outside Latin-1. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** An HTTP token (RFC 9110), which header names must be. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Refuses a credential (API key, SCIM token) that is not one printable header value. */
export function checkCredential(name: string, value: unknown): string {
  if (typeof value !== 'string' || !CREDENTIAL.test(value)) {
    throw new GrantexConfigError(
      `${name} must be a non-empty string of printable ASCII without spaces or control characters (value not shown)`,
    );
  }
  return value;
}

/** Refuses headers that would fail, or inject lines, when sent. */
export function checkHeaders(headers: Record<string, unknown> | undefined, where: string): void {
  if (headers === undefined) return;
  for (const name in headers) {
    if (!HEADER_NAME.test(name))
      throw new GrantexConfigError(`${where}: a header name is not a valid HTTP token (not shown)`);
    const value = headers[name];
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      throw new GrantexConfigError(
        `${where}: the value of header ${name} has control characters or is not a string (value not shown)`,
      );
    }
  }
}

/**
 * The base URL without its trailing slashes, if it is an absolute http(s) URL
 * with no user info, query or fragment (credentials belong in `apiKey`, and a
 * query would be lost or mangled when paths are appended).
 */
export function checkBaseUrl(value: unknown): string {
  const fail = (why: string) => new GrantexConfigError(`baseUrl ${why} (value not shown)`);
  if (typeof value !== 'string') throw fail('must be a string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail('must be an absolute http: or https: URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail('must be an absolute http: or https: URL');
  // `http://@host` parses with an empty user name, so the raw authority is checked as well.
  const authority = value.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/*/, '').split(/[/?#\\]/)[0] ?? '';
  if (url.username !== '' || url.password !== '' || authority.includes('@')) {
    throw fail('must not hold a user name or password: pass credentials as apiKey');
  }
  if (value.includes('?') || value.includes('#')) throw fail('must not have a query or fragment');
  return value.replace(/\/+$/, '');
}

/** The environment variable `name`, where there is a `process.env` (not in browsers; Deno may refuse). */
export function environment(name: string): string | undefined {
  try {
    // No `node:process` import, so the module loads in browsers and edge runtimes.
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    const value = env?.[name];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
