/**
 * The hostile server of scripts/measure-memory.ts, in its own process:
 * `GET /v1/agents?case=huge` streams a 300 MB JSON body (chunked, no length);
 * `case=bomb` sends a gzip body of a few hundred KB that inflates to 400 MB,
 * with its (small) Content-Length. Writing stops when the client hangs up.
 * Prints `listening <port>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, gzipSync } from 'node:zlib';

const MB = 1024 * 1024;
const HUGE = 300 * MB;
const BOMB = 400 * MB;

// Built from 4 MB pieces so the server itself never holds 400 MB.
const piece = gzipSync(Buffer.alloc(4 * MB, ' '), { level: constants.Z_BEST_COMPRESSION });
const bomb = Buffer.concat(Array.from({ length: BOMB / (4 * MB) }, () => piece));

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const which = url.searchParams.get('case');
  if (url.pathname !== '/v1/agents' || (which !== 'huge' && which !== 'bomb')) {
    // The client's warm-up call: small, so that it does not grow the heap before the measurement.
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (which === 'bomb') {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': String(bomb.length),
    });
    res.end(bomb);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let sent = 0;
  let open = true;
  res.on('close', () => (open = false));
  res.write('{"agents":[],"pad":"');
  const more = () => {
    while (open && sent < HUGE) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    if (open) res.end('"}');
  };
  more();
});
server.listen(0, '127.0.0.1', () =>
  console.log(`listening ${(server.address() as AddressInfo).port} bomb=${bomb.length}`),
);
process.on('SIGTERM', () => process.exit(0));
