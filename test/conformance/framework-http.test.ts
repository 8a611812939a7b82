/**
 * @module test/conformance/framework-http
 * The conformance framework's wire layer: the recorder (429, budget,
 * pacing, transcripts) and the validation of answers against the spec.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractValidator } from '../../conformance/http/contract.js';
import {
  BudgetExhausted,
  Http,
  retryAfterSeconds,
  routeOf,
  toCurl,
  type Exchange,
} from '../../conformance/http/http.js';

describe('recorder', () => {
  let server: Server;
  let base: string;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      hits++;
      if (request.url === '/limited' && hits % 2 === 1) {
        response
          .writeHead(429, { 'retry-after': '1', 'x-ratelimit-limit': '4', 'content-type': 'application/json' })
          .end('{"message":"slow down","code":"RATE_LIMITED","requestId":"r"}');
        return;
      }
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ url: request.url, auth: request.headers.authorization ?? null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const make = (overrides: Partial<ConstructorParameters<typeof Http>[0]> = {}) =>
    new Http({ baseUrl: base, timeoutMs: 2000, maxRps: 0, budget: 100, maxRetryAfterS: 5, ...overrides });

  it('waits out a 429 Retry-After, retries, records both answers and learns the limit', async () => {
    hits = 0;
    const http = make();
    const capture = http.capture();
    const started = Date.now();
    const exchange = await http.request({ method: 'GET', path: '/limited' });
    expect(exchange.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(capture.stop().map((e) => e.status)).toEqual([429, 200]);
    expect(http.requestCount).toBe(2);
    expect(http.learnedLimits).toEqual([{ route: 'GET /limited', limit: 4, longestWaitS: 1 }]);
  });

  it('skips instead of waiting longer than --max-retry-after', async () => {
    hits = 0;
    const http = make({ maxRetryAfterS: 0 });
    await expect(http.request({ method: 'GET', path: '/limited' })).rejects.toThrow(/exceeds the 0s limit/);
  });

  it('stops at the request budget', async () => {
    const http = make({ budget: 2 });
    await http.request({ method: 'GET', path: '/a' });
    await http.request({ method: 'GET', path: '/b' });
    await expect(http.request({ method: 'GET', path: '/c' })).rejects.toBeInstanceOf(BudgetExhausted);
    expect(http.requestCount).toBe(2);
  });

  it('paces requests to --max-rps', async () => {
    const http = make({ maxRps: 20 });
    const started = Date.now();
    for (let i = 0; i < 5; i++) await http.request({ method: 'GET', path: '/p' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('prints curl transcripts without the secret', async () => {
    const http = make();
    const exchange = await http.request({
      method: 'POST',
      path: '/v1/x',
      auth: { label: 'GRANTEX_API_KEY', secret: 'gx_live_supersecret' },
      json: { a: "it's" },
    });
    expect((exchange.body as { auth: string }).auth).toBe('Bearer gx_live_supersecret');
    const curl = toCurl(exchange, http.redact);
    expect(curl).not.toContain('supersecret');
    expect(curl).toContain('"auth":"Bearer $GRANTEX_API_KEY"');
    expect(curl).toContain('"authorization: Bearer $GRANTEX_API_KEY"');
    expect(curl).toContain(`--data-binary '{"a":"it'\\''s"}'`);
    expect(curl).toMatch(/# {2}→ 200 /);
  });

  it('collapses ids into routes and reads Retry-After forms', () => {
    expect(routeOf('/v1/agents/ag_01M8H3D6A60QZ1Z8Z6GZBQ32QD?x=1')).toBe('/v1/agents/{}');
    expect(retryAfterSeconds('12')).toBe(12);
    expect(retryAfterSeconds(undefined)).toBe(5);
    expect(retryAfterSeconds(new Date(Date.now() + 3000).toUTCString())).toBeLessThanOrEqual(3);
  });
});

const contract = ContractValidator.fromFile();

describe('spec validation', () => {
  const exchange = (overrides: Partial<Exchange>): Exchange => ({
    seq: 1,
    method: 'GET',
    url: 'http://x/health',
    target: '/health',
    requestHeaders: {},
    status: 200,
    responseHeaders: { 'content-type': 'application/json' },
    responseText: '{"status":"healthy"}',
    body: { status: 'healthy' },
    durationMs: 1,
    violations: [],
    ...overrides,
  });

  it('accepts a documented answer and names its operation', () => {
    const ok = exchange({});
    expect(contract.validate(ok)).toEqual([]);
    expect(ok.operationId).toBe('health');
  });

  it('flags an undocumented status, a bad body, a bad header and a non-error error body', () => {
    expect(contract.validate(exchange({ status: 418 }))[0]).toMatch(/status 418 is not documented for health/);
    const agent = exchange({
      method: 'GET',
      target: '/v1/agents/ag_1',
      responseText: '{"agentId":"ag_1"}',
      body: { agentId: 'ag_1' },
    });
    expect(contract.validate(agent).join()).toMatch(/must have required property 'did'/);
    const header = exchange({ responseHeaders: { 'content-type': 'application/json', 'x-ratelimit-limit': 'lots' } });
    expect(contract.validate(header)).toEqual(['header x-ratelimit-limit: "lots" must be integer']);
    const error = exchange({
      method: 'GET',
      target: '/v1/agents/ag_1',
      status: 404,
      responseText: '{"error":"nope"}',
      body: { error: 'nope' },
    });
    expect(contract.validate(error).join()).toMatch(/required property 'message'/);
  });

  it('prefers literal path segments over parameters', () => {
    expect(contract.match('GET', '/v1/audit/entries')?.operationId).toBe('auditList');
    expect(contract.match('GET', '/v1/audit/alog_1')?.operationId).toBe('auditGet');
  });
});
