/**
 * @module test/conformance/hostile-server
 * The suite as the client of a hostile server (issue 20), each server on
 * 127.0.0.1 and stopped by the test: the user's key echoed back and terminal
 * control sequences never reach a report or the terminal raw; bodies are read
 * capped (decoded bytes); the receiver and the IdP answer 413; an issuer with
 * a query, fragment or user info is never fetched; with --allow-side-effects,
 * nothing that can revoke what existed before the run is sent.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main, parseCommandLine, render, UsageError } from '../../conformance/cli/cli.js';
import { MAX_IDP_BODY_BYTES, TestIdp } from '../../conformance/doubles/idp.js';
import { MAX_DELIVERY_BYTES, WebhookReceiver } from '../../conformance/doubles/receiver.js';
import { defaultOptions, type RunOptions } from '../../conformance/engine/options.js';
import { Http, ResponseTooLarge, SideEffectRefused } from '../../conformance/http/http.js';
import { fetchIssuerKeySet, IssuerKeySetUnavailable, issuerProblem } from '../../conformance/http/issuer.js';
import { runConformance } from '../../conformance/runner.js';
import { startHostileProxy, type HostileProxy } from './hostile-proxy.js';

/** What a terminal acts on (newline and tab aside). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler);
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function proxy(hostility: Parameters<typeof startHostileProxy>[0]): Promise<HostileProxy> {
  const started = await startHostileProxy(hostility);
  closers.push(() => started.close());
  return started;
}

async function signup(url: string, mode: 'live' | 'sandbox' = 'live'): Promise<string> {
  const res = await fetch(`${url}/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'the user', mode }),
  });
  return ((await res.json()) as { apiKey: string }).apiKey;
}

function options(baseUrl: string, overrides: Partial<RunOptions>): RunOptions {
  return {
    ...defaultOptions(),
    baseUrl,
    runs: 1,
    budget: 600,
    timeoutMs: 5_000,
    webhookWaitMs: 1_000,
    seed: 7,
    ...overrides,
  };
}

const printableKey = fc
  .string({
    unit: fc.constantFrom(...'abcXYZ019_-.~+/=$`"\'\\!#%&()*;<>?@[]^{|}'.split('')),
    minLength: 12,
    maxLength: 40,
  })
  .map((tail) => `gx_live_${tail}`);
const hostileText = fc
  .array(
    fc.constantFrom(
      '\u001b[2J',
      '\u001b]0;owned\u0007',
      '\r',
      '\b\b\b',
      '\u009b2J',
      '\u202e',
      '\nRESULT: PASS — every MUST passed\n',
      'plain',
      '\u0000',
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(''));

describe('the user key and server text in reports', () => {
  it('no format holds the user key or a raw control character, whatever the key and the text', async () => {
    await fc.assert(
      fc.asyncProperty(printableKey, hostileText, async (userKey, text) => {
        let realKey = '';
        const hostile = await proxy({
          // The server learns the key from any request and echoes it with control sequences, in text and JSON.
          rewrite: ({ status, path }) => {
            if (status !== 401 && !path.startsWith('/v1/agents/')) return undefined;
            return status === 401
              ? { status: 200, body: `you sent Bearer ${userKey} ${text}`, headers: { 'content-type': 'text/plain' } }
              : {
                  status: 200,
                  body: JSON.stringify({ message: `${text} ${userKey}`, key: userKey }),
                  headers: { 'x-echo': encodeURIComponent(userKey) },
                };
          },
        });
        realKey = await signup(hostile.upstream.url);
        // The proxy swaps the user's key for a key the server behind it knows, so any key shape can be tried.
        hostile.translate = { from: userKey, to: realKey };
        const report = await runConformance(
          options(hostile.url, { apiKeys: [userKey], signup: false, only: ['auth.credentials-required', 'lifecycle'] }),
        );
        expect(report.exitCode, report.fatal).toBe(1);
        for (const format of ['text', 'json', 'junit', 'html'] as const) {
          const out = render(report, format, true);
          expect(out.includes(userKey), `${format} holds the key`).toBe(false);
          expect(out.includes(realKey), `${format} holds the upstream key`).toBe(false);
          expect(RAW_CONTROL.exec(out)?.[0], `${format} holds a raw control character`).toBeUndefined();
          expect(out.split('\n').filter((line) => /^RESULT: PASS/.test(line))).toEqual([]);
        }
        expect(JSON.stringify(report)).toContain('$GRANTEX_API_KEY');
      }),
      { numRuns: 3 },
    );
  }, 120_000);

  it('the fatal message of a refused key, on stdout, stderr (--verbose) and in files, holds neither', async () => {
    const userKey = 'gx_live_the-users-real-key-0123456789';
    const hostile = await proxy({
      intercept: (request, response) => {
        if (request.url !== '/v1/agents') return false;
        response
          .writeHead(401, { 'content-type': 'application/json' })
          .end(
            JSON.stringify({ message: `refused ${request.headers.authorization} \u001b[2J\rok`, code: 'UNAUTHORIZED' }),
          );
        return true;
      },
    });
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(capture),
      vi.spyOn(process.stderr, 'write').mockImplementation(capture),
    ];
    let code: number;
    try {
      code = await main(['--base-url', hostile.url, '--api-key', userKey, '--verbose', '--report', 'json']);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(code).toBe(2);
    const all = written.join('');
    expect(all).toContain('was refused');
    expect(all).toMatch(/\$GRANTEX_(GIVEN_)?API_KEY/);
    expect(all.includes(userKey)).toBe(false);
    expect(RAW_CONTROL.exec(all.replace(/\n/g, ''))?.[0]).toBeUndefined();
  }, 60_000);
});

describe('capped reads', () => {
  it('--max-response-bytes sets the cap (10 MiB by default, at least 1024)', () => {
    expect(parseCommandLine([]).options.maxResponseBytes).toBe(10 * 1024 * 1024);
    expect(parseCommandLine(['--max-response-bytes', '2048']).options.maxResponseBytes).toBe(2048);
    expect(() => parseCommandLine(['--max-response-bytes', '10'])).toThrow(UsageError);
  });

  it('reads bodies up to --max-response-bytes exactly and cuts larger ones off, counting decoded bytes', async () => {
    const limit = 4096;
    const base = await serve((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const size = Number(url.searchParams.get('size'));
      const body = Buffer.from(`"${'x'.repeat(Math.max(0, size - 2))}"`.slice(0, size));
      const how = url.searchParams.get('how');
      if (how === 'gzip') {
        const packed = gzipSync(body);
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'content-length': packed.length,
        });
        res.end(packed);
      } else if (how === 'chunked') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(body.subarray(0, 10));
        res.end(body.subarray(10));
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
      }
    });
    const http = new Http({
      baseUrl: base,
      timeoutMs: 5_000,
      maxRps: 0,
      budget: 10_000,
      maxRetryAfterS: 0,
      maxResponseBytes: limit,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 2, max: 3 * limit }), fc.integer({ min: limit - 3, max: limit + 3 })),
        fc.constantFrom('length', 'chunked', 'gzip'),
        async (size, how) => {
          const outcome = await http.request({ method: 'GET', path: `/b?size=${size}&how=${how}` }).then(
            (exchange) => exchange.responseText.length,
            (error: unknown) => error,
          );
          if (size <= limit) expect(outcome).toBe(size);
          else {
            expect(outcome).toBeInstanceOf(ResponseTooLarge);
            expect((outcome as Error).message).toMatch(/larger than 4096 bytes .*--max-response-bytes/);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('stops reading a 200 MB body and a gzip bomb at the limit; the run says why', async () => {
    let streamed = 0;
    const piece = gzipSync(Buffer.alloc(4 * 1024 * 1024, ' '), { level: constants.Z_BEST_COMPRESSION });
    const bomb = Buffer.concat(Array.from({ length: 50 }, () => piece));
    const hostile = await proxy({
      intercept: (request, response) => {
        if (request.url === '/health') {
          response.writeHead(200, { 'content-type': 'application/json' });
          const chunk = Buffer.alloc(64 * 1024, ' ');
          const more = (): void => {
            while (streamed < 200 * 1024 * 1024 && !response.destroyed) {
              streamed += chunk.length;
              if (!response.write(chunk)) return void response.once('drain', more);
            }
            response.end('{}');
          };
          response.write('{"status":"ok","pad":"');
          more();
          return true;
        }
        return false;
      },
    });
    const huge = await runConformance(options(hostile.url, { maxResponseBytes: 1024 * 1024 }));
    expect(huge.exitCode).toBe(2);
    expect(huge.fatal).toMatch(/larger than 1048576 bytes .*--max-response-bytes/);
    expect(streamed).toBeLessThan(100 * 1024 * 1024);

    const bombed = await serve((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': bomb.length,
      });
      res.end(bomb);
    });
    const http = new Http({ baseUrl: bombed, timeoutMs: 10_000, maxRps: 0, budget: 10, maxRetryAfterS: 0 });
    await expect(http.request({ method: 'GET', path: '/' })).rejects.toThrow(/larger than 10485760 bytes/);
  }, 60_000);
});

/** POSTs `size` bytes (declared, or chunked when `chunked`) and resolves with the status, or 0 when the connection broke first. */
function post(url: string, size: number, chunked: boolean): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: chunked ? { 'content-type': 'application/json' } : { 'content-length': String(size) },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    const chunk = Buffer.alloc(Math.min(size, 256 * 1024), 'x');
    let sent = 0;
    const more = (): void => {
      while (sent < size) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once('drain', more);
      }
      req.end();
    };
    more();
  });
}

