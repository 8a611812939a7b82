/**
 * A JWKS server for the benches, run in its own process by `startServerProcess`
 * and listening on 127.0.0.1 (a free port, printed as `listening <origin>`).
 * `GET /.well-known/jwks.json` answers by `MODE`:
 * - `serve` (default): the key set in `JWKS`;
 * - `outage`: that key set once, then 503 for every later request;
 * - `huge`: a 200 OK JSON body of `HUGE_BYTES` bytes (default 200 MiB), chunked, written as fast as it is read.
 * `GET /requests` answers how many JWKS requests it has had.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const mode = process.env.MODE ?? 'serve';
const jwks = process.env.JWKS ?? '{"keys":[]}';
const hugeBytes = Number(process.env.HUGE_BYTES ?? 200 * 1024 * 1024);
const chunk = Buffer.alloc(64 * 1024, 'a');
let requests = 0;

const server = createServer((request, response) => {
  if (request.url === '/requests') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ requests }));
    return;
  }
  requests++;
  if (mode === 'outage' && requests > 1) {
    response.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"down"}');
    return;
  }
  if (mode !== 'huge') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  const head = '{"keys":[],"padding":"';
  response.write(head);
  let left = hugeBytes - head.length - 2;
  const pump = () => {
    while (left > 0 && !response.destroyed) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!response.write(piece)) return void response.once('drain', pump);
    }
    if (!response.destroyed) response.end('"}');
  };
  pump();
});

server.listen(0, '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
