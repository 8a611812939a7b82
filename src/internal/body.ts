/**
 * @module body
 * Reads a response body as text without ever holding more than a limit:
 * the stream is counted as it arrives (after content decoding, so a gzip bomb
 * counts what it inflates to) and cancelled once it passes the limit.
 */
import { GrantexApiError } from '../core/errors.js';
import { readRateLimit } from './rate-limit.js';

/** The default `maxResponseBytes`: 10 MiB, far above any response of the API. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** The body of `response` as text, or a `RESPONSE_TOO_LARGE` error once it passes `limit` bytes. */
export function readBodyText(response: Response, limit: number): Promise<string> {
  const body = response.body;
  if (body === null) return Promise.resolve('');
  const length = response.headers.get('content-length');
  // Fast path (no extra async step): an unencoded body framed by its length is exactly that long.
  if (length !== null && Number(length) <= limit) {
    const encoding = response.headers.get('content-encoding');
    if (encoding === null || encoding === 'identity') return response.text();
  }
  return readCounted(response, body, limit);
}

async function readCounted(response: Response, body: ReadableStream<Uint8Array>, limit: number): Promise<string> {
  const length = response.headers.get('content-length');
  const encoding = response.headers.get('content-encoding');
  if (length !== null && (encoding === null || encoding === 'identity') && Number(length) > limit) {
    await body.cancel().catch(ignore);
    throw tooLarge(response, limit);
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      chunks.length = 0;
      await reader.cancel().catch(ignore);
      throw tooLarge(response, limit);
    }
    chunks.push(value);
  }
  // One decode at the end: no intermediate strings, so the garbage stays near the body's own size.
  const bytes = chunks.length === 1 ? chunks[0]! : new Uint8Array(total);
  if (chunks.length !== 1) {
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
  }
  chunks.length = 0;
  return new TextDecoder().decode(bytes);
}

function tooLarge(response: Response, limit: number): GrantexApiError {
  return tooLargeError(response.status, response.headers, limit);
}

/** The `RESPONSE_TOO_LARGE` error for a response of `status` with `headers`. */
export function tooLargeError(status: number, headers: Headers, limit: number): GrantexApiError {
  return new GrantexApiError({
    statusCode: status,
    code: 'RESPONSE_TOO_LARGE',
    message: `The server answered ${status} with a body over maxResponseBytes (${limit} bytes); it was not read further`,
    // Not read from the headers: a hostile server could echo a credential there.
    requestId: undefined,
    body: undefined,
    headers,
    rateLimit: readRateLimit(headers),
  });
}

function ignore(): void {}
