/**
 * @module probe-reference-limits
 * Issue 15's reproductions against `npm run dev-server` in its own process:
 * oversized bodies (chunked without a key, declared with a key) must get 413
 * with the server's RSS growing less than 64 MiB; a developer over its quota
 * must leave `/health` and other developers alone; a `__proto__` key in audit
 * metadata must come back. Prints one line per check; exits 1 if one fails.
 *
 *   npx tsx scripts/probe-reference-limits.ts
 */
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { startDevServerProcess, type DevServerProcess } from './lib/dev-server-process.js';

const MiB = 1024 * 1024;
const RSS_BUDGET_MiB = 64;

interface Sent {
  status: number;
  body: string;
  sentBytes: number;
  ms: number;
}

/**
 * Sends `total` bytes of filler (chunked unless `declare`), with backpressure.
 * A polite client stops writing once the answer arrives; a stubborn one keeps
 * writing until all is sent or the server closes the connection.
 */
function sendLarge(
  url: string,
  path: string,
  total: number,
  declare: boolean,
  key?: string,
  stubborn = false,
): Promise<Sent> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (declare) headers['content-length'] = String(total);
    if (key !== undefined) headers['authorization'] = `Bearer ${key}`;
    const req = request(new URL(path, url), { method: 'POST', headers });
    let sentBytes = 0;
    let answered = false;
    let stopped = false;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      const done = (): void => {
        if (!stubborn || stopped) resolve({ status: res.statusCode ?? 0, body, sentBytes, ms: Date.now() - started });
        else
          req.once('close', () => resolve({ status: res.statusCode ?? 0, body, sentBytes, ms: Date.now() - started }));
      };
      res.on('end', done);
      res.on('error', done);
    });
    // Once the server has answered and closed, writes fail; that is expected.
    req.on('error', (error) => {
      stopped = true;
      if (!answered) reject(error);
    });
    req.on('close', () => (stopped = true));
    const pump = (): void => {
      while ((stubborn ? !stopped : !answered) && sentBytes < total) {
        const part = Math.min(chunk.length, total - sentBytes);
        sentBytes += part;
        if (!req.write(part === chunk.length ? chunk : chunk.subarray(0, part))) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered && !stopped) req.end();
    };
    pump();
  });
}

