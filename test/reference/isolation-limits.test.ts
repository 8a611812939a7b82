// Tenant isolation, authentication and rate limits on the reference server.
import { describe, expect, it } from 'vitest';
import { start } from './helpers.js';

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
  it('reports x-ratelimit-* and answers 429 with Retry-After once a bucket is spent', async () => {
    const api = await start({ rateLimits: { authorize: 2, default: 5 } });
    const { key } = await api.developer();
    const agentId = await api.agent(key);
    const ask = () => api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a'] }, key);
    const first = await ask();
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    expect((await ask()).status).toBe(201);
    const refused = await ask();
    expect(refused).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The per-developer budget (5) is spent by now too: agents + 3 authorize calls + this one.
    await api.get('/v1/agents', key);
    const plan = await api.get('/v1/agents', key);
    expect(plan).toMatchObject({ status: 429, body: { code: 'RATE_LIMIT_EXCEEDED' } });
    const other = await api.developer();
    expect((await api.get('/v1/agents', other.key)).status).toBe(200);
  });

  it('windows reset with the clock', async () => {
    let now = 1_800_000_000_000;
    const api = await start({ rateLimits: { token: 1 }, now: () => now });
    const { key } = await api.developer();
    const agentId = await api.agent(key);
    const t = await api.grant(key, agentId);
    const refresh = (refreshToken: string) => api.post('/v1/token/refresh', { refreshToken, agentId }, key);
    const refused = await refresh(t.refreshToken);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    now += 60_000;
    expect((await refresh(t.refreshToken)).status).toBe(201);
  });
});
