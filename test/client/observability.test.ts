// Logging (one record per attempt, at GRANTEX_LOG or logLevel) and the one
// middleware chain that sees every call, from resource methods and client.api.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Grantex,
  GrantexConfigError,
  GrantexTimeoutError,
  type AttemptRecord,
  type Middleware,
} from '../../src/index.js';
import { agent, closedPort, startFakeServer, type FakeServer, type Reply } from './fake-server.js';

let server: FakeServer | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

async function serve(replies: Reply[]): Promise<FakeServer> {
  server = await startFakeServer((_request, index) => replies[Math.min(index, replies.length - 1)]!);
  return server;
}

function recorder() {
  const records: Array<{ level: string; message: string; record: AttemptRecord }> = [];
  const at = (level: string) => (message: string, record: unknown) =>
    void records.push({ level, message, record: record as AttemptRecord });
  return { records, logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } };
}

const KEY = 'gx_test_observability_key';
const unavailable: Reply = {
  status: 503,
  headers: { 'x-request-id': 'req_1' },
  body: { message: 'down', code: 'UNAVAILABLE', requestId: 'req_1' },
};
const ok: Reply = { status: 200, headers: { 'x-request-id': 'req_2' }, body: agent };

describe('logging', () => {
  it('GRANTEX_LOG=debug writes one record per attempt, with the path template and no secret', async () => {
    vi.stubEnv('GRANTEX_LOG', 'debug');
    const { url } = await serve([unavailable, ok]);
    const { records, logger } = recorder();
    const client = new Grantex({ apiKey: KEY, baseUrl: url, retryDelay: 1, logger });
    await client.agents.get(agent.agentId);
    expect(
      records.map((r) => [r.level, r.record.attempt, r.record.status, r.record.retryReason, r.record.requestId]),
    ).toEqual([
      ['info', 1, 503, 'status 503', 'req_1'],
      ['debug', 2, 200, undefined, 'req_2'],
    ]);
    for (const { message, record } of records) {
      expect(record).toMatchObject({ method: 'GET', path: '/v1/agents/{agentId}' });
      expect(record.durationMs).toBeGreaterThanOrEqual(0);
      expect(`${message} ${JSON.stringify(record)}`).not.toContain(KEY);
      expect(`${message} ${JSON.stringify(record)}`).not.toContain(agent.agentId);
    }
    expect(records[0]!.message).toMatch(
      /^grantex: GET \/v1\/agents\/\{agentId\} 503 in \d+ ms \(attempt 1, retrying after status 503\)$/,
    );
  });

  it('logs client.api calls with their template too', async () => {
    const { url } = await serve([ok]);
    const { records, logger } = recorder();
    const client = new Grantex({ apiKey: KEY, baseUrl: url, logLevel: 'debug', logger });
    await client.api.GET('/v1/agents/{agentId}', { params: { path: { agentId: agent.agentId } } });
    expect(records.map((r) => r.record.path)).toEqual(['/v1/agents/{agentId}']);
  });

  it("defaults to 'warn': quiet on success, one warning for a final server error", async () => {
    const { url } = await serve([ok, { status: 500, body: { message: 'boom', code: 'INTERNAL', requestId: 'r' } }]);
    const { records, logger } = recorder();
    const client = new Grantex({ apiKey: KEY, baseUrl: url, maxRetries: 0, logger });
    await client.agents.get(agent.agentId);
    expect(records).toHaveLength(0);
    await expect(client.agents.get(agent.agentId)).rejects.toThrow();
    expect(records.map((r) => [r.level, r.record.status])).toEqual([['warn', 500]]);
  });

  it('logs a connection failure with its code', async () => {
    const port = await closedPort();
    const { records, logger } = recorder();
    const client = new Grantex({
      apiKey: KEY,
      baseUrl: `http://127.0.0.1:${port}`,
      maxRetries: 1,
      retryDelay: 1,
      logLevel: 'info',
      logger,
    });
    await expect(client.health()).rejects.toThrow();
    expect(records.map((r) => [r.level, r.record.attempt, r.record.error, r.record.retryReason])).toEqual([
      ['info', 1, 'ERR_NETWORK', 'connection error'],
      ['warn', 2, 'ERR_NETWORK', undefined],
    ]);
  });

  it("logLevel 'off' writes nothing; a bad logLevel or logger is a config error; a bad GRANTEX_LOG falls back to warn", async () => {
    const { url } = await serve([{ status: 500, body: { message: 'x', code: 'X', requestId: 'r' } }]);
    const { records, logger } = recorder();
    await expect(
      new Grantex({ apiKey: KEY, baseUrl: url, maxRetries: 0, logLevel: 'off', logger }).health(),
    ).rejects.toThrow();
    expect(records).toHaveLength(0);
    expect(() => new Grantex({ apiKey: KEY, logLevel: 'verbose' as never })).toThrow(GrantexConfigError);
    expect(() => new Grantex({ apiKey: KEY, logger: { info: () => {} } as never })).toThrow(GrantexConfigError);
    vi.stubEnv('GRANTEX_LOG', 'loud');
    await expect(new Grantex({ apiKey: KEY, baseUrl: url, maxRetries: 0, logger }).health()).rejects.toThrow();
    expect(records.map((r) => r.level)).toEqual(['warn']);
  });

  it('a logger that throws does not fail the call', async () => {
    const { url } = await serve([ok]);
    const boom = () => {
      throw new Error('logger down');
    };
    const client = new Grantex({
      apiKey: KEY,
      baseUrl: url,
      logLevel: 'debug',
      logger: { error: boom, warn: boom, info: boom, debug: boom },
    });
    await expect(client.agents.get(agent.agentId)).resolves.toMatchObject({ agentId: agent.agentId });
  });
});