describe('bounded doubles', () => {
  it('the webhook receiver keeps bodies up to its limit and answers 413 past it', async () => {
    const receiver = await WebhookReceiver.start();
    closers.push(() => receiver.close());
    const url = `http://127.0.0.1:${receiver.port}/hook`;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer({ min: 0, max: 2 * MAX_DELIVERY_BYTES }),
          fc.integer({ min: MAX_DELIVERY_BYTES - 2, max: MAX_DELIVERY_BYTES + 2 }),
        ),
        fc.boolean(),
        async (size, chunked) => {
          const before = receiver.deliveries.length;
          const status = await post(url, size, chunked);
          if (size <= MAX_DELIVERY_BYTES) {
            expect(status).toBe(200);
            expect(receiver.deliveries.at(-1)?.rawBody.length).toBe(size);
          } else {
            expect(status).toBe(413);
            expect(receiver.deliveries.length).toBe(before);
          }
        },
      ),
      { numRuns: 25 },
    );
    // A declared 1.5 GB post is refused before a byte of it is kept.
    expect(await post(url, 1.5 * 1024 * 1024 * 1024, false)).toBe(413);
  }, 60_000);

  it('the test IdP answers 413 past its limit and still serves its documents', async () => {
    const idp = await TestIdp.start();
    closers.push(() => idp.close());
    expect(await post(`${idp.issuer()}/token`, MAX_IDP_BODY_BYTES + 1, true)).toBe(413);
    expect(await post(`${idp.issuer()}/token`, 3 * 1024 * 1024 * 1024, false)).toBe(413);
    expect(idp.tokenRequests).toEqual([]);
    expect((await fetch(`${idp.issuer()}/.well-known/openid-configuration`)).status).toBe(200);
  });
});

