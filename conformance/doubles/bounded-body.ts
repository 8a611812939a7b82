/**
 * @module bounded-body
 * Request bodies for the suite's own servers (webhook receiver, test IdP),
 * read with a byte limit that holds while reading: the server under test
 * learns their URLs and may post anything. Past the limit the request gets
 * 413, the rest is discarded (drained for at most 500 ms, then the
 * connection is closed), and nothing past the limit is ever held.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const DRAIN_MS = 500;

/** The whole body, or undefined once it passed `limit` bytes (a 413 has then been sent). */
export function readBoundedBody(
  request: IncomingMessage,
  response: ServerResponse,
  limit: number,
): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const refuse = (): void => {
      request.removeAllListeners('data');
      request.removeAllListeners('end');
      response
        .writeHead(413, { 'content-type': 'application/json', connection: 'close' })
        .end(JSON.stringify({ error: 'payload_too_large', message: `body over ${limit} bytes` }));
      request.on('data', () => undefined);
      const timer = setTimeout(() => request.socket.destroy(), DRAIN_MS);
      request.once('end', () => clearTimeout(timer));
      resolve(undefined);
    };
    const declared = request.headers['content-length'];
    if (declared !== undefined && (!/^\d+$/.test(declared) || Number(declared) > limit)) return refuse();
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        refuse();
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(Buffer.concat(chunks, size)));
    request.once('error', () => resolve(undefined));
  });
}
