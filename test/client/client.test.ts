// Construction, configuration errors, results with their responses, lists and
// pagination, SCIM tokens, disposal and the openapi-fetch escape hatch.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Grantex, GrantexAbortError, GrantexConfigError, VERSION } from '../../src/index.js';
import {
  agent,
  delivery,
  scimUser,
  signupResponse,
  startFakeServer,
  type FakeServer,
  type SeenRequest,
  type Reply,
} from './fake-server.js';

let server: FakeServer | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

async function serve(reply: (request: SeenRequest, index: number) => Reply) {
  server = await startFakeServer(reply);
  return server;
}

describe('configuration', () => {
  it('needs an API key, from the options or GRANTEX_API_KEY', () => {
    vi.stubEnv('GRANTEX_API_KEY', '');
    expect(() => new Grantex()).toThrow(GrantexConfigError);
    expect(() => new Grantex()).toThrow(/GRANTEX_API_KEY/);
    expect(() => new Grantex({ apiKey: '  ' })).toThrow(GrantexConfigError);
    vi.stubEnv('GRANTEX_API_KEY', 'gx_test_from_env');
    expect(() => new Grantex()).not.toThrow();
  });

  it('sends the key from the environment', async () => {
    vi.stubEnv('GRANTEX_API_KEY', 'gx_test_from_env');
    const { url, requests } = await serve(() => ({ status: 200, body: { status: 'healthy' } }));
    await new Grantex({ baseUrl: url }).health();
    expect(requests[0]!.headers.authorization).toBe('Bearer gx_test_from_env');
  });

  it.each([
    [{ baseUrl: 'not a url' }, /baseUrl/],
    [{ baseUrl: 'ftp://example.com' }, /baseUrl/],
    [{ timeout: 0 }, /timeout/],
    [{ timeout: Number.NaN }, /timeout/],
    [{ maxRetries: -1 }, /maxRetries/],
    [{ maxRetries: 1.5 }, /maxRetries/],
    [{ retryDelay: -1 }, /retryDelay/],
    [{ maxRetryAfter: Number.POSITIVE_INFINITY }, /maxRetryAfter/],
    [{ scimToken: '' }, /scimToken/],
  ])('rejects %o with a config error', (options, message) => {
    expect(() => new Grantex({ apiKey: 'k', ...options })).toThrow(GrantexConfigError);
    expect(() => new Grantex({ apiKey: 'k', ...options })).toThrow(message);
  });

  it('rejects a bad per-call timeout', () => {
    const client = new Grantex({ apiKey: 'k' });
    expect(() => client.agents.list({ timeout: -1 })).toThrow(GrantexConfigError);
  });

  it('defaults to the hosted API', async () => {
    const seen: string[] = [];
    const client = new Grantex({
      apiKey: 'k',
      fetch: async (input) => {
        seen.push(String(input instanceof Request ? input.url : input));
        return new Response('{"status":"healthy"}', { headers: { 'content-type': 'application/json' } });
      },
    });
    await client.health();
    expect(seen).toEqual(['https://api.grantex.dev/health']);
  });

  it('VERSION matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});

describe('results', () => {
  it('resolve to the data; withResponse adds the response and rate limits', async () => {
    const { url } = await serve(() => ({
      status: 200,
      headers: { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '9' },
      body: agent,
    }));
    const client = new Grantex({ apiKey: 'k', baseUrl: url });
    await expect(client.agents.get(agent.agentId)).resolves.toEqual(agent);
    const { data, response, rateLimit } = await client.agents.get(agent.agentId).withResponse();
    expect(data).toEqual(agent);
    expect(response.status).toBe(200);
    // The transport read the body, but it can be read again from the response.
    await expect(response.json()).resolves.toEqual(agent);
    expect(rateLimit).toEqual({ limit: 10, remaining: 9, reset: undefined });
  });

  it('a 204 resolves to undefined', async () => {
    const { url } = await serve(() => ({ status: 204 }));
    await expect(new Grantex({ apiKey: 'k', baseUrl: url }).agents.delete(agent.agentId)).resolves.toBeUndefined();
  });

  it('behave like promises: then, catch, finally', async () => {
    const { url } = await serve(() => ({ status: 404, body: { message: 'gone', code: 'NOT_FOUND', requestId: 'r' } }));
    const client = new Grantex({ apiKey: 'k', baseUrl: url });
    const pending = client.agents.get('ag_x');
    expect(pending).toBeInstanceOf(Promise);
    let finished = false;
    const code = await pending
      .then(() => 'resolved')
      .catch((error: { code: string }) => error.code)
      .finally(() => (finished = true));
    expect(code).toBe('NOT_FOUND');
    expect(finished).toBe(true);
  });

  it('authorize sends userId as principalId', async () => {
    const { url, requests } = await serve(() => ({
      status: 201,
      body: { authRequestId: 'areq_1', consentUrl: 'https://x/consent', expiresAt: '2026-11-28T12:52:10.000Z' },
    }));
    const client = new Grantex({ apiKey: 'k', baseUrl: url });
    await client.authorize({ agentId: 'ag_1', userId: 'user_42', scopes: ['calendar:read'] });
    await client.authorize({ agentId: 'ag_1', principalId: 'user_43', scopes: ['calendar:read'], state: 's' });
    expect(requests.map((r) => JSON.parse(r.body) as unknown)).toEqual([
      { agentId: 'ag_1', principalId: 'user_42', scopes: ['calendar:read'] },
      { agentId: 'ag_1', principalId: 'user_43', scopes: ['calendar:read'], state: 's' },
    ]);
  });

  it('Grantex.signup needs no key and sends none, even with GRANTEX_API_KEY set', async () => {
    vi.stubEnv('GRANTEX_API_KEY', 'gx_test_from_env');
    const { url, requests } = await serve(() => ({ status: 201, body: signupResponse }));
    await expect(Grantex.signup({ name: 'Acme', mode: 'sandbox' }, { baseUrl: url })).resolves.toMatchObject({
      apiKey: 'gx_test_new',
    });
    expect(requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('lists', () => {
  it('iterate the items of an unpaginated list', async () => {
    const { url } = await serve(() => ({ status: 200, body: { agents: [agent, { ...agent, agentId: 'ag_2' }] } }));
    const client = new Grantex({ apiKey: 'k', baseUrl: url });
    const ids: string[] = [];
    for await (const item of client.agents.list()) ids.push(item.agentId);
    expect(ids).toEqual([agent.agentId, 'ag_2']);
  });

  it('walk every page of webhook deliveries, keeping the filter and page size', async () => {
    const total = 5;
    const { url, requests } = await serve((request) => {
      const query = new URL(request.url, 'http://x').searchParams;
      const page = Number(query.get('page') ?? 1);
      const pageSize = Number(query.get('pageSize') ?? 20);
      const first = (page - 1) * pageSize;
      const deliveries = Array.from({ length: Math.max(0, Math.min(pageSize, total - first)) }, (_, i) =>
        delivery(`whd_${first + i}`),
      );
      return { status: 200, body: { deliveries, total, page, pageSize } };
    });
    const client = new Grantex({ apiKey: 'k', baseUrl: url });
    const ids: string[] = [];
    for await (const delivery of client.webhooks.listDeliveries('wh_1', { pageSize: 2, status: 'failed' }))
      ids.push(delivery.id);
    expect(ids).toEqual(['whd_0', 'whd_1', 'whd_2', 'whd_3', 'whd_4']);
    expect(requests.map((r) => r.url)).toEqual([
      '/v1/webhooks/wh_1/deliveries?pageSize=2&status=failed',
      '/v1/webhooks/wh_1/deliveries?pageSize=2&status=failed&page=2',
      '/v1/webhooks/wh_1/deliveries?pageSize=2&status=failed&page=3',
    ]);
    // Awaiting gives just the first page.
    const first = await client.webhooks.listDeliveries('wh_1', { pageSize: 2 });
    expect(first.deliveries).toHaveLength(2);
  });

  it('walk SCIM users by startIndex with the SCIM token', async () => {
    const total = 3;
    const { url, requests } = await serve((request) => {
      const start = Number(new URL(request.url, 'http://x').searchParams.get('startIndex') ?? 1);
      const Resources = start <= total ? [scimUser(`scimuser_${start}`, `u${start}`)] : [];
      return { status: 200, body: { schemas: [], totalResults: total, startIndex: start, itemsPerPage: 1, Resources } };
    });
    const client = new Grantex({ apiKey: 'gx_key', baseUrl: url, scimToken: 'scim_abc' });
    const names: string[] = [];
    for await (const user of client.scim.listUsers({ count: 1 })) names.push(user.userName);
    expect(names).toEqual(['u1', 'u2', 'u3']);
    expect(requests).toHaveLength(3);
    for (const request of requests) expect(request.headers.authorization).toBe('Bearer scim_abc');
  });

  it('stop at an empty page even if the total promises more', async () => {
    const { url, requests } = await serve(() => ({
      status: 200,
      body: { deliveries: [], total: 100, page: 1, pageSize: 20 },
    }));
    const client = new Grantex({ apiKey: 'k', baseUrl: url });
    const items: unknown[] = [];
    for await (const delivery of client.webhooks.listDeliveries('wh_1')) items.push(delivery);
    expect(items).toEqual([]);
    expect(requests).toHaveLength(1);
  });
});

describe('SCIM tokens', () => {
  it('SCIM 2.0 calls without a SCIM token fail with a config error before sending', async () => {
    const { url, requests } = await serve(() => ({ status: 200, body: {} }));
    const client = new Grantex({ apiKey: 'gx_key', baseUrl: url });
    await expect(client.scim.getUser('scimuser_1')).rejects.toBeInstanceOf(GrantexConfigError);
    expect(requests).toHaveLength(0);
  });

  it('withToken binds a token; token management still uses the API key', async () => {
    const { url, requests } = await serve((request) =>
      request.url.startsWith('/scim/v2')
        ? { status: 200, body: scimUser('scimuser_1', 'u1') }
        : { status: 200, body: { tokens: [] } },
    );
    const client = new Grantex({ apiKey: 'gx_key', baseUrl: url });
    await client.scim.withToken('scim_new').getUser('scimuser_1');
    await client.scim.listTokens();
    expect(requests.map((r) => r.headers.authorization)).toEqual(['Bearer scim_new', 'Bearer gx_key']);
    expect(() => client.scim.withToken(' ')).toThrow(GrantexConfigError);
  });
});

describe('lifecycle and escape hatch', () => {
  it('await using closes the client at the end of the scope', async () => {
    const { url } = await serve(() => ({ status: 200, body: { status: 'healthy' } }));
    let escaped: Grantex | undefined;
    {
      await using client = new Grantex({ apiKey: 'k', baseUrl: url });
      await expect(client.health()).resolves.toEqual({ status: 'healthy' });
      escaped = client;
    }
    await expect(escaped.health()).rejects.toBeInstanceOf(GrantexAbortError);
  });

  it('client.api is the typed openapi-fetch client under the same policy', async () => {
    const { url, requests } = await serve((_request, index) =>
      index === 0 ? { status: 503, body: { message: 'x', code: 'X', requestId: 'r' } } : { status: 200, body: agent },
    );
    const client = new Grantex({ apiKey: 'gx_key', baseUrl: url, retryDelay: 0.001 });
    const { data, error } = await client.api.GET('/v1/agents/{agentId}', {
      params: { path: { agentId: agent.agentId } },
    });
    expect(error).toBeUndefined();
    expect(data?.agentId).toBe(agent.agentId);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.headers.authorization).toBe('Bearer gx_key');
  });
});

describe('path serializer', () => {
  it('matches openapi-fetch on the spec paths', async () => {
    const { defaultPathSerializer } = await import('openapi-fetch');
    const { createPathSerializer } = await import('../../src/internal/path.js');
    const serialize = createPathSerializer();
    const cases: [string, Record<string, unknown>][] = [
      ['http://x/v1/agents/{agentId}', { agentId: 'ag_1' }],
      ['http://x/v1/agents/{agentId}', { agentId: 'a/b?c#d e%' }],
      ['http://x/v1/consent/{authRequestId}/approve', { authRequestId: 'areq_ü' }],
      ['http://x/v1/agents', {}],
    ];
    for (const [template, params] of cases) {
      expect(serialize(template, params)).toBe(defaultPathSerializer(template, params));
      expect(serialize(template, params)).toBe(defaultPathSerializer(template, params)); // from the cache
    }
  });
});
