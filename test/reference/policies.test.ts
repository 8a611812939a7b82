// Policies evaluated during POST /v1/authorize on the reference server:
// a matching deny wins whatever the priorities (SPEC.md §11.4), conditions as specified.
import { describe, expect, it } from 'vitest';
import { start } from './helpers.js';

describe('reference server: policies', () => {
  it('CRUD in evaluation order, with null clearing a condition', async () => {
    const api = await start();
    const { key } = await api.developer('live');
    const low = await api.post('/v1/policies', { name: 'low', effect: 'allow', priority: 1 }, key);
    const high = await api.post(
      '/v1/policies',
      {
        name: 'high',
        effect: 'deny',
        priority: 9,
        scopes: ['payments:transfer'],
        timeOfDayStart: '00:00',
        timeOfDayEnd: '23:59',
      },
      key,
    );
    expect(high.status).toBe(201);
    expect(high.body).toMatchObject({ agentId: null, principalId: null, scopes: ['payments:transfer'] });
    const list = await api.get('/v1/policies', key);
    expect(list.body.policies.map((p: { name: string }) => p.name)).toEqual(['high', 'low']);
    expect(list.body.total).toBe(2);
    const patched = await api.patch(`/v1/policies/${high.body.id}`, { scopes: null, priority: 0 }, key);
    expect(patched.body).toMatchObject({ scopes: null, priority: 0, name: 'high' });
    expect((await api.patch(`/v1/policies/${high.body.id}`, { effect: 'maybe' }, key)).status).toBe(400);
    expect((await api.post('/v1/policies', { name: 'x' }, key)).status).toBe(400);
    expect((await api.delete(`/v1/policies/${low.body.id}`, key)).status).toBe(204);
    expect((await api.get(`/v1/policies/${low.body.id}`, key)).status).toBe(404);
  });

  it('allow approves a live request at once; deny refuses with 403 POLICY_DENIED even for sandbox keys', async () => {
    const api = await start();
    const live = await api.developer('live');
    const agentId = await api.agent(live.key);
    await api.post(
      '/v1/policies',
      { name: 'allow cal', effect: 'allow', agentId, scopes: ['calendar:read'] },
      live.key,
    );
    await api.post('/v1/policies', { name: 'deny pay', effect: 'deny', scopes: ['payments:transfer'] }, live.key);
    const allowed = await api.post(
      '/v1/authorize',
      { agentId, principalId: 'carol', scopes: ['calendar:read'] },
      live.key,
    );
    expect(allowed.body).toMatchObject({ policyEnforced: true, effect: 'allow', code: expect.any(String) });
    expect((await api.post('/v1/token', { code: allowed.body.code, agentId }, live.key)).status).toBe(201);
    const denied = await api.post(
      '/v1/authorize',
      { agentId, principalId: 'carol', scopes: ['calendar:read', 'payments:transfer'] },
      live.key,
    );
    expect(denied).toMatchObject({ status: 403, body: { code: 'POLICY_DENIED' } });
    const uncovered = await api.post(
      '/v1/authorize',
      { agentId, principalId: 'carol', scopes: ['calendar:read', 'files:read'] },
      live.key,
    );
    expect(uncovered.body.code).toBeUndefined();

    const sandbox = await api.developer('sandbox');
    const sAgent = await api.agent(sandbox.key);
    await api.post('/v1/policies', { name: 'deny all', effect: 'deny' }, sandbox.key);
    expect(
      (await api.post('/v1/authorize', { agentId: sAgent, principalId: 'p', scopes: ['a'] }, sandbox.key)).status,
    ).toBe(403);
  });

  it('a matching deny wins whatever the priorities; the policy-priority-first fault lets the higher allow win', async () => {
    const api = await start();
    const { key } = await api.developer('live');
    const agentId = await api.agent(key);
    const ask = () => api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['calendar:read'] }, key);
    const allow = await api.post('/v1/policies', { name: 'allow', effect: 'allow', priority: 5 }, key);
    const deny = await api.post('/v1/policies', { name: 'deny', effect: 'deny', priority: 5 }, key);
    expect((await ask()).status).toBe(403);
    await api.patch(`/v1/policies/${allow.body.id}`, { priority: 600 }, key);
    expect((await ask()).status).toBe(403);
    await api.patch(`/v1/policies/${deny.body.id}`, { principalId: 'someone-else', priority: 99 }, key);
    expect((await ask()).body.policyEnforced).toBe(true);

    const faulty = await start({ faults: ['policy-priority-first'] });
    const other = await faulty.developer('live');
    const otherAgent = await faulty.agent(other.key);
    await faulty.post('/v1/policies', { name: 'allow', effect: 'allow', priority: 6 }, other.key);
    await faulty.post('/v1/policies', { name: 'deny', effect: 'deny', priority: 5 }, other.key);
    expect(
      (
        await faulty.post(
          '/v1/authorize',
          { agentId: otherAgent, principalId: 'p', scopes: ['calendar:read'] },
          other.key,
        )
      ).body.policyEnforced,
    ).toBe(true);
  });

  it('honours the UTC time window, wrapping past midnight', async () => {
    const at = (hhmm: string) => Date.parse(`2026-11-28T${hhmm}:00Z`);
    let now = at('23:30');
    const api = await start({ now: () => now });
    const { key } = await api.developer('live');
    const agentId = await api.agent(key);
    await api.post(
      '/v1/policies',
      { name: 'night', effect: 'deny', timeOfDayStart: '22:00', timeOfDayEnd: '06:00' },
      key,
    );
    const ask = () => api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['calendar:read'] }, key);
    expect((await ask()).status).toBe(403);
    now = at('05:59');
    expect((await ask()).status).toBe(403);
    now = at('06:00');
    expect((await ask()).status).toBe(201);
  });
});
