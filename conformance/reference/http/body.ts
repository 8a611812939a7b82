/**
 * @module body
 * Reads request bodies with a byte limit that holds while reading: a declared
 * `Content-Length` over the limit is refused before any byte is read, and a
 * chunked body is cut off as soon as it passes the limit, so the server never
 * holds more than the limit of one request's body.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { HttpError } from './http-error.js';

/** The default limit, as the hosted server's (1 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

/**
 * 413 with the error shape. The rest of the body is left unread: after the
 * answer the server adapter drains at most 64 MiB for at most 500 ms and then
 * closes the connection, so the client can read the answer before the close.
 */
export function bodyTooLarge(limit: number): HttpError {
  return new HttpError(413, 'BAD_REQUEST', `Request body is larger than ${limit} bytes`);
}

/** The 415 for a `Content-Encoding` other than `identity`, or undefined when the body is sent as is. */
export function unsupportedEncoding(c: Context): HttpError | undefined {
  const encoding = c.req.header('content-encoding')?.trim().toLowerCase();
  if (encoding === undefined || encoding === '' || encoding === 'identity') return undefined;
  const shown = encoding.length > 40 || /[^\w, -]/.test(encoding) ? 'of this request' : encoding;
  return new HttpError(415, 'BAD_REQUEST', `Content-Encoding ${shown} is not supported: send the body unencoded`);
}

/** Whether the request declares a body longer than `limit` (a malformed length counts as too long: fail closed). */
export function declaresTooLarge(c: Context, limit: number): boolean {
  const declared = c.req.header('content-length');
  if (declared === undefined) return false;
  return !/^\d+$/.test(declared.trim()) || Number(declared) > limit;
}

/** The request body as UTF-8 text, at most `limit` bytes; throws the 413 {@link bodyTooLarge} past it. */
export async function readBodyText(c: Context, limit: number): Promise<string> {
  if (declaresTooLarge(c, limit)) throw bodyTooLarge(limit);
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const bytes = incoming !== undefined ? await readIncoming(incoming, limit) : await readStream(c.req.raw.body, limit);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'The request body is not valid UTF-8');
  }
}

// Reads the Node request directly: a cut-off body leaves the socket paused (the
// server adapter drains or closes it after answering), with nothing buffered.
function readIncoming(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  if (incoming.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onFail);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        stop();
        incoming.pause();
        chunks.length = 0;
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onFail = (): void => {
      stop();
      reject(new HttpError(400, 'BAD_REQUEST', 'The request body could not be read'));
    };
    const onClose = (): void => {
      if (!incoming.readableEnded) onFail();
    };
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onFail);
    incoming.once('close', onClose);
  });
}

// Fallback for requests that do not come from a Node server (e.g. `app.fetch` in tests).
async function readStream(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
