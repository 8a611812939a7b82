// The audit chain, anomalies, compliance exports and webhook deliveries of the
// reference server; integrity values are checked with the independent oracles.
import { describe, expect, it } from 'vitest';
import { start, type Api } from './helpers.js';
import { oracleAuditHash, oracleWebhookSignatures } from './oracle.js';
import { startReceiver } from './receiver.js';

const entry = (agentId: string, extra: Record<string, unknown> = {}) => ({
  agentId,
  agentDid: `did:grantex:${agentId}`,
  grantId: 'grnt_01EXAMPLE',
  principalId: 'user_alice',
  action: 'email.send',
  ...extra,
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('reference server: audit trail', () => {
  it('chains entries per developer with hashes that recompute, and never mixes tenants', async () => {
    const api = await start();
    const a = await api.developer();
    const b = await api.developer();
    const first = await api.post(
      '/v1/audit/log',
      entry('ag_1', { metadata: { to: 'bob@example.com', b: 2, a: 1 } }),
      a.key,
    );
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ prevHash: null, status: 'success', developerId: a.id });
    expect(Object.keys(first.body.metadata)).toEqual(['a', 'b', 'to']);
    const other = await api.post('/v1/audit/log', entry('ag_2'), b.key);
    expect(other.body.prevHash).toBeNull();
    const second = await api.post(
      '/v1/audit/log',
      entry('ag_1', { action: 'calendar.read', status: 'failure' }),
      a.key,
    );
    expect(second.body.prevHash).toBe(first.body.hash);
    for (const e of [first.body, second.body, other.body]) expect(e.hash).toBe(oracleAuditHash(e));

    const all = await api.get('/v1/audit/entries', a.key);
    expect(all.body.entries.map((e: { entryId: string }) => e.entryId)).toEqual([
      first.body.entryId,
      second.body.entryId,
    ]);
    expect((await api.get('/v1/audit/entries?action=calendar.read', a.key)).body.entries).toHaveLength(1);
    expect((await api.get(`/v1/audit/${first.body.entryId}`, a.key)).body).toEqual(first.body);
    expect((await api.get(`/v1/audit/${first.body.entryId}`, b.key)).status).toBe(404);
    expect((await api.post('/v1/audit/log', { agentId: 'ag_1', action: 'x' }, a.key)).status).toBe(400);
    expect((await api.post('/v1/audit/log', entry('ag_1', { status: 'ok' }), a.key)).status).toBe(400);
  });
});

