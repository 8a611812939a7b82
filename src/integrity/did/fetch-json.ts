/**
 * @module did/fetch-json
 * One bounded JSON GET for the identity helpers: https only (http only to a
 * loopback host), no redirects, a deadline, and a cap on the bytes read.
 */
import { readCapped } from '../verify/jwks.js';

/** How identity documents are fetched. */
export interface BoundedFetchOptions {
  /** The `fetch` to use. Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Abort the request (body included) after this many milliseconds. Default `5_000`. */
  timeoutDuration?: number;
  /** The largest body read, in bytes. Default 1 MiB. */
  maxBytes?: number;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for `https:` URLs, and for `http:` URLs whose host is a loopback address. */
export function isAllowedUrl(url: URL): boolean {
  if (url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (LOOPBACK.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname));
}

/** Fetches `url` and parses its JSON body. @throws {Error} on any refusal, status other than 200, overrun or bad JSON. */
export async function fetchJson(url: URL, options: BoundedFetchOptions = {}): Promise<unknown> {
  if (!isAllowedUrl(url)) throw new Error(`${url.origin} is not https (http is allowed for loopback hosts only)`);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const response = await fetchImpl(url.href, {
    method: 'GET',
    headers: { accept: 'application/json, application/did+json' },
    redirect: 'manual',
    signal: AbortSignal.timeout(options.timeoutDuration ?? 5_000),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status}`);
  }
  return JSON.parse(await readCapped(response, options.maxBytes ?? 1 << 20)) as unknown;
}