async function json(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  key?: string,
  // biome-ignore lint/suspicious/noExplicitAny: a probe script reads whatever JSON the server answers
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(new URL(path, url), {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

let failures = 0;
function report(ok: boolean, line: string): void {
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${line}`);
}

async function oversized(
  server: DevServerProcess,
  label: string,
  path: string,
  total: number,
  declare: boolean,
  key?: string,
  stubborn = false,
): Promise<void> {
  let peak = server.rssMiB();
  const before = peak;
  const sampler = setInterval(() => (peak = Math.max(peak, server.rssMiB())), 20);
  const sent = await sendLarge(server.url, path, total, declare, key, stubborn);
  await new Promise((r) => setTimeout(r, 300));
  clearInterval(sampler);
  const after = server.rssMiB();
  peak = Math.max(peak, after);
  let shape = false;
  try {
    const body = JSON.parse(sent.body) as Record<string, unknown>;
    shape =
      typeof body['message'] === 'string' && typeof body['code'] === 'string' && typeof body['requestId'] === 'string';
  } catch {
    shape = false;
  }
  const growth = peak - before;
  report(
    sent.status === 413 && shape && growth < RSS_BUDGET_MiB,
    `${label}: ${sent.status} in ${sent.ms} ms after ${(sent.sentBytes / MiB).toFixed(1)} MiB sent; RSS ${before.toFixed(1)} -> peak ${peak.toFixed(1)} -> ${after.toFixed(1)} MiB (growth ${growth.toFixed(1)} MiB, budget ${RSS_BUDGET_MiB})${shape ? '' : '; body not in the error shape'}`,
  );
}

async function main(): Promise<void> {
  console.log(
    `load average: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  const server = await startDevServerProcess(['--rate-limit', 'developer=20/1m']);
  try {
    // Warm up the paths used below, so their first-call costs are not counted as growth.
    for (let i = 0; i < 5; i++) {
      await json(server.url, 'GET', '/health');
      await json(server.url, 'POST', '/v1/agents', { name: 'warm' }, server.liveKey);
    }
    await sendLarge(server.url, '/v1/signup', 4 * MiB, false);
    await oversized(server, '200 MiB chunked POST /v1/signup, no key', '/v1/signup', 200 * MiB, false);
    await oversized(
      server,
      '300 MiB Content-Length POST /v1/agents, with key',
      '/v1/agents',
      300 * MiB,
      true,
      server.sandboxKey,
    );
    await oversized(
      server,
      '300 MiB chunked POST /v1/agents, with key',
      '/v1/agents',
      300 * MiB,
      false,
      server.sandboxKey,
    );
    await oversized(server, '300 MiB Content-Length POST /v1/agents, no key', '/v1/agents', 300 * MiB, true);
    // Clients that ignore the early answer and keep sending: the server drains a little, then closes.
    await oversized(
      server,
      'stubborn 200 MiB chunked POST /v1/signup, no key',
      '/v1/signup',
      200 * MiB,
      false,
      undefined,
      true,
    );
    await oversized(
      server,
      'stubborn 300 MiB Content-Length POST /v1/agents',
      '/v1/agents',
      300 * MiB,
      true,
      server.sandboxKey,
      true,
    );

    // One developer over its quota (20 a minute): nothing changes for anyone else.
    let refused: Awaited<ReturnType<typeof json>> | undefined;
    for (let i = 0; i < 40 && refused === undefined; i++) {
      const res = await json(server.url, 'GET', '/v1/agents', undefined, server.sandboxKey);
      if (res.status === 429) refused = res;
    }
    const retryAfter = refused !== undefined;
    report(
      retryAfter && refused?.body?.code === 'RATE_LIMIT_EXCEEDED',
      `sandbox developer over its quota: ${refused?.status ?? 'never refused'} ${refused?.body?.code ?? ''}`,
    );
    for (let i = 0; i < 5; i++) await json(server.url, 'GET', '/v1/agents', undefined, server.sandboxKey);
    const health = await json(server.url, 'GET', '/health');
    report(health.status === 200, `GET /health afterwards: ${health.status}`);
    const other = await json(server.url, 'GET', '/v1/agents', undefined, server.liveKey);
    report(other.status === 200, `another developer's GET /v1/agents afterwards: ${other.status}`);
    const signup = await json(server.url, 'POST', '/v1/signup', { name: 'after', mode: 'sandbox' });
    report(signup.status === 201, `POST /v1/signup from the same address afterwards: ${signup.status}`);

    // `__proto__` in audit metadata is kept.
    const agent = await json(server.url, 'POST', '/v1/agents', { name: 'proto' }, signup.body.apiKey);
    const sentText = `{"agentId":"${agent.body.agentId}","agentDid":"${agent.body.did}","grantId":"grnt_1","principalId":"p","action":"a","metadata":{"__proto__":{"x":1},"keep":"me","constructor":{"prototype":2}}}`;
    const logged = await json(server.url, 'POST', '/v1/audit/log', sentText, signup.body.apiKey);
    const listed = await json(server.url, 'GET', '/v1/audit/entries', undefined, signup.body.apiKey);
    // JSON.parse keeps `__proto__` as an own member, so stringify shows exactly what was stored.
    const metadataText = JSON.stringify(listed.body?.entries?.[0]?.metadata ?? null);
    report(
      logged.status === 201 && metadataText === '{"__proto__":{"x":1},"constructor":{"prototype":2},"keep":"me"}',
      `audit metadata {"__proto__":{"x":1},"keep":"me","constructor":{...}} listed as ${metadataText}`,
    );
  } finally {
    await server.stop();
  }
  console.log(
    `load average: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
