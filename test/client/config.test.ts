// Configuration as users of other SDKs expect it (issue 24): GRANTEX_BASE_URL,
// per-call timeouts in milliseconds, withOptions(), asResponse(), requestId on
// every result, and a log line that says why a 429 was not retried.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Grantex, GrantexConfigError, GrantexRateLimitError, type Logger } from '../../src/index.js';
import { agent, startFakeServer, type FakeServer, type Reply } from './fake-server.js';

let server: FakeServer | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

async function serve(reply: (index: number) => Reply): Promise<FakeServer> {
  server = await startFakeServer((_, index) => reply(index));
  return server;
}

const okAgent: Reply = { status: 200, headers: { 'x-request-id': 'req_ok_1' }, body: agent };

describe('GRANTEX_BASE_URL', () => {
  it('is the base URL when no baseUrl option is given, beside GRANTEX_API_KEY', async () => {
    const { url, requests } = await serve(() => okAgent);
    vi.stubEnv('GRANTEX_API_KEY', 'gx_test_env');
    vi.stubEnv('GRANTEX_BASE_URL', url);
    const client = new Grantex({ logLevel: 'off' });
    await expect(client.agents.get(agent.agentId)).resolves.toMatchObject({ agentId: agent.agentId });
    expect(requests[0]!.headers.authorization).toBe('Bearer gx_test_env');
  });

  it('gives way to the baseUrl option, and a bad value is a config error that does not repeat it', async () => {
    const { url, requests } = await serve(() => okAgent);
    vi.stubEnv('GRANTEX_BASE_URL', 'http://127.0.0.1:1/elsewhere');
    await new Grantex({ apiKey: 'gx_test_key', baseUrl: url, logLevel: 'off' }).agents.get(agent.agentId);
    expect(requests).toHaveLength(1);
    vi.stubEnv('GRANTEX_BASE_URL', 'ftp://secret-host');
    expect(() => new Grantex({ apiKey: 'k' })).toThrow(GrantexConfigError);
    expect(() => new Grantex({ apiKey: 'k' })).not.toThrow(/secret-host/);
  });
});

describe('per-call timeout', () => {
  it.each([-1, 0, Number.NaN, Number.POSITIVE_INFINITY, '5000' as unknown as number])(
    'refuses %s with GrantexConfigError before sending',
    async (timeout) => {
      const { url, requests } = await serve(() => okAgent);
      const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: url, logLevel: 'off' });
      expect(() => client.agents.get(agent.agentId, { timeout })).toThrow(GrantexConfigError);
      expect(() => client.agents.get(agent.agentId, { timeout })).toThrow(/milliseconds/);
      expect(() => new Grantex({ apiKey: 'gx_test_key', baseUrl: url, timeout })).toThrow(GrantexConfigError);
      expect(requests).toHaveLength(0);
    },
  );
});

describe('client.withOptions()', () => {
  it('returns a copy with other options, leaving the original as it was', async () => {
    const { url, requests } = await serve((index) => (index === 0 ? { hang: true } : okAgent));
    const seen: string[] = [];
    const client = new Grantex({
      apiKey: 'gx_test_copy',
      baseUrl: url,
      logLevel: 'off',
      middleware: [{ onRequest: ({ request }) => void seen.push(request.method) }],
    });
    const fast = client.withOptions({ timeout: 100, maxRetries: 0 });
    expect(fast).toBeInstanceOf(Grantex);
    expect(fast).not.toBe(client);
    // The copy times out after 100 ms; the original's 30 s would not.
    await expect(fast.agents.get(agent.agentId)).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    await expect(client.agents.get(agent.agentId)).resolves.toMatchObject({ agentId: agent.agentId });
    expect(requests.map((r) => r.headers.authorization)).toEqual(['Bearer gx_test_copy', 'Bearer gx_test_copy']);
    expect(seen).toEqual(['GET', 'GET']);
    await fast.close();
    // Closing the copy leaves the original open.
    await expect(client.agents.get(agent.agentId)).resolves.toMatchObject({ agentId: agent.agentId });
    expect(() => client.withOptions({ timeout: -5 })).toThrow(GrantexConfigError);
  });
});

describe('asResponse() and requestId', () => {
  it('asResponse() gives the raw Response, whose body can be read', async () => {
    const { url } = await serve(() => okAgent);
    const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: url, logLevel: 'off' });
    const response = await client.agents.get(agent.agentId).asResponse();
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req_ok_1');
    expect(((await response.json()) as { agentId: string }).agentId).toBe(agent.agentId);
  });

  it('asResponse() still rejects a non-2xx with the typed error', async () => {
    const { url } = await serve(() => ({
      status: 429,
      body: { message: 'slow', code: 'RATE_LIMITED', requestId: 'r' },
    }));
    const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: url, logLevel: 'off', maxRetries: 0 });
    await expect(client.agents.get(agent.agentId).asResponse()).rejects.toBeInstanceOf(GrantexRateLimitError);
  });

  it('every result carries the request id: single calls and list pages', async () => {
    const { url } = await serve((index) =>
      index === 0 ? okAgent : { status: 200, headers: { 'x-request-id': 'req_list_2' }, body: { agents: [agent] } },
    );
    const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: url, logLevel: 'off' });
    expect((await client.agents.get(agent.agentId).withResponse()).requestId).toBe('req_ok_1');
    expect((await client.agents.list().withResponse()).requestId).toBe('req_list_2');
  });

  it('a request id that repeats the API key is masked', async () => {
    const { url } = await serve(() => ({ ...okAgent, headers: { 'x-request-id': 'gx_test_masked_key' } }));
    const client = new Grantex({ apiKey: 'gx_test_masked_key', baseUrl: url, logLevel: 'off' });
    expect((await client.agents.get(agent.agentId).withResponse()).requestId).not.toContain('gx_test_masked_key');
  });
});

describe('a retryable status that is not retried says why in the log', () => {
  function recorder(): { lines: string[]; logger: Logger } {
    const lines: string[] = [];
    const at = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
    return { lines, logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } };
  }
  const limited: Reply = {
    status: 429,
    headers: { 'retry-after': '10' },
    body: { message: 'slow down', code: 'RATE_LIMIT_EXCEEDED', requestId: 'r' },
  };

  it('Retry-After longer than maxRetryAfter', async () => {
    const { url, requests } = await serve(() => limited);
    const { lines, logger } = recorder();
    const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: url, maxRetryAfter: 2000, logger });
    await expect(client.agents.get(agent.agentId)).rejects.toBeInstanceOf(GrantexRateLimitError);
    expect(requests).toHaveLength(1);
    expect(lines).toEqual([
      expect.stringMatching(
        /^warn grantex: GET \/v1\/agents\/\{agentId\} 429 in \d+ ms \(attempt 1, not retried: Retry-After 10 s exceeds maxRetryAfter 2 s\)$/,
      ),
    ]);
  });

  it('no retries left, and a call that is not safe to repeat', async () => {
    const { url } = await serve(() => ({ ...limited, headers: { 'retry-after': '0' } }));
    const { lines, logger } = recorder();
    const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: url, maxRetries: 1, logger });
    await expect(client.agents.get(agent.agentId)).rejects.toBeInstanceOf(GrantexRateLimitError);
    expect(lines.at(-1)).toMatch(/attempt 2, not retried: no retries left \(maxRetries 1\)\)$/);
    await expect(client.agents.create({ name: 'Bot' })).rejects.toBeInstanceOf(GrantexRateLimitError);
    expect(lines.at(-1)).toMatch(/not retried: POST \/v1\/agents is not safe to repeat\)$/);
  });
});
