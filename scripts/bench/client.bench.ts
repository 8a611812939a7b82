/**
 * `client.agents.get(id)` against the practical limit: a raw `fetch` of the
 * same URL with the same bearer header and `res.json()`, against the same
 * server on 127.0.0.1 running in ANOTHER process (client-server.ts), in the
 * same run. Goal (issues 10 and 24): at least 0.95x the raw calls/s, sequential and
 * with 32 concurrent calls, and CPU per call at most 1.05x raw; floor: ahead of
 * the official SDK's 0.82x / 0.90x. On Node the client sends with node:http
 * (src/core/node-http.ts); the baseline stays the global fetch users would write.
 * The client runs with all its checks on (no redirects, bounded bodies, the
 * response-shape check); the cost of the shape check alone is printed too.
 *
 * Contenders alternate in rounds (rotating who goes first) so that a burst of
 * background load hits both alike. Each round gives its own ratio (raw time /
 * client time for the same number of calls, i.e. the calls/s ratio); the
 * verdict is the median of those ratios, printed with the raw totals beside it.
 * CPU time per call is this process's user+system time (the server's is not
 * counted). Environment: BENCH_ROUNDS (default 160), BENCH_CALLS (per round and
 * contender, default 100). Short rounds keep each ratio within one burst of load.
 */
import { fileURLToPath } from 'node:url';
import { Grantex } from '../../src/index.js';
import { findMismatch, operationShapes, shapeFor } from '../../src/internal/response-shape.js';
import { AGENT_ID, API_KEY } from './client-server.js';
import { startServerProcess } from './server-process.js';
import { describeLoad } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 160);
const CALLS = Number(process.env.BENCH_CALLS ?? 100);
const WARMUP = 2000;
const CONCURRENCY = 32;
const GOAL = 0.95;
const CPU_GOAL = 1.05;
const FLOOR = { sequential: 0.82, concurrent: 0.9 };

type Call = () => Promise<void>;
interface Sample {
  wallMs: number;
  cpuMicros: number;
}

/** Runs `count` calls, `concurrency` at a time. */
async function run(call: Call, count: number, concurrency: number): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMicros: used.user + used.system };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function compare(
  label: string,
  raw: Call,
  sdk: Call,
  concurrency: number,
): Promise<{ ratio: number; floor: number }> {
  await run(raw, WARMUP, concurrency);
  await run(sdk, WARMUP, concurrency);
  const samples = { raw: [] as Sample[], sdk: [] as Sample[] };
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const sdkFirst = round % 2 === 1;
    const first = await run(sdkFirst ? sdk : raw, CALLS, concurrency);
    const second = await run(sdkFirst ? raw : sdk, CALLS, concurrency);
    const [r, s] = sdkFirst ? [second, first] : [first, second];
    samples.raw.push(r);
    samples.sdk.push(s);
    ratios.push(r.wallMs / s.wallMs);
  }
  const total = (list: Sample[], key: keyof Sample) => list.reduce((sum, sample) => sum + sample[key], 0);
  const calls = ROUNDS * CALLS;
  const line = (name: string, list: Sample[]) => {
    const wall = total(list, 'wallMs');
    const perSecond = (calls / wall) * 1000;
    const wallMicros = (wall * 1000) / calls;
    const cpuMicros = total(list, 'cpuMicros') / calls;
    return `  ${name.padEnd(30)} ${Math.round(perSecond).toString().padStart(8)} calls/s  ${wallMicros.toFixed(1).padStart(7)} µs wall/call  ${cpuMicros.toFixed(1).padStart(7)} µs cpu/call`;
  };
  const ratio = median(ratios);
  const floor = concurrency === 1 ? FLOOR.sequential : FLOOR.concurrent;
  const cpuRatios = samples.raw.map((r, i) => samples.sdk[i]!.cpuMicros / r.cpuMicros);
  console.log(`\n${label} (${ROUNDS} rounds of ${CALLS} calls each)`);
  console.log(line('raw fetch + res.json()', samples.raw));
  console.log(line('client.agents.get', samples.sdk));
  console.log(
    `  calls/s ratio, median of per-round ratios: ${ratio.toFixed(3)}x (quartiles ${quantile(ratios, 0.25).toFixed(3)}x–${quantile(ratios, 0.75).toFixed(3)}x; ratio of totals ${(total(samples.raw, 'wallMs') / total(samples.sdk, 'wallMs')).toFixed(3)}x)`,
  );
  const cpuRatio = median(cpuRatios);
  console.log(
    `  cpu per call, median of per-round ratios client/raw: ${cpuRatio.toFixed(3)}x (quartiles ${quantile(cpuRatios, 0.25).toFixed(3)}x–${quantile(cpuRatios, 0.75).toFixed(3)}x); goal <= ${CPU_GOAL}x: ${cpuRatio <= CPU_GOAL ? 'met' : 'NOT met'}`,
  );
  console.log(
    `  goal >= ${GOAL}x: ${ratio >= GOAL ? 'met' : 'NOT met'}; floor (official SDK) ${floor}x: ${ratio > floor ? 'ahead' : 'NOT ahead'}`,
  );
  return { ratio, floor };
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) * q)]!;
}

/** The per-call cost of the response-shape check alone, for the agent body of this bench. */
function shapeCheckCost(body: string): void {
  const shape = shapeFor(operationShapes('GET', '/v1/agents/{agentId}'), 200);
  if (shape === undefined || shape === 0) throw new Error('no shape for GET /v1/agents/{agentId}');
  const value: unknown = JSON.parse(body);
  const count = 200_000;
  for (let i = 0; i < 10_000; i++) findMismatch(value, shape);
  const start = performance.now();
  for (let i = 0; i < count; i++) if (findMismatch(value, shape) !== undefined) throw new Error('shape mismatch');
  const micros = ((performance.now() - start) * 1000) / count;
  console.log(`\nresponse-shape check alone: ${micros.toFixed(3)} µs per agent body (${count} checks)`);
}

async function main(): Promise<void> {
  const server = await startServerProcess(fileURLToPath(new URL('./client-server.ts', import.meta.url)));
  try {
    const client = new Grantex({ apiKey: API_KEY, baseUrl: server.url, logLevel: 'off' });
    const url = `${server.url}/v1/agents/${AGENT_ID}`;
    const raw: Call = async () => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${API_KEY}` } });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const body = (await response.json()) as { agentId?: string };
      if (body.agentId !== AGENT_ID) throw new Error('wrong body');
    };
    const sdk: Call = async () => {
      const body = await client.agents.get(AGENT_ID);
      if (body.agentId !== AGENT_ID) throw new Error('wrong body');
    };
    console.log(
      `node ${process.version}; server in its own process (pid ${server.pid}) on 127.0.0.1; ${describeLoad()}`,
    );
    const sequential = await compare('sequential', raw, sdk, 1);
    const concurrent = await compare(`${CONCURRENCY} concurrent`, raw, sdk, CONCURRENCY);
    shapeCheckCost(await (await fetch(url, { headers: { authorization: `Bearer ${API_KEY}` } })).text());
    console.log(`\n${describeLoad()} (at the end)`);
    await client.close();
    if (sequential.ratio <= sequential.floor || concurrent.ratio <= concurrent.floor) process.exitCode = 1;
  } finally {
    await server.stop();
  }
}

await main();
