/**
 * @module bench/servers/events
 * A bench-only event stream server: `GET /v1/events/stream?count=N` writes N
 * server-sent events (each with an `id:` and a StreamEvent JSON) as fast as
 * the client reads them, then ends. Prints `listening <port>`.
 */
import { createServer } from 'node:http';

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const count = Number(url.searchParams.get('count') ?? '1000');
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.write('retry: 1000\n\n');
  let i = 0;
  const pump = () => {
    while (i < count) {
      i++;
      const id = `evt_${String(i).padStart(26, '0')}`;
      const event = {
        id,
        type: 'token.issued',
        createdAt: '2026-12-05T11:25:19.168Z',
        data: { tokenId: `tok_${i}`, grantId: 'grnt_01M92Z73D76PFX0BXJR44WMZZV', scopes: ['calendar:read'] },
      };
      if (!response.write(`id: ${id}\ndata: ${JSON.stringify(event)}\n\n`)) return void response.once('drain', pump);
    }
    response.end();
  };
  pump();
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (typeof address === 'object' && address !== null) console.log(`listening ${address.port}`);
});
process.on('SIGTERM', () => process.exit(0));
