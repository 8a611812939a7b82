/**
 * @module issuer
 * Reads the key set a grant token's issuer publishes (SPEC §6.4 rule 1: the
 * JWKS at `iss` + `/.well-known/jwks.json`). The issuer is named by the
 * server, not by the user, so the read is held tight: http(s) only, no
 * credentials, query or fragment in `iss` (they would turn the suffix into a
 * query value or a fragment, and the suite would GET whatever the server
 * named), no redirects followed, no Authorization header, a timeout and a
 * byte limit.
 */
import { BodyTooLarge, readCapped } from './read-capped.js';

/** Largest key set read from an issuer; real ones are a few kilobytes. */
export const MAX_KEY_SET_BYTES = 256 * 1024;

/** The issuer's key set could not be had; `reason` says why, for the report. */
export class IssuerKeySetUnavailable extends Error {
  override name = 'IssuerKeySetUnavailable';
  readonly url: string;

  constructor(url: string, reason: string) {
    super(reason);
    this.url = url;
  }
}

/** Why `iss` cannot name a key set, or undefined when it is a plain http(s) URL. */
export function issuerProblem(iss: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(iss);
  } catch {
    return 'iss is not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'iss is not an http(s) URL';
  if (parsed.username !== '' || parsed.password !== '' || /^[a-z]+:\/\/[^/?#]*@/i.test(iss))
    return 'iss carries user info (user@ or user:password@), which an issuer URL must not';
  if (iss.includes('?')) return 'iss has a query (?…): the key set suffix would become part of it';
  if (iss.includes('#')) return 'iss has a fragment (#…): the key set suffix would be dropped from the request';
  return undefined;
}

/**
 * `iss/.well-known/jwks.json` (one trailing slash of `iss` dropped), or
 * undefined when `iss` is no plain http(s) URL (see {@link issuerProblem}).
 */
export function keySetUrl(iss: string): URL | undefined {
  if (issuerProblem(iss) !== undefined) return undefined;
  const url = new URL(`${iss.replace(/\/$/, '')}/.well-known/jwks.json`);
  return url.search === '' && url.hash === '' ? url : undefined;
}

/** Fetches and parses the issuer's JWKS. @throws {IssuerKeySetUnavailable} */
export async function fetchIssuerKeySet(
  iss: string,
  timeoutMs: number,
): Promise<{ url: string; jwks: { keys: unknown[] } }> {
  const url = keySetUrl(iss);
  if (url === undefined)
    throw new IssuerKeySetUnavailable(
      `${iss}/.well-known/jwks.json`,
      `${issuerProblem(iss) ?? 'iss names no key set'}; nothing was fetched`,
    );
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new IssuerKeySetUnavailable(
      url.href,
      `no answer (${error instanceof Error ? error.message : String(error)}${cause})`,
    );
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    const where = response.headers.get('location');
    throw new IssuerKeySetUnavailable(
      url.href,
      `status ${response.status}${where ? ` (redirect to ${where}, not followed)` : ''}`,
    );
  }
  const text = await readBounded(response, MAX_KEY_SET_BYTES, url.href);
  let jwks: unknown;
  try {
    jwks = JSON.parse(text);
  } catch {
    throw new IssuerKeySetUnavailable(url.href, 'the answer is not JSON');
  }
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new IssuerKeySetUnavailable(url.href, 'the answer has no "keys" array');
  return { url: url.href, jwks: { keys } };
}

async function readBounded(response: Response, maxBytes: number, url: string): Promise<string> {
  try {
    return await readCapped(response, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLarge)
      throw new IssuerKeySetUnavailable(url, `the key set is larger than ${maxBytes} bytes`);
    throw new IssuerKeySetUnavailable(
      url,
      `the answer broke off (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
