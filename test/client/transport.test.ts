// The transport policy against a local fake server: retries (and what is never
// retried), Retry-After, timeouts, aborts, connection errors and headers.
import { afterEach, describe, expect, it } from 'vitest';
import {
  GrantexConfigError,
  Grantex,
  GrantexAbortError,
  GrantexApiError,
  GrantexNetworkError,
  GrantexRateLimitError,
  GrantexTimeoutError,
  type GrantexOptions,
} from '../../src/index.js';
import { isSafeToRepeat, parseRetryAfter, retryDelayMs } from '../../src/core/transport.js';
import { agent, closedPort, startFakeServer, type FakeServer, type Reply } from './fake-server.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A client on a fake server that answers with `replies` in turn (the last one repeats). */
async function setup(replies: Reply[], options: GrantexOptions = {}) {
  server = await startFakeServer((_request, index) => replies[Math.min(index, replies.length - 1)]!);
  const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: server.url, retryDelay: 1, ...options });
  return { client, requests: server.requests };
}

const unavailable: Reply = { status: 503, body: { message: 'down', code: 'SERVICE_UNAVAILABLE', requestId: 'r1' } };
const ok: Reply = { status: 200, body: agent };
const tokenResponse = {
  grantToken: 'a.b.c',
  refreshToken: 'ref_1',
  grantId: 'grnt_1',
  scopes: [],
  expiresAt: '2026-11-28T12:52:10.000Z',
};

describe('retries', () => {
  it('retries a GET answered 503 and returns the eventual success', async () => {
    const { client, requests } = await setup([unavailable, unavailable, ok]);
    await expect(client.agents.get(agent.agentId)).resolves.toMatchObject({ agentId: agent.agentId });
    expect(requests).toHaveLength(3);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    const { client, requests } = await setup([unavailable], { maxRetries: 3 });
    await expect(client.agents.get(agent.agentId)).rejects.toMatchObject({
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
    });
    expect(requests).toHaveLength(4);
  });

  it.each([408, 429, 500, 502, 504])('retries a GET answered %i', async (status) => {
    const { client, requests } = await setup([
      { status, body: { message: 'x', code: 'X', requestId: 'r' } },
      { status: 200, body: { agents: [] } },
    ]);
    await client.agents.list();
    expect(requests).toHaveLength(2);
  });

  it.each([400, 401, 403, 404, 409, 422, 501])('does not retry a GET answered %i', async (status) => {
    const { client, requests } = await setup([{ status, body: { message: 'x', code: 'X', requestId: 'r' } }, ok]);
    await expect(client.agents.list()).rejects.toBeInstanceOf(GrantexApiError);
    expect(requests).toHaveLength(1);
  });

  it('never retries POST /v1/token: the code is single-use', async () => {
    const { client, requests } = await setup([unavailable, { status: 201, body: tokenResponse }]);
    await expect(client.tokens.exchange({ code: 'c', agentId: agent.agentId })).rejects.toMatchObject({
      statusCode: 503,
    });
    expect(requests).toHaveLength(1);
  });

  it('never retries single-use calls, even with an Idempotency-Key header', async () => {
    const { client, requests } = await setup([unavailable]);
    const headers = { 'idempotency-key': 'k' };
    await expect(
      client.tokens.refresh({ refreshToken: 'ref_1', agentId: agent.agentId }, { headers }),
    ).rejects.toThrow();
    await expect(client.tokens.exchange({ code: 'c', agentId: agent.agentId }, { headers })).rejects.toThrow();
    await expect(client.consent.approve('areq_1')).rejects.toThrow();
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /v1/token/refresh',
      'POST /v1/token',
      'POST /v1/consent/areq_1/approve',
    ]);
  });

  it('never retries GET /sso/callback: the provider code is single-use', async () => {
    const { client, requests } = await setup([unavailable, { status: 200, body: {} }]);
    await expect(client.sso.callback({ code: 'c', state: 's' })).rejects.toMatchObject({ statusCode: 503 });
    expect(requests).toHaveLength(1);
  });

  it('does not retry a POST without an idempotency key', async () => {
    const { client, requests } = await setup([unavailable, { status: 201, body: agent }]);
    await expect(client.agents.create({ name: 'Bot' })).rejects.toMatchObject({ statusCode: 503 });
    expect(requests).toHaveLength(1);
  });

  it('never retries a POST, even one with an Idempotency-Key header: no server honours it', async () => {
    const { client, requests } = await setup([unavailable, { status: 201, body: agent }]);
    const headers = { 'idempotency-key': 'key-1' };
    await expect(client.agents.create({ name: 'Bot' }, { headers })).rejects.toMatchObject({ statusCode: 503 });
    expect(requests).toHaveLength(1);
  });

  it('refuses the removed idempotencyKey option with a config error, sending nothing', async () => {
    const { client, requests } = await setup([{ status: 201, body: agent }]);
    const options = { idempotencyKey: 'key-1' } as never;
    expect(() => client.agents.create({ name: 'Bot' }, options)).toThrow(GrantexConfigError);
    expect(requests).toHaveLength(0);
  });

  it('retries the read-only verify POSTs', async () => {
    const { client, requests } = await setup([unavailable, { status: 200, body: { valid: false } }]);
    await expect(client.tokens.verify('a.b.c')).resolves.toEqual({ valid: false });
    expect(requests).toHaveLength(2);
  });

  it('keeps single-use calls unretried under a base URL with a path prefix', async () => {
    server = await startFakeServer(() => unavailable);
    const client = new Grantex({ apiKey: 'k', baseUrl: `${server.url}/prefix/`, retryDelay: 1 });
    await expect(client.tokens.exchange({ code: 'c', agentId: 'ag_1' })).rejects.toMatchObject({ statusCode: 503 });
    await expect(client.agents.list()).rejects.toMatchObject({ statusCode: 503 });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /prefix/v1/token',
      'GET /prefix/v1/agents',
      'GET /prefix/v1/agents',
      'GET /prefix/v1/agents',
    ]);
  });

  it('honours maxRetries: 0 per call', async () => {
    const { client, requests } = await setup([unavailable, ok]);
    await expect(client.agents.get(agent.agentId, { maxRetries: 0 })).rejects.toMatchObject({ statusCode: 503 });
    expect(requests).toHaveLength(1);
  });
});

