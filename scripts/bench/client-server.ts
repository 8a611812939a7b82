/**
 * The server of the client bench, run in its own process by client.bench.ts:
 * answers `GET /v1/agents/<id>` with a fixed agent (with the rate-limit
 * headers the real API sends) when the bearer key matches, 404 otherwise.
 * Prints `listening <port>` once it accepts connections.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const API_KEY = 'gx_test_0123456789abcdef0123';
export const AGENT_ID = 'ag_01M8H3D6A60QZ1Z8Z6GZBQ32QD';

const agent = JSON.stringify({
  agentId: AGENT_ID,
  did: `did:grantex:${AGENT_ID}`,
  developerId: 'dev_01M8H3D69ED20CXX9BVR3Z61AR',
  name: 'Travel assistant',
  description: 'Books trips and reads the calendar',
  scopes: ['calendar:read', 'email:send'],
  status: 'active',
  createdAt: '2026-11-28T12:52:10.000Z',
  updatedAt: '2026-11-28T12:52:10.000Z',
});
const headers = {
  'content-type': 'application/json',
  'content-length': String(Buffer.byteLength(agent)),
  'x-ratelimit-limit': '1000',
  'x-ratelimit-remaining': '999',
  'x-ratelimit-reset': '60',
  'x-request-id': 'req_bench',
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = createServer((req, res) => {
    if (req.url !== `/v1/agents/${AGENT_ID}` || req.headers.authorization !== `Bearer ${API_KEY}`) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, headers).end(agent);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
  process.on('SIGTERM', () => process.exit(0));
}
