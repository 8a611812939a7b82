// Delegation rules (SPEC §9) and cascading revocation (SPEC §9.2) on the reference server.
import { describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../conformance/reference/server.js';
import { claimsOf, start, type Api } from './helpers.js';

async function chain(api: Api, key: string, hops: number) {
  const agents = [await api.agent(key)];
  for (let i = 0; i < hops; i++) agents.push(await api.agent(key, ['calendar:read'], `sub-${i}`));
  const root = await api.grant(key, agents[0] as string, ['calendar:read', 'email:send']);
  const tokens = [root];
  for (let i = 1; i <= hops; i++) {
    const res = await api.post(
      '/v1/grants/delegate',
      { parentGrantToken: tokens[i - 1]?.grantToken, subAgentId: agents[i], scopes: ['calendar:read'] },
      key,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    tokens.push(res.body);
  }
  return { agents, tokens };
}

describe('reference server: delegation', () => {
  it('refuses scopes outside the parent, foreign or unknown sub-agents, and revoked parents', async () => {
    const api = await start();
    const { key } = await api.developer();
    const other = await api.developer();
    const agentId = await api.agent(key);
    const sub = await api.agent(key);
    const foreign = await api.agent(other.key);
    const parent = await api.grant(key, agentId, ['calendar:read']);
    const ask = (body: Record<string, unknown>, k = key) =>
      api.post(
        '/v1/grants/delegate',
        { parentGrantToken: parent.grantToken, subAgentId: sub, scopes: ['calendar:read'], ...body },
        k,
      );

    expect(await ask({ scopes: ['calendar:read', 'files:read'] })).toMatchObject({
      status: 400,
      body: { message: 'Requested scopes exceed parent grant scopes: files:read' },
    });
    expect(await ask({ subAgentId: foreign })).toMatchObject({ status: 404, body: { message: 'Sub-agent not found' } });
    expect(await ask({ subAgentId: 'ag_01UNKNOWN' })).toMatchObject({ status: 404 });
    expect(await ask({ parentGrantToken: 'not.a.jwt' })).toMatchObject({
      status: 400,
      body: { message: 'Invalid parentGrantToken' },
    });
    expect(await ask({}, other.key)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    await api.delete(`/v1/grants/${parent.grantId}`, key);
    expect(await ask({})).toMatchObject({ status: 400, body: { message: 'Parent grant has been revoked' } });
  });

  it('expires at min(parent exp, now + expiresIn)', async () => {
    const api = await start();
    const { key } = await api.developer();
    const agentId = await api.agent(key);
    const sub = await api.agent(key);
    const parent = await api.grant(key, agentId, ['calendar:read'], { expiresIn: '30m' });
    const long = await api.post(
      '/v1/grants/delegate',
      { parentGrantToken: parent.grantToken, subAgentId: sub, scopes: ['calendar:read'], expiresIn: '2h' },
      key,
    );
    expect(claimsOf(long.body.grantToken).exp).toBe(claimsOf(parent.grantToken).exp);
    const short = await api.post(
      '/v1/grants/delegate',
      { parentGrantToken: parent.grantToken, subAgentId: sub, scopes: ['calendar:read'], expiresIn: '5m' },
      key,
    );
    const c = claimsOf(short.body.grantToken);
    expect(c.exp - c.iat).toBe(300);
  });

  it('enforces the depth limit: 3 by default, configurable, never above 10', async () => {
    const api = await start();
    const { key } = await api.developer();
    const { agents, tokens } = await chain(api, key, 3);
    expect(claimsOf(tokens[3]?.grantToken ?? '').delegationDepth).toBe(3);
    const extra = await api.agent(key);
    const fourth = await api.post(
      '/v1/grants/delegate',
      { parentGrantToken: tokens[3]?.grantToken, subAgentId: extra, scopes: ['calendar:read'] },
      key,
    );
    expect(fourth).toMatchObject({ status: 403, body: { code: 'DELEGATION_DEPTH_EXCEEDED' } });
    expect(agents).toHaveLength(4);

    const deep = await start({ maxDelegationDepth: 10 });
    const dev = await deep.developer();
    const ten = await chain(deep, dev.key, 10);
    const last = await deep.agent(dev.key);
    const eleventh = await deep.post(
      '/v1/grants/delegate',
      { parentGrantToken: ten.tokens[10]?.grantToken, subAgentId: last, scopes: ['calendar:read'] },
      dev.key,
    );
    expect(eleventh.status).toBe(403);
    await expect(startReferenceServer({ maxDelegationDepth: 11 })).rejects.toThrow(RangeError);
  });

  it('refreshing a delegated grant keeps its delegation claims', async () => {
    const api = await start();
    const { key } = await api.developer();
    const { agents, tokens } = await chain(api, key, 1);
    const refreshed = await api.post(
      '/v1/token/refresh',
      { refreshToken: tokens[1]?.refreshToken, agentId: agents[1] },
      key,
    );
    expect(refreshed.status).toBe(201);
    expect(claimsOf(refreshed.body.grantToken)).toMatchObject({ parentGrnt: tokens[0]?.grantId, delegationDepth: 1 });
  });

  it('revoking a grant revokes every descendant at any depth, and nothing else', async () => {
    const api = await start();
    const { key } = await api.developer();
    const { tokens } = await chain(api, key, 3);
    const unrelated = await api.grant(key, await api.agent(key));
    // Revoke the middle of the chain: it and everything below it go, the root stays.
    expect((await api.delete(`/v1/grants/${tokens[1]?.grantId}`, key)).status).toBe(204);
    const valid = await Promise.all(tokens.map((t) => api.verify(key, t.grantToken)));
    expect(valid).toEqual([true, false, false, false]);
    expect(await api.verify(key, unrelated.grantToken)).toBe(true);
    for (const t of tokens.slice(1))
      expect((await api.get(`/v1/grants/${t.grantId}`, key)).body.status).toBe('revoked');
    const refresh = await api.post(
      '/v1/token/refresh',
      {
        refreshToken: tokens[3]?.refreshToken,
        agentId: (await api.get(`/v1/grants/${tokens[3]?.grantId}`, key)).body.agentId,
      },
      key,
    );
    expect(refresh.body.message).toBe('Grant has been revoked');
  });
});
