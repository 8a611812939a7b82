/**
 * `client.agents.get` against the practical limit: a raw `fetch` of the same
 * URL with the same bearer header and `res.json()`, against the same local
 * 127.0.0.1 server, in the same run. Goal (issue 3): the client's per-call
 * time is at most 1.15x the raw fetch's.
 *
 * The machine is small and shared, so the two alternate in short chunks
 * (rotating who goes first): a burst of background load then hits both alike.
 * Printed: the mean per-call time of each and their ratio (the verdict), plus
 * the median and quartiles of the per-pair ratios as a measure of the noise.
 * Environment: BENCH_CHUNKS (pairs, default 150), BENCH_CHUNK (calls per chunk,
 * default 100).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Grantex } from '../../src/index.js';

const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 150);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 100);
const WARMUP = 1000;
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

  const rawCall = async () => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${API_KEY}` } });
    if (!response.ok) throw new Error(`status ${response.status}`);
    const body = (await response.json()) as { agentId?: string };
    if (body.agentId !== AGENT_ID) throw new Error('wrong body');
  };
  const sdkCall = async () => {
    const body = await client.agents.get(AGENT_ID);
    if (body.agentId !== AGENT_ID) throw new Error('wrong body');
  };
  const time = async (call: () => Promise<void>, count: number) => {
    const start = performance.now();
    for (let i = 0; i < count; i++) await call();
    return performance.now() - start;
  };

  console.log(`node ${process.version}; ${CHUNKS} pairs of ${CHUNK}-call chunks, sequential calls, server on 127.0.0.1`);
  await time(rawCall, WARMUP);
  await time(sdkCall, WARMUP);
  let rawTotal = 0;
  let sdkTotal = 0;
  const ratios: number[] = [];
  for (let pair = 0; pair < CHUNKS; pair++) {
    const sdkFirst = pair % 2 === 1;
    const first = await time(sdkFirst ? sdkCall : rawCall, CHUNK);
    const second = await time(sdkFirst ? rawCall : sdkCall, CHUNK);
    const [raw, sdk] = sdkFirst ? [second, first] : [first, second];
    rawTotal += raw;
    sdkTotal += sdk;
    ratios.push(sdk / raw);
  }
  await client.close();
  server.close();

  ratios.sort((x, y) => x - y);
  const median = ratios[Math.floor(ratios.length / 2)]!;
  const quartile = (q: number) => ratios[Math.floor((ratios.length - 1) * q)]!.toFixed(2);
  const rawMicros = (rawTotal / (CHUNKS * CHUNK)) * 1000;
  const sdkMicros = (sdkTotal / (CHUNKS * CHUNK)) * 1000;
  console.log(`\nper-call time (lower is better)`);
  console.log(`  ${'raw fetch + res.json() (baseline)'.padEnd(34)} ${rawMicros.toFixed(1).padStart(7)} µs/call`);
  console.log(`  ${'client.agents.get'.padEnd(34)} ${sdkMicros.toFixed(1).padStart(7)} µs/call`);
  const ratio = sdkMicros / rawMicros;
  console.log(`  ratio ${ratio.toFixed(2)}x  goal <= ${GOAL}x: ${ratio <= GOAL ? 'met' : 'NOT met'}`);
  console.log(`  noise: per-pair ratios median ${median.toFixed(2)}x, quartiles ${quartile(0.25)}x–${quartile(0.75)}x`);
}

await main();
