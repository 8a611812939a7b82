/**
 * Events per second of `client.events.stream()` against a raw reader of the
 * same stream (fetch, decode, split on blank lines, JSON.parse each event),
 * interleaved round by round, with the median per-round ratio; and the heap
 * of the SDK's reader at every 10,000 events of one 100,000-event stream
 * (after a forced GC when Node runs with --expose-gc), to show it stays flat.
 */
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { Grantex } from '../../src/index.js';
import { startServerProcess } from './server-process.js';

const EVENTS = Number(process.env['EVENTS_BENCH_COUNT'] ?? 100_000);
const ROUNDS = 5;

const server = await startServerProcess(fileURLToPath(new URL('./servers/events.ts', import.meta.url)));
const streamUrl = `${server.url}/v1/events/stream?count=${EVENTS}`;
// The SDK builds `/v1/events/stream` from baseUrl; its fetch adds the bench server's `count`.
const countedFetch: typeof fetch = (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  return fetch(url.replace('/v1/events/stream', `/v1/events/stream?count=${EVENTS}`), init);
};
const client = new Grantex({ apiKey: 'gx_test_bench', baseUrl: server.url, logLevel: 'off', fetch: countedFetch });

async function raw(): Promise<number> {
  const response = await fetch(streamUrl, { headers: { authorization: 'Bearer gx_test_bench' } });
  const decoder = new TextDecoder();
  let buffer = '';
  let n = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((line) => line.startsWith('data: '));
      if (data !== undefined) {
        JSON.parse(data.slice(6));
        n++;
      }
      end = buffer.indexOf('\n\n');
    }
  }
  return n;
}

async function sdk(heap?: number[]): Promise<number> {
  let n = 0;
  for await (const _event of client.events.stream({})) {
    n++;
    if (heap !== undefined && n % 10_000 === 0) {
      (globalThis as { gc?: () => void }).gc?.();
      heap.push(process.memoryUsage().heapUsed);
    }
    if (n === EVENTS) break;
  }
  return n;
}

const ratios: number[] = [];
const rows: string[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? (['raw', 'sdk'] as const) : (['sdk', 'raw'] as const);
  const ms: Record<string, number> = {};
  for (const name of order) {
    const start = performance.now();
    const n = name === 'raw' ? await raw() : await sdk();
    if (n !== EVENTS) throw new Error(`${name} read ${n} events, not ${EVENTS}`);
    ms[name] = performance.now() - start;
  }
  const rawRate = EVENTS / (ms['raw']! / 1000);
  const sdkRate = EVENTS / (ms['sdk']! / 1000);
  ratios.push(sdkRate / rawRate);
  rows.push(
    `round ${round + 1}: raw ${rawRate.toFixed(0)} events/s, sdk ${sdkRate.toFixed(0)} events/s, ratio ${(sdkRate / rawRate).toFixed(2)}`,
  );
}
for (const row of rows) console.log(row);
const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
console.log(`median sdk/raw events per second: ${median.toFixed(2)} (${EVENTS} events per run, ${ROUNDS} rounds)`);

const heap: number[] = [];
await sdk(heap);
const mb = (b: number) => (b / 1_048_576).toFixed(1);
console.log(
  `heap every 10k events (MB${(globalThis as { gc?: unknown }).gc ? ', after GC' : ', no --expose-gc'}): ${heap.map(mb).join(' ')}`,
);
console.log(`heap growth 20k→100k events: ${mb(heap.at(-1)! - heap[1]!)} MB; load average ${loadavg()[0]!.toFixed(2)}`);
await client.close();
await server.stop();
