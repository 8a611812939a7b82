/**
 * @module issuer
 * Reads the key set a grant token's issuer publishes (SPEC §6.4 rule 1: the
 * JWKS at `iss` + `/.well-known/jwks.json`). The issuer is named by the
 * server, not by the user, so the read is held tight: http(s) only, no
 * credentials in the URL, no redirects followed, no Authorization header,
 * a timeout and a byte limit.
 */

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

/** `iss/.well-known/jwks.json` (one trailing slash of `iss` dropped), or undefined when `iss` is no usable http(s) URL. */
export function keySetUrl(iss: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(`${iss.replace(/\/$/, '')}/.well-known/jwks.json`);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return url;
}

/** Fetches and parses the issuer's JWKS. @throws {IssuerKeySetUnavailable} */
export async function fetchIssuerKeySet(
  iss: string,
  timeoutMs: number,
): Promise<{ url: string; jwks: { keys: unknown[] } }> {
  const url = keySetUrl(iss);
  if (url === undefined)
    throw new IssuerKeySetUnavailable(`${iss}/.well-known/jwks.json`, 'iss is not an http(s) URL without credentials');
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
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw new IssuerKeySetUnavailable(
        url,
        `the answer broke off (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new IssuerKeySetUnavailable(url, `the key set is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
