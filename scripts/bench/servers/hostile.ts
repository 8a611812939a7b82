/**
 * The hostile peer of hostile.bench.ts, in its own process. `MODE`:
 * - `serve` (default): listens on 127.0.0.1 (printed as `listening <origin>`);
 *   `GET /huge` (and any OpenID discovery path) streams a 400 MB JSON body
 *   (chunked, as fast as it is read),
 *   `GET /bomb` sends a gzip body of a few hundred KB that inflates to 400 MB;
 * - `post`: POSTs `POST_BYTES` (default 1.5 GB) chunked to `TARGET`, then
 *   prints `status <code> sent <bytes>` and exits (the server may hang up early).
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, gzipSync } from 'node:zlib';

const MB = 1024 * 1024;
const HUGE = 400 * MB;

if (process.env.MODE === 'post') {
  const total = Number(process.env.POST_BYTES ?? 1.5 * 1024 * MB);
  const chunk = Buffer.alloc(256 * 1024, 'x');
  let sent = 0;
  const req = request(process.env.TARGET ?? '', { method: 'POST', headers: { 'content-type': 'application/json' } });
  const finish = (status: string) => {
    console.log(`status ${status} sent ${sent}`);
    process.exit(0);
  };
  req.on('response', (res) => {
    res.resume();
    finish(String(res.statusCode));
  });
  req.on('error', (error) => finish(`error ${error.message}`));
  const more = (): void => {
    while (sent < total) {
      sent += chunk.length;
      if (!req.write(chunk)) return void req.once('drain', more);
    }
    req.end();
  };
  more();
} else {
  // Built from 4 MB pieces so this process never holds 400 MB.
  const piece = gzipSync(Buffer.alloc(4 * MB, ' '), { level: constants.Z_BEST_COMPRESSION });
  const bomb = Buffer.concat(Array.from({ length: HUGE / (4 * MB) }, () => piece));
  const server = createServer((req, res) => {
    if (req.url === '/bomb') {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(bomb.length),
      });
      res.end(bomb);
      return;
    }
    if (req.url !== '/huge' && !req.url?.endsWith('/.well-known/openid-configuration')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    let open = true;
    res.on('close', () => {
      open = false;
    });
    res.write('{"agents":[],"pad":"');
    const more = (): void => {
      while (open && sent < HUGE) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      if (open) res.end('"}');
    };
    more();
  });
  server.listen(0, '127.0.0.1', () =>
    console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}`),
  );
  process.on('SIGTERM', () => process.exit(0));
}
