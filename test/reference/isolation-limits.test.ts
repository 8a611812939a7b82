// Tenant isolation, authentication and rate limits on the reference server.
import { describe, expect, it } from 'vitest';
import { start, type Api, type Res } from './helpers.js';

describe('reference server: tenant isolation', () => {
  it("one developer can neither see nor touch another's agents, grants, tokens, audit or policies", async () => {
    const api = await start();
    const a = await api.developer('sandbox', 'a');
    const b = await api.developer('sandbox', 'b');
    const agentId = await api.agent(a.key);
    const grant = await api.grant(a.key, agentId);
    const policy = await api.post('/v1/policies', { name: 'p', effect: 'allow' }, a.key);
    const jti = JSON.parse(Buffer.from(grant.grantToken.split('.')[1] ?? '', 'base64url').toString()).jti;

    expect((await api.get(`/v1/agents/${agentId}`, b.key)).status).toBe(404);
    expect((await api.patch(`/v1/agents/${agentId}`, { name: 'x' }, b.key)).status).toBe(404);
    expect((await api.delete(`/v1/agents/${agentId}`, b.key)).status).toBe(404);
    expect((await api.get('/v1/agents', b.key)).body.agents).toEqual([]);
    expect((await api.get(`/v1/grants/${grant.grantId}`, b.key)).status).toBe(404);
    expect((await api.delete(`/v1/grants/${grant.grantId}`, b.key)).status).toBe(404);
    expect((await api.get('/v1/grants', b.key)).body.grants).toEqual([]);
    expect((await api.post('/v1/tokens/revoke', { jti }, b.key)).status).toBe(404);
    expect((await api.get(`/v1/policies/${policy.body.id}`, b.key)).status).toBe(404);
    expect((await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a'] }, b.key)).status).toBe(404);
    expect(await api.verify(a.key, grant.grantToken)).toBe(true);
  });

  it('deleting an agent removes its grants, so its tokens stop verifying', async () => {
    const api = await start();
    const { key } = await api.developer();
    const agentId = await api.agent(key);
    const grant = await api.grant(key, agentId);
    expect((await api.delete(`/v1/agents/${agentId}`, key)).status).toBe(204);
    expect(await api.verify(key, grant.grantToken)).toBe(false);
    expect((await api.get(`/v1/grants/${grant.grantId}`, key)).status).toBe(404);
  });
});

describe('reference server: rate limits', () => {
  /** A 429 in the error shape, with Retry-After and the refused bucket's x-ratelimit-* headers. */
  function expectRefused(res: Res, code: string, limit: number): void {
    expect(res).toMatchObject({
      status: 429,
      body: { code, message: expect.any(String), requestId: expect.any(String) },
    });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('x-ratelimit-limit')).toBe(String(limit));
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
  }

  /** Public routes and a fresh developer from the same address still work. */
  async function expectOthersUntouched(api: Api, otherKey: string): Promise<void> {
    expect((await api.get('/health')).status).toBe(200);
    expect((await api.get('/v1/agents', otherKey)).status).toBe(200);
    expect((await api.post('/v1/signup', { name: 'late', mode: 'sandbox' })).status).toBe(201);
  }

  it('default: a developer over its quota gets 429, and nothing changes for other developers or public routes', async () => {
    const api = await start({ rateLimits: { default: 3, public: 2 } });
    const a = await api.developer('sandbox', 'a');
    const b = await api.developer('sandbox', 'b');
    const first = await api.get('/v1/agents', a.key);
    expect(first.headers.get('x-ratelimit-limit')).toBe('3');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('2');
    await api.get('/v1/agents', a.key);
    await api.get('/v1/agents', a.key);
    for (let i = 0; i < 5; i++) expectRefused(await api.get('/v1/agents', a.key), 'RATE_LIMIT_EXCEEDED', 3);
    await expectOthersUntouched(api, b.key);
    // B's budget is whole: its first call leaves 2 of 3.
    expect(
      (await api.get('/v1/agents', (await api.developer('sandbox', 'c')).key)).headers.get('x-ratelimit-remaining'),
    ).toBe('2');
  });

  it("authorize: counted per developer; once spent, the developer's other calls still go through", async () => {
    const api = await start({ rateLimits: { authorize: 2, public: 2 } });
    const a = await api.developer('sandbox', 'a');
    const b = await api.developer('sandbox', 'b');
    const agentA = await api.agent(a.key);
    const agentB = await api.agent(b.key);
    const ask = (key: string, agentId: string) =>
      api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['calendar:read'] }, key);
    const first = await ask(a.key, agentA);
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    expect((await ask(a.key, agentA)).status).toBe(201);
    expectRefused(await ask(a.key, agentA), 'RATE_LIMITED', 2);
    expect((await api.get('/v1/agents', a.key)).status).toBe(200);
    expect((await ask(b.key, agentB)).status).toBe(201);
    await expectOthersUntouched(api, b.key);
  });

  it('token: exchange and refresh share a budget per address; the developer and public routes keep theirs', async () => {
    let now = 1_800_000_000_000;
    const api = await start({ rateLimits: { token: 1, public: 2 }, now: () => now });
    const { key } = await api.developer();
    const other = await api.developer('sandbox', 'other');
    const agentId = await api.agent(key);
    const t = await api.grant(key, agentId);
    const refresh = (refreshToken: string) => api.post('/v1/token/refresh', { refreshToken, agentId }, key);
    const refused = await refresh(t.refreshToken);
    expectRefused(refused, 'RATE_LIMIT_EXCEEDED', 1);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect((await api.get('/v1/agents', key)).status).toBe(200);
    await expectOthersUntouched(api, other.key);
    now += 60_000;
    expect((await refresh(t.refreshToken)).status).toBe(201);
  });

  it('signup: counted per address on its own; public routes and developers keep their budgets', async () => {
    const api = await start({ rateLimits: { signup: 2, public: 4 } });
    const a = await api.developer('sandbox', 'a');
    await api.developer('sandbox', 'b');
    for (let i = 0; i < 3; i++)
      expectRefused(await api.post('/v1/signup', { name: 'c', mode: 'sandbox' }), 'RATE_LIMIT_EXCEEDED', 2);
    // Signups spent nothing of the public bucket: /health has all 4 left.
    const health = await api.get('/health');
    expect(health.status).toBe(200);
    expect(health.headers.get('x-ratelimit-remaining')).toBe('3');
    expect((await api.get('/v1/agents', a.key)).status).toBe(200);
  });

  it('public: counted per address for public calls and unknown keys; signups and developers keep theirs', async () => {
    const api = await start({ rateLimits: { public: 3 } });
    const a = await api.developer('sandbox', 'a');
    expect((await api.get('/health')).status).toBe(200);
    expect((await api.get('/v1/agents', 'gx_test_unknown')).status).toBe(401);
    expect((await api.get('/health')).status).toBe(200);
    expectRefused(await api.get('/health'), 'RATE_LIMIT_EXCEEDED', 3);
    expect((await api.get('/v1/agents', a.key)).status).toBe(200);
    expect((await api.post('/v1/signup', { name: 'b', mode: 'sandbox' })).status).toBe(201);
    // The JWKS is never limited.
    expect((await api.get('/.well-known/jwks.json')).status).toBe(200);
  });

  it('a refused request is counted in no bucket', async () => {
    let now = 1_800_000_000_000;
    const api = await start({ rateLimits: { default: { limit: 3, windowMs: 10_000 }, authorize: 10 }, now: () => now });
    const { key } = await api.developer();
    const agentId = await api.agent(key); // default 1
    const ask = () => api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['calendar:read'] }, key);
    expect((await ask()).headers.get('x-ratelimit-remaining')).toBe('9'); // default 2, authorize 1
    expect((await api.get('/v1/agents', key)).status).toBe(200); // default 3
    for (let i = 0; i < 4; i++) expectRefused(await ask(), 'RATE_LIMIT_EXCEEDED', 3);
    now += 10_000; // the developer's window resets; authorize's does not
    expect((await ask()).headers.get('x-ratelimit-remaining')).toBe('8');
  });
});