describe('middleware', () => {
  it('one chain sees resource calls and client.api calls, and may add headers', async () => {
    const { url, requests } = await serve([{ status: 200, body: { agents: [] } }]);
    const seen: string[] = [];
    const mw: Middleware = {
      onRequest({ request, schemaPath }) {
        seen.push(`request ${request.method} ${schemaPath}`);
        // The credential is added after the chain, so middleware never holds it.
        expect(request.headers.get('authorization')).toBeNull();
        const next = new Request(request);
        next.headers.set('x-trace', 't1');
        return next;
      },
      onResponse({ response, schemaPath }) {
        seen.push(`response ${response.status} ${schemaPath}`);
      },
    };
    const client = new Grantex({ apiKey: KEY, baseUrl: url }).use(mw);
    await client.agents.list();
    await client.api.GET('/v1/agents');
    expect(seen).toEqual([
      'request GET /v1/agents',
      'response 200 /v1/agents',
      'request GET /v1/agents',
      'response 200 /v1/agents',
    ]);
    expect(requests.map((r) => [r.headers['x-trace'], r.headers.authorization])).toEqual([
      ['t1', `Bearer ${KEY}`],
      ['t1', `Bearer ${KEY}`],
    ]);
  });

  it('client.api.use() and the middleware option join the same chain; eject removes', async () => {
    const { url } = await serve([{ status: 200, body: { agents: [] } }]);
    const calls: string[] = [];
    const first: Middleware = { onRequest: () => void calls.push('option') };
    const second: Middleware = { onRequest: () => void calls.push('api.use') };
    const client = new Grantex({ apiKey: KEY, baseUrl: url, middleware: [first] });
    client.api.use(second);
    await client.agents.list();
    client.eject(first);
    await client.agents.list();
    expect(calls).toEqual(['option', 'api.use', 'api.use']);
  });

  it('onResponse may replace the response the resource method settles', async () => {
    const { url } = await serve([{ status: 200, body: { agents: [] } }]);
    const client = new Grantex({ apiKey: KEY, baseUrl: url });
    client.use({ onResponse: () => new Response(JSON.stringify({ agents: [agent] }), { status: 200 }) });
    await expect(client.agents.list()).resolves.toEqual({ agents: [agent] });
  });

  it('onError sees a failed call and may answer it', async () => {
    const port = await closedPort();
    const errors: string[] = [];
    const client = new Grantex({ apiKey: KEY, baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0, logLevel: 'off' });
    client.use({
      onError({ error }) {
        errors.push((error as Error).name);
        return new Response(JSON.stringify({ status: 'ok' }), { status: 200 });
      },
    });
    await expect(client.health()).resolves.toEqual({ status: 'ok' });
    expect(errors).toEqual(['GrantexNetworkError']);
  });

  it('refuses a middleware without hooks', () => {
    expect(() => new Grantex({ apiKey: KEY }).use({} as Middleware)).toThrow(GrantexConfigError);
  });
});

describe('durations are milliseconds', () => {
  it('concurrent attempts time out independently: a fast answer is not cut off by a slow neighbour', async () => {
    server = await startFakeServer((request) => (request.url.endsWith('/slow') ? { hang: true } : ok));
    const client = new Grantex({ apiKey: KEY, baseUrl: server.url, timeout: 300, maxRetries: 0, logLevel: 'off' });
    const slow = client.agents.get('slow').catch((e: unknown) => e);
    const fast = client.agents.get(agent.agentId);
    await expect(fast).resolves.toMatchObject({ agentId: agent.agentId });
    expect(await slow).toBeInstanceOf(GrantexTimeoutError);
  });

  it('timeout: 1000 waits one second, not 1000', async () => {
    const { url } = await serve([{ hang: true }]);
    const client = new Grantex({ apiKey: KEY, baseUrl: url, timeout: 1000, maxRetries: 0, logLevel: 'off' });
    const started = performance.now();
    const error = await client.agents.get(agent.agentId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrantexTimeoutError);
    expect((error as Error).message).toBe('No response within 1000 ms');
    // A timer never fires early; the upper bound only rules out seconds-as-ms confusions.
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