describe('issuer URLs a server names', () => {
  it('an iss with a query, a fragment or user info is refused with the reason and never fetched', async () => {
    let hits = 0;
    const base = await serve((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    });
    const host = base.replace('http://', '');
    const bad = fc.oneof(
      fc.webSegment().map((tail) => ({ iss: `${base}/evil?${tail}`, reason: /query/ })),
      fc.webSegment().map((tail) => ({ iss: `${base}/evil?x=${tail}#`, reason: /query/ })),
      fc.webSegment().map((tail) => ({ iss: `${base}/evil#${tail}`, reason: /fragment/ })),
      fc.webSegment().map((user) => ({ iss: `http://${user || 'u'}@${host}/x`, reason: /user info/ })),
      fc.webSegment().map((user) => ({ iss: `http://${user || 'u'}:pw@${host}/x`, reason: /user info/ })),
    );
    await fc.assert(
      fc.asyncProperty(bad, async ({ iss, reason }) => {
        expect(issuerProblem(iss)).toMatch(reason);
        const error = await fetchIssuerKeySet(iss, 2_000).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(IssuerKeySetUnavailable);
        expect((error as Error).message).toMatch(/nothing was fetched/);
      }),
    );
    expect(hits).toBe(0);
    await fetchIssuerKeySet(base, 2_000);
    expect(hits).toBe(1);
  });
});

describe('--allow-side-effects', () => {
  it('never sends anomaly detection under the user key, and lists what it did send', async () => {
    const seen: string[] = [];
    const base = await serve((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
    });
    const http = new Http({ baseUrl: base, timeoutMs: 2_000, maxRps: 0, budget: 10, maxRetryAfterS: 0 });
    const key = { label: 'GRANTEX_API_KEY', secret: 'gx_live_user-key-0123456789' };
    http.guard(key.secret, '--api-key', 'destructive');
    await expect(http.request({ method: 'POST', path: '/v1/anomalies/detect', auth: key, json: {} })).rejects.toThrow(
      SideEffectRefused,
    );
    await http.request({ method: 'POST', path: '/v1/webhooks', auth: key, json: {} });
    expect(seen).toEqual(['POST /v1/webhooks']);
    expect(http.changes).toEqual([
      'POST /v1/webhooks (a subscription to the developer’s real events) under the key from --api-key',
    ]);
  });

  it('a run with the flag skips anomalies.detect and the server never sees the request', async () => {
    const hostile = await proxy({});
    const key = await signup(hostile.upstream.url);
    const report = await runConformance(
      options(hostile.url, { apiKeys: [key], signup: false, allowSideEffects: true, only: ['anomalies'] }),
    );
    const detect = report.results.find((result) => result.id === 'anomalies.detect');
    expect(detect?.status).toBe('skip');
    expect(detect?.message).toMatch(/never sent under such a key \(not even with --allow-side-effects\)/);
    expect(hostile.seen).not.toContain('POST /v1/anomalies/detect');
    expect(report.notes.join('\n')).toMatch(/still not sent/);
  }, 60_000);
});
