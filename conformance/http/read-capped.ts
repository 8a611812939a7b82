/**
 * @module read-capped
 * Reads a fetch response's body with a byte limit that holds while reading:
 * the stream is counted as it arrives, after content decoding (a gzip bomb
 * counts what it inflates to), and cancelled as soon as it passes the limit,
 * so a hostile server can never make the suite hold more than the limit.
 */

/** The default `--max-response-bytes`: 10 MiB, far above any answer of the API. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** The body passed the limit; it was not read further. */
export class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
  readonly limit: number;

  constructor(limit: number) {
    super(`the body is larger than ${limit} bytes (after content decoding); it was not read further`);
    this.limit = limit;
  }
}

/** The body of `response` as UTF-8 text. @throws {BodyTooLarge} past `limit` bytes; rethrows a broken stream's error */
export async function readCapped(response: Response, limit: number): Promise<string> {
  const body = response.body;
  if (body === null) return '';
  const length = response.headers.get('content-length');
  const encoding = response.headers.get('content-encoding');
  const plain = encoding === null || encoding === 'identity';
  if (plain && length !== null && /^\d+$/.test(length) && Number(length) > limit) {
    await body.cancel().catch(ignore);
    throw new BodyTooLarge(limit);
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        chunks.length = 0;
        throw new BodyTooLarge(limit);
      }
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(ignore);
    throw error;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function ignore(): void {}
