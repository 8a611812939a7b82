// The SDK end to end for the operations groups, against the reference server,
// or against any server given in GRANTEX_E2E_BASE_URL (a loopback URL; a
// sandbox developer is signed up there): budgets, usage, vault (the exchange
// with a grant token), anomaly alerts/rules/channels, policy sync, SSO
// connections, DPDP, MCP registry, and the event stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../conformance/reference/server.js';
import { Grantex, GrantexApiError } from '../../src/index.js';

const external = process.env['GRANTEX_E2E_BASE_URL'];
if (external !== undefined && !/^http:\/\/127\.0\.0\.1:\d+$/.test(external)) throw new Error('loopback URLs only');

let server: ReferenceServer | undefined;
let client: Grantex;
let baseUrl: string;
let grant: { grantId: string; grantToken: string; principalId: string };

beforeAll(async () => {
  if (external === undefined) server = await startReferenceServer({ validateResponses: true });
  baseUrl = external ?? server!.url;
  const { apiKey } = await Grantex.signup({ name: 'sdk operations e2e', mode: 'sandbox' }, { baseUrl });
  client = new Grantex({ apiKey, baseUrl, logLevel: 'off' });
  const agent = await client.agents.create({ name: 'ops e2e', scopes: ['calendar:read', 'github:read'] });
  const principalId = `user_e2e_${Date.now()}`;
  const auth = await client.authorize({
    agentId: agent.agentId,
    userId: principalId,
    scopes: ['calendar:read', 'github:read'],
  });
  const token = await client.tokens.exchange({ code: (auth as { code: string }).code, agentId: agent.agentId });
  grant = { grantId: token.grantId, grantToken: token.grantToken, principalId };
}, 60_000);

afterAll(async () => {
  await client?.close();
  if (server !== undefined) {
    expect(server.violations).toEqual([]);
    await server.close();
  }
});

