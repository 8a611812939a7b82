/**
 * `client.agents.get` against the practical limit: a raw `fetch` of the same
 * URL with the same bearer header and `res.json()`, against the same local
 * 127.0.0.1 server, interleaved in the same run. Goal (issue 3): the client's
 * per-call time is at most 1.15x the raw fetch's. Environment: BENCH_CALLS
 * (calls per pass, default 4000), BENCH_ROUNDS (passes, default 3).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Grantex } from '../../src/index.js';
import { compare, type Contender } from './support.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GOAL = 1.15;
const API_KEY = 'gx_test_0123456789abcdef0123';
const AGENT_ID = 'ag_01M8H3D6A60QZ1Z8Z6GZBQ32QD';
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

async function main(): Promise<void> {
  const server = createServer((req, res) => {
    if (req.url !== `/v1/agents/${AGENT_ID}` || req.headers.authorization !== `Bearer ${API_KEY}`) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-ratelimit-limit': '1000',
      'x-ratelimit-remaining': '999',
      'x-ratelimit-reset': '60',
    });
    res.end(agent);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new Grantex({ apiKey: API_KEY, baseUrl });
  const url = `${baseUrl}/v1/agents/${AGENT_ID}`;

  const contenders: Contender[] = [
    {
      name: 'raw fetch + res.json() (baseline)',
      async: true,
      run: async () => {
        const response = await fetch(url, { headers: { authorization: `Bearer ${API_KEY}` } });
        if (!response.ok) throw new Error(`status ${response.status}`);
        const body = (await response.json()) as { agentId?: string };
        if (body.agentId !== AGENT_ID) throw new Error('wrong body');
      },
    },
    {
      name: 'client.agents.get',
      async: true,
      run: async () => {
        const body = await client.agents.get(AGENT_ID);
        if (body.agentId !== AGENT_ID) throw new Error('wrong body');
      },
    },
  ];

  console.log(`node ${process.version}; ${CALLS} sequential calls per pass, ${ROUNDS} interleaved passes, server on 127.0.0.1`);
  const calls = Array.from({ length: CALLS }, () => AGENT_ID);
  const [raw, sdk] = await compare(contenders, calls, { rounds: ROUNDS, chunk: 250, warmup: 1000 });
  await client.close();
  server.close();

  const rawMicros = 1e6 / raw!.opsPerSecond;
  const sdkMicros = 1e6 / sdk!.opsPerSecond;
  const ratio = sdkMicros / rawMicros;
  console.log(`\nper-call time (lower is better)`);
  console.log(`  ${raw!.name.padEnd(36)} ${rawMicros.toFixed(1).padStart(7)} µs/call  1.00x`);
  console.log(`  ${sdk!.name.padEnd(36)} ${sdkMicros.toFixed(1).padStart(7)} µs/call  ${ratio.toFixed(2)}x  goal <= ${GOAL}x: ${ratio <= GOAL ? 'met' : 'NOT met'}`);
}

await main();