describe('reference server: anomalies and compliance', () => {
  it('detects the four kinds of anomaly and revokes grants on high severity', async () => {
    let now = Date.parse('2026-11-28T23:00:00Z');
    const api = await start({ now: () => now });
    const { key } = await api.developer();
    const busy = await api.agent(key);
    const flaky = await api.agent(key);
    const busyGrant = await api.grant(key, busy);
    for (let i = 0; i < 51; i++) await api.post('/v1/audit/log', entry(busy), key);
    for (let i = 0; i < 5; i++)
      await api.post('/v1/audit/log', entry(flaky, { status: i < 2 ? 'failure' : 'success' }), key);
    now += 1000;
    const found = await api.post('/v1/anomalies/detect', undefined, key);
    expect(found.status).toBe(200);
    const types = found.body.anomalies
      .map((a: { type: string; agentId: string }) => `${a.type}:${a.agentId === busy ? 'busy' : 'flaky'}`)
      .sort();
    expect(types).toEqual([
      'high_failure_rate:flaky',
      'new_principal:busy',
      'off_hours_activity:busy',
      'rate_spike:busy',
    ]);
    expect(found.body.autoRevokedGrants).toBe(1);
    expect(await api.verify(key, busyGrant.grantToken)).toBe(false);

    const spike = found.body.anomalies.find((a: { type: string }) => a.type === 'rate_spike');
    const acked = await api.patch(`/v1/anomalies/${spike.id}/acknowledge`, undefined, key);
    expect(acked.body.acknowledgedAt).toEqual(expect.any(String));
    expect((await api.get('/v1/anomalies?unacknowledged=true', key)).body.total).toBe(3);
    await api.post('/v1/anomalies/detect', undefined, key);
    // A new run replaces the unacknowledged findings and keeps the acknowledged one.
    expect(
      (await api.get('/v1/anomalies', key)).body.anomalies.filter((a: { id: string }) => a.id === spike.id),
    ).toHaveLength(1);
    expect((await api.patch('/v1/anomalies/anm_01UNKNOWN/acknowledge', undefined, key)).status).toBe(404);
  });

  it('summaries, exports and the evidence pack are computed from the state', async () => {
    const api = await start();
    const { key } = await api.developer();
    const agentId = await api.agent(key);
    const kept = await api.grant(key, agentId);
    const revoked = await api.grant(key, agentId);
    await api.delete(`/v1/grants/${revoked.grantId}`, key);
    await api.post('/v1/audit/log', entry(agentId), key);
    await api.post('/v1/audit/log', entry(agentId, { status: 'blocked' }), key);
    await api.post('/v1/policies', { name: 'p', effect: 'allow' }, key);

    const summary = await api.get('/v1/compliance/summary', key);
    expect(summary.body).toMatchObject({
      agents: { total: 1, active: 1, suspended: 0, revoked: 0 },
      grants: { total: 2, active: 1, revoked: 1, expired: 0 },
      auditEntries: { total: 2, success: 1, failure: 0, blocked: 1 },
      policies: { total: 1 },
      plan: 'free',
    });
    const grants = await api.get('/v1/compliance/export/grants?status=revoked', key);
    expect(grants.body.grants.map((g: { grantId: string }) => g.grantId)).toEqual([revoked.grantId]);
    expect((await api.get('/v1/compliance/export/audit?status=blocked', key)).body.total).toBe(1);
    const future = await api.get('/v1/compliance/summary?since=2999-01-01T00:00:00Z', key);
    expect(future.body.grants.total).toBe(0);
    const pack = await api.get('/v1/compliance/evidence-pack?framework=soc2', key);
    expect(pack.body.meta.framework).toBe('soc2');
    expect(pack.body.grants.map((g: { grantId: string }) => g.grantId)).toEqual([revoked.grantId, kept.grantId]);
    expect(pack.body.chainIntegrity).toEqual({ valid: true, checkedEntries: 2, firstBrokenAt: null, reason: null });
  });

  it('the evidence pack reports a broken chain', async () => {
    const api = await start({ faults: ['audit-chain-broken'] });
    const { key } = await api.developer();
    await api.post('/v1/audit/log', entry('ag_1'), key);
    const second = await api.post('/v1/audit/log', entry('ag_1'), key);
    const pack = await api.get('/v1/compliance/evidence-pack', key);
    expect(pack.body.chainIntegrity).toMatchObject({
      valid: false,
      firstBrokenAt: second.body.entryId,
      reason: 'link',
    });
  });
});

async function hooked(api: Api, receiverUrl: string, events = ['grant.created', 'token.issued', 'grant.revoked']) {
  const { key } = await api.developer();
  const hook = await api.post('/v1/webhooks', { url: receiverUrl, events }, key);
  expect(hook.status).toBe(201);
  return { key, hook: hook.body as { id: string; secret: string } };
}