describe('operations groups through the SDK', () => {
  it('budgets: allocate, debit, balance, transactions, allocations; an uncovered debit is 402', async () => {
    await client.budgets.allocate({ grantId: grant.grantId, initialBudget: 10 });
    const debit = await client.budgets.debit({ grantId: grant.grantId, amount: 2.5 });
    expect(Number(debit.remaining)).toBe(7.5);
    await expect(client.budgets.debit({ grantId: grant.grantId, amount: 100 })).rejects.toMatchObject({
      statusCode: 402,
    });
    expect(Number((await client.budgets.balance(grant.grantId)).remainingBudget)).toBe(7.5);
    const ids: string[] = [];
    for await (const t of client.budgets.transactions(grant.grantId, { pageSize: 1 })) ids.push(t.id);
    expect(ids).toEqual([debit.transactionId]);
    expect((await client.budgets.allocations()).allocations.map((a) => a.grantId)).toContain(grant.grantId);
  });

  it('usage: current and history', async () => {
    const usage = await client.usage.current();
    expect(usage.totalRequests).toBe(usage.tokenExchanges + usage.authorizations + usage.verifications);
    expect((await client.usage.history({ days: 7 })).days).toBe(7);
  });

  it('vault: store, list, get, exchange with the grant token, delete', async () => {
    const stored = await client.vault.store({
      principalId: grant.principalId,
      service: 'github',
      accessToken: 'gho_e2e_secret',
    });
    expect(JSON.stringify(stored)).not.toContain('gho_e2e_secret');
    expect((await client.vault.list({ principalId: grant.principalId })).credentials.map((c) => c.id)).toEqual([
      stored.id,
    ]);
    expect((await client.vault.get(stored.id)).service).toBe('github');
    const released = await client.vault.exchange(grant.grantToken, { service: 'github' });
    expect(released.accessToken).toBe('gho_e2e_secret');
    await expect(client.vault.exchange(grant.grantToken, { service: 'slack' })).rejects.toMatchObject({
      statusCode: 403,
    });
    await client.vault.delete(stored.id);
    await expect(client.vault.get(stored.id)).rejects.toBeInstanceOf(GrantexApiError);
  });

  it('anomaly operations: alerts, metrics, rules and channels', async () => {
    await client.anomalies.detect();
    const { data } = await client.anomalies.alerts();
    if (data[0] !== undefined) {
      expect((await client.anomalies.acknowledgeAlert(data[0].alertId, { note: 'seen' })).status).toBe('acknowledged');
      expect((await client.anomalies.resolveAlert(data[0].alertId)).status).toBe('resolved');
    }
    expect((await client.anomalies.metrics({ window: '1h' })).window).toBe('1h');
    const rule = await client.anomalies.createRule({ ruleId: 'e2e', name: 'E2E', condition: { threshold: 1 } });
    expect((await client.anomalies.rules()).rules.some((r) => r.id === rule.id)).toBe(true);
    await client.anomalies.deleteRule(rule.id);
    const channel = await client.anomalies.createChannel({
      type: 'email',
      name: 'E2E',
      config: { to: 'ops@example.com' },
    });
    expect((await client.anomalies.channels()).channels.map((c) => c.id)).toContain(channel.id);
    await client.anomalies.deleteChannel(channel.id);
  });

  it('policy sync: upload, list, active bundle', async () => {
    const synced = await client.policies.sync({
      format: 'cedar',
      version: '1',
      content: Buffer.from('permit(principal, action, resource);').toString('base64'),
    });
    expect(synced.activated).toBe(true);
    expect((await client.policies.bundles({ format: 'cedar' })).bundles[0]?.id).toBe(synced.bundleId);
    expect((await client.policies.activeBundle({ format: 'cedar' })).id).toBe(synced.bundleId);
  });

  it('enterprise SSO: connections, a failing test as a typed 422, enforcement, sessions', async () => {
    const connection = await client.sso.createConnection({
      name: 'E2E SAML',
      protocol: 'saml',
      idpEntityId: 'https://idp.example/entity',
      idpSsoUrl: 'https://idp.example/sso',
      idpCertificate: 'not-a-certificate',
      spEntityId: 'https://app.example/sp',
      spAcsUrl: 'https://app.example/acs',
    });
    expect((await client.sso.listConnections()).connections.map((c) => c.id)).toContain(connection.id);
    expect((await client.sso.updateConnection(connection.id, { name: 'E2E SAML 2' })).name).toBe('E2E SAML 2');
    await expect(client.sso.testConnection(connection.id)).rejects.toMatchObject({ statusCode: 422 });
    expect((await client.sso.enforce({ enforce: false })).enforce).toBe(false);
    expect(Array.isArray((await client.sso.listSessions()).sessions)).toBe(true);
    await client.sso.deleteConnection(connection.id);
  });

  it('DPDP: notice, record, grievance, export, withdrawal and erasure', async () => {
    const noticeId = `notice-${Date.now()}`;
    await client.dpdp.createNotice({
      noticeId,
      version: '1',
      title: 'Data use',
      content: 'We plan trips.',
      purposes: [{ code: 'trips', description: 'Plan trips' }],
    });
    const record = await client.dpdp.createRecord({
      grantId: grant.grantId,
      dataPrincipalId: grant.principalId,
      purposes: [{ code: 'trips', description: 'Plan trips' }],
      consentNoticeId: noticeId,
      processingExpiresAt: '2030-01-01T00:00:00.000Z',
    });
    expect((await client.dpdp.getRecord(record.recordId)).status).toBe('active');
    expect((await client.dpdp.listRecords({ dataPrincipalId: grant.principalId })).totalRecords).toBe(1);
    expect((await client.dpdp.principalRecords(grant.principalId)).records).toHaveLength(1);
    const grievance = await client.dpdp.fileGrievance({
      dataPrincipalId: grant.principalId,
      type: 'access-request',
      description: 'Show me',
    });
    expect((await client.dpdp.getGrievance(grievance.grievanceId)).grievanceId).toBe(grievance.grievanceId);
    const exported = await client.dpdp.createExport({
      type: 'dpdp-audit',
      dateFrom: '2026-01-01T00:00:00.000Z',
      dateTo: '2030-01-01T00:00:00.000Z',
    });
    expect((await client.dpdp.getExport(exported.exportId)).exportId).toBe(exported.exportId);
    expect((await client.dpdp.withdraw(record.recordId, { reason: 'done' })).status).toBe('withdrawn');
    expect((await client.dpdp.erase(grant.principalId)).recordsErased).toBe(1);
  });

  it('MCP registry: register, list (paged by cursor), get, certification', async () => {
    const listed = await client.mcp.register({
      name: `E2E MCP ${Date.now()}`,
      category: 'data',
      scopes: ['files:read'],
    });
    const page = await client.mcp.list({ limit: 1 });
    expect(page.data).toHaveLength(1);
    expect((await client.mcp.get(listed.serverId)).serverId).toBe(listed.serverId);
    const applied = await client.mcp.applyCertification({ serverId: listed.serverId, requestedLevel: 'bronze' });
    expect((await client.mcp.certification(applied.certificationId)).status).toBe('pending_conformance_test');
  });

  it('events: the stream yields the event of a credential stored while it is open, then closes on break', async () => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 15_000);
    const types: string[] = [];
    const reading = (async () => {
      for await (const event of client.events.stream({ types: ['vault.credential.stored'], signal: abort.signal })) {
        types.push(event.type);
        break;
      }
    })();
    await new Promise((r) => setTimeout(r, 1_000));
    await client.vault.store({ principalId: grant.principalId, service: 'gitlab', accessToken: 'glpat_e2e' });
    await reading;
    clearTimeout(timer);
    expect(types).toEqual(['vault.credential.stored']);
  });
});