describe('Retry-After', () => {
  it('waits the seconds the server asks for before retrying', async () => {
    const limited: Reply = {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { message: 'slow down', code: 'RATE_LIMIT_EXCEEDED', requestId: 'r' },
    };
    const { client, requests } = await setup([limited, ok]);
    await client.agents.get(agent.agentId);
    expect(requests).toHaveLength(2);
    // Backoff alone would be ~1 ms here (retryDelay 1).
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('does not wait longer than maxRetryAfter: the 429 surfaces at once with retryAfter', async () => {
    const limited: Reply = {
      status: 429,
      headers: { 'retry-after': '3600' },
      body: { message: 'later', code: 'RATE_LIMIT_EXCEEDED', requestId: 'r' },
    };
    const { client, requests } = await setup([limited, ok]);
    const error = await client.agents.get(agent.agentId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrantexRateLimitError);
    expect((error as GrantexRateLimitError).retryAfter).toBe(3600);
    expect(requests).toHaveLength(1);
  });

  it('parses delta seconds and HTTP dates, and ignores garbage', () => {
    const now = Date.parse('2026-11-28T12:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter(' 2.5 ', now)).toBe(2.5);
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:00:10 GMT', now)).toBe(10);
    expect(parseRetryAfter('Sat, 28 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('backoff', () => {
  const policy = { retryDelay: 500, maxRetryDelay: 8000, maxRetryAfter: 60_000 };

  it('doubles per attempt, with jitter between half and all of the delay, up to the cap', () => {
    expect(retryDelayMs(0, undefined, policy, () => 0)).toBe(250);
    expect(retryDelayMs(0, undefined, policy, () => 1)).toBe(500);
    expect(retryDelayMs(2, undefined, policy, () => 1)).toBe(2000);
    expect(retryDelayMs(10, undefined, policy, () => 1)).toBe(8000);
    const spread = new Set(Array.from({ length: 20 }, () => retryDelayMs(1, undefined, policy)));
    expect(spread.size).toBeGreaterThan(1);
    for (const delay of spread) expect(delay).toBeGreaterThanOrEqual(500);
  });

  it('uses Retry-After when given, unless it exceeds maxRetryAfter', () => {
    expect(retryDelayMs(0, 3, policy)).toBe(3000);
    expect(retryDelayMs(0, 0, policy)).toBe(0);
    expect(retryDelayMs(0, 61, policy)).toBeUndefined();
  });

  it('classifies which requests are safe to repeat', () => {
    expect(isSafeToRepeat('GET', '/v1/agents')).toBe(true);
    expect(isSafeToRepeat('DELETE', '/v1/grants/grnt_1')).toBe(true);
    expect(isSafeToRepeat('PUT', '/scim/v2/Users/u')).toBe(true);
    expect(isSafeToRepeat('POST', '/v1/agents')).toBe(false);
    expect(isSafeToRepeat('PATCH', '/v1/agents/ag_1')).toBe(false);
    expect(isSafeToRepeat('POST', '/v1/token')).toBe(false);
    expect(isSafeToRepeat('POST', '/v1/token/refresh')).toBe(false);
    expect(isSafeToRepeat('POST', '/v1/consent/areq_1/approve')).toBe(false);
    expect(isSafeToRepeat('GET', '/sso/callback')).toBe(false);
    expect(isSafeToRepeat('GET', '/sso/login')).toBe(true);
    expect(isSafeToRepeat('POST', '/v1/tokens/verify')).toBe(true);
    expect(isSafeToRepeat('POST', '/v1/grants/verify')).toBe(true);
  });
});

describe('connection errors', () => {
  it('retries a GET whose connection dropped', async () => {
    const { client, requests } = await setup([{ destroy: true }, ok]);
    await expect(client.agents.get(agent.agentId)).resolves.toMatchObject({ agentId: agent.agentId });
    expect(requests).toHaveLength(2);
  });

  it('does not retry POST /v1/token whose connection dropped', async () => {
    const { client, requests } = await setup([{ destroy: true }, { status: 201, body: tokenResponse }]);
    const error = await client.tokens.exchange({ code: 'c', agentId: 'ag_1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrantexNetworkError);
    expect(error).not.toBeInstanceOf(GrantexTimeoutError);
    expect(requests).toHaveLength(1);
  });

  it('reports a refused connection as GrantexNetworkError with the cause', async () => {
    const port = await closedPort();
    const client = new Grantex({ apiKey: 'k', baseUrl: `http://127.0.0.1:${port}`, retryDelay: 1 });
    const error = await client.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrantexNetworkError);
    expect((error as GrantexNetworkError).code).toBe('ERR_NETWORK');
    expect((error as Error).message).toMatch(/ECONNREFUSED|fetch failed/);
    expect((error as Error).cause).toBeDefined();
  });
});

describe('timeouts and aborts', () => {
  it('fails an attempt that gets no response within timeout (ms)', async () => {
    const { client, requests } = await setup([{ hang: true }], { timeout: 200, maxRetries: 0 });
    const error = await client.agents.get(agent.agentId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrantexTimeoutError);
    expect(error).toBeInstanceOf(GrantexNetworkError);
    expect((error as GrantexTimeoutError).code).toBe('ERR_TIMEOUT');
    expect((error as Error).message).toBe('No response within 200 ms');
    expect(requests).toHaveLength(1);
  });

  it('retries a safe call after a per-attempt timeout', async () => {
    const { client, requests } = await setup([{ hang: true }, ok], { timeout: 200 });
    await expect(client.agents.get(agent.agentId)).resolves.toMatchObject({ agentId: agent.agentId });
    expect(requests).toHaveLength(2);
  });

  it('never retries a single-use call after a timeout', async () => {
    const { client, requests } = await setup([{ hang: true }, { status: 201, body: tokenResponse }], { timeout: 200 });
    await expect(client.tokens.exchange({ code: 'c', agentId: 'ag_1' })).rejects.toBeInstanceOf(GrantexTimeoutError);
    expect(requests).toHaveLength(1);
  });

  it('covers the response body: a stalled body times out too', async () => {
    const { client } = await setup([{ stall: true, status: 200, partial: '{"agentId":' }], { timeout: 200 });
    await expect(client.agents.get(agent.agentId)).rejects.toBeInstanceOf(GrantexTimeoutError);
  });

  it('takes a per-call timeout', async () => {
    const { client } = await setup([{ hang: true }]);
    await expect(client.agents.get(agent.agentId, { timeout: 100 })).rejects.toBeInstanceOf(GrantexTimeoutError);
  });

  it("honours the caller's signal, in flight and before sending", async () => {
    const { client, requests } = await setup([{ hang: true }]);
    const controller = new AbortController();
    const pending = client.agents.get(agent.agentId, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user cancelled')), 50);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrantexAbortError);
    expect(((error as Error).cause as Error).message).toBe('user cancelled');

    await expect(client.agents.list({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(GrantexAbortError);
    expect(requests).toHaveLength(1);
  });

  it('an abort during the wait between retries ends the call at once', async () => {
    const { client, requests } = await setup([unavailable], { retryDelay: 5000, maxRetryDelay: 5000 });
    const controller = new AbortController();
    const pending = client.agents.list({ signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(pending).rejects.toBeInstanceOf(GrantexAbortError);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(requests).toHaveLength(1);
  });

  it('close() aborts requests in flight and refuses new ones', async () => {
    const { client } = await setup([{ hang: true }]);
    const pending = client.agents.get(agent.agentId);
    setTimeout(() => void client.close(), 50);
    await expect(pending).rejects.toBeInstanceOf(GrantexAbortError);
    await expect(client.health()).rejects.toBeInstanceOf(GrantexAbortError);
  });
});

describe('headers and URLs', () => {
  it('sends the bearer key, a user agent, default and per-call headers', async () => {
    const { client, requests } = await setup([ok], { headers: { 'x-team': 'a', 'x-both': 'client' } });
    await client.agents.get(agent.agentId, { headers: { 'x-call': 'b', 'x-both': 'call' } });
    expect(requests[0]!.headers).toMatchObject({
      authorization: 'Bearer gx_test_key',
      'user-agent': expect.stringMatching(/^grantex-ts\//),
      'x-team': 'a',
      'x-call': 'b',
      'x-both': 'call',
    });
  });

  it('URL-encodes path parameters', async () => {
    const { client, requests } = await setup([ok]);
    await client.agents.get('ag_1/../../admin?x=1#y');
    expect(requests[0]!.url).toBe('/v1/agents/ag_1%2F..%2F..%2Fadmin%3Fx%3D1%23y');
  });

  it('serialises query parameters and leaves out unset ones', async () => {
    const { client, requests } = await setup([{ status: 200, body: { grants: [] } }]);
    await client.grants.list({ agentId: 'ag 1&x', status: 'active' });
    await client.grants.list();
    expect(requests.map((r) => r.url)).toEqual(['/v1/grants?agentId=ag%201%26x&status=active', '/v1/grants']);
  });
});