describe('reference server: webhooks', () => {
  it('registers endpoints and refuses bad URLs and events', async () => {
    const api = await start();
    const { key } = await api.developer();
    expect(
      (await api.post('/v1/webhooks', { url: 'ftp://127.0.0.1/hook', events: ['grant.created'] }, key)).status,
    ).toBe(400);
    expect(
      (await api.post('/v1/webhooks', { url: 'http://127.0.0.1/hook', events: ['grant.exploded'] }, key)).status,
    ).toBe(400);
    const created = await api.post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['grant.created'] }, key);
    expect(created.body.secret).toMatch(/^[0-9a-f]{48}$/);
    const listed = await api.get('/v1/webhooks', key);
    expect(listed.body.webhooks).toEqual([
      {
        id: created.body.id,
        url: 'http://127.0.0.1:9/hook',
        events: ['grant.created'],
        createdAt: created.body.createdAt,
      },
    ]);
    expect((await api.delete(`/v1/webhooks/${created.body.id}`, key)).status).toBe(204);
    expect((await api.delete(`/v1/webhooks/${created.body.id}`, key)).status).toBe(404);
  });

  it('delivers signed events with both signature headers and the documented bodies', async () => {
    const api = await start();
    const receiver = await startReceiver();
    const { key, hook } = await hooked(api, receiver.url);
    const agentId = await api.agent(key);
    const grant = await api.grant(key, agentId);
    await api.delete(`/v1/grants/${grant.grantId}`, key);
    const received = await receiver.waitFor(3);
    const byType = Object.fromEntries(received.map((r) => [JSON.parse(r.body).type, r]));
    expect(Object.keys(byType).sort()).toEqual(['grant.created', 'grant.revoked', 'token.issued']);
    for (const r of received) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toBe('Grantex-Webhooks/0.1');
      const ts = String(r.headers['x-grantex-timestamp']);
      expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
      const sig = oracleWebhookSignatures(hook.secret, ts, r.body);
      expect(r.headers['x-grantex-signature']).toBe(sig.legacy);
      expect(r.headers['x-grantex-signature-v2']).toBe(sig.v2);
    }
    expect(JSON.parse(byType['grant.revoked']?.body ?? '{}').data).toEqual({ grantId: grant.grantId, cascade: false });
    expect(JSON.parse(byType['token.issued']?.body ?? '{}').data).toMatchObject({
      grantId: grant.grantId,
      tokenId: expect.stringMatching(/^tok_/),
    });
  });

  it('retries failed deliveries after the configured delays, then gives up', async () => {
    const api = await start({ webhookRetryDelaysMs: [10, 10] });
    const flaky = await startReceiver({ failures: 1 });
    const dead = await startReceiver({ failures: 99 });
    const a = await hooked(api, flaky.url, ['grant.created']);
    const b = await hooked(api, dead.url, ['grant.created']);
    await api.grant(a.key, await api.agent(a.key));
    await api.grant(b.key, await api.agent(b.key));
    await flaky.waitFor(2);
    await dead.waitFor(3);
    const deliveries = async (key: string, id: string) =>
      (await api.get(`/v1/webhooks/${id}/deliveries`, key)).body.deliveries[0];
    await waitUntil(async () => (await deliveries(a.key, a.hook.id))?.status === 'delivered');
    await waitUntil(async () => (await deliveries(b.key, b.hook.id))?.status === 'failed');
    expect(await deliveries(a.key, a.hook.id)).toMatchObject({ attempts: 2, maxAttempts: 3, lastError: null });
    expect(await deliveries(b.key, b.hook.id)).toMatchObject({
      attempts: 3,
      maxAttempts: 3,
      lastError: 'HTTP 500',
      deliveredAt: null,
    });
    expect(dead.received).toHaveLength(3);
    for (const r of dead.received) {
      const sig = oracleWebhookSignatures(b.hook.secret, String(r.headers['x-grantex-timestamp']), r.body);
      expect(r.headers['x-grantex-signature-v2']).toBe(sig.v2);
    }
    const filtered = await api.get(`/v1/webhooks/${b.hook.id}/deliveries?status=delivered&page=1&pageSize=500`, b.key);
    expect(filtered.body).toMatchObject({ deliveries: [], total: 0, page: 1, pageSize: 100 });
    expect((await api.get(`/v1/webhooks/${b.hook.id}/deliveries?status=bogus`, b.key)).status).toBe(400);
  });
});
