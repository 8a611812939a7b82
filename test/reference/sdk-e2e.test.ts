// End-to-end: the grantex SDK against the stateful reference server.
import { describe, expect, it } from 'vitest';
import { Grantex } from '../../src/client.js';
import { GrantexApiError, GrantexAuthError, GrantexNotFoundError } from '../../src/core/errors.js';
import { generatePkce } from '../../src/integrity/pkce.js';
import { verifyGrantToken } from '../../src/integrity/verify/grant-token.js';
import { start } from './helpers.js';
import { oracleAuditHash, oracleWebhookSignatures } from './oracle.js';
import { startReceiver } from './receiver.js';

async function client(url: string, mode: 'sandbox' | 'live' = 'sandbox'): Promise<Grantex> {
  const account = await Grantex.signup({ name: `sdk-${mode}`, mode }, { baseUrl: url });
  return new Grantex({ apiKey: account.apiKey, baseUrl: url, maxRetries: 0 });
}

describe('SDK end to end against the reference server', () => {
  it('quick start: authorize → exchange → verify offline → revoke → online verify is false', async () => {
    const { url } = await start();
    const grantex = await client(url);
    const agent = await grantex.agents.create({ name: 'Travel assistant', scopes: ['calendar:read', 'email:send'] });
    const pkce = await generatePkce();
    const request = await grantex.authorize({
      agentId: agent.agentId,
      userId: 'user_42',
      scopes: ['calendar:read'],
      expiresIn: '1h',
      codeChallenge: pkce.codeChallenge,
      codeChallengeMethod: 'S256',
    });
    expect(request.code).toEqual(expect.any(String));
    const token = await grantex.tokens.exchange({
      code: request.code ?? '',
      agentId: agent.agentId,
      codeVerifier: pkce.codeVerifier,
    });

    const grant = await verifyGrantToken(token.grantToken, {
      jwksUri: `${url}/.well-known/jwks.json`,
      requiredScopes: ['calendar:read'],
    });
    expect(grant).toMatchObject({
      grantId: token.grantId,
      principalId: 'user_42',
      agentDid: agent.did,
      scopes: ['calendar:read'],
      issuer: url,
    });
    expect(grant.expiresAt - grant.issuedAt).toBe(3600);
    await expect(
      verifyGrantToken(token.grantToken, { jwksUri: `${url}/.well-known/jwks.json`, requiredScopes: ['email:send'] }),
    ).rejects.toThrow();

    expect(await grantex.tokens.verify(token.grantToken)).toMatchObject({ valid: true, grantId: token.grantId });
    await grantex.grants.revoke(token.grantId);
    expect(await grantex.tokens.verify(token.grantToken)).toEqual({ valid: false });
    expect((await grantex.grants.get(token.grantId)).status).toBe('revoked');
    await grantex.close();
  });

  it('live flow: consent approve, refresh rotation, token revoke', async () => {
    const { url } = await start();
    const grantex = await client(url, 'live');
    const agent = await grantex.agents.create({ name: 'Mailer', scopes: ['email:send'] });
    const request = await grantex.authorize({
      agentId: agent.agentId,
      principalId: 'user_7',
      scopes: ['email:send'],
      redirectUri: 'https://app.example/cb',
      state: 'xyz',
    });
    expect(request.code).toBeUndefined();
    expect((await grantex.consent.get(request.authRequestId)).scopeDescriptions).toEqual(['Send email on your behalf']);
    const approved = await grantex.consent.approve(request.authRequestId);
    expect(approved.state).toBe('xyz');
    const token = await grantex.tokens.exchange({ code: approved.code, agentId: agent.agentId });
    const refreshed = await grantex.tokens.refresh({ refreshToken: token.refreshToken, agentId: agent.agentId });
    expect(refreshed.grantId).toBe(token.grantId);
    await expect(
      grantex.tokens.refresh({ refreshToken: token.refreshToken, agentId: agent.agentId }),
    ).rejects.toBeInstanceOf(GrantexApiError);
    const jti = (await verifyGrantToken(refreshed.grantToken, { jwksUri: `${url}/.well-known/jwks.json` })).tokenId;
    await grantex.tokens.revoke(jti);
    expect((await grantex.tokens.verify(refreshed.grantToken)).valid).toBe(false);
    await grantex.close();
  });

  it('delegation: offline claims, cascade on revoke, errors as typed classes', async () => {
    const { url } = await start();
    const grantex = await client(url);
    const parentAgent = await grantex.agents.create({ name: 'Planner' });
    const subAgent = await grantex.agents.create({ name: 'Booker' });
    const request = await grantex.authorize({
      agentId: parentAgent.agentId,
      userId: 'u',
      scopes: ['calendar:read', 'email:send'],
    });
    const parent = await grantex.tokens.exchange({ code: request.code ?? '', agentId: parentAgent.agentId });
    const child = await grantex.grants.delegate({
      parentGrantToken: parent.grantToken,
      subAgentId: subAgent.agentId,
      scopes: ['calendar:read'],
      expiresIn: '10m',
    });
    const claims = await verifyGrantToken(child.grantToken, { jwksUri: `${url}/.well-known/jwks.json` });
    expect(claims).toMatchObject({
      parentGrantId: parent.grantId,
      parentAgentDid: parentAgent.did,
      delegationDepth: 1,
      agentDid: subAgent.did,
    });

    await expect(
      grantex.grants.delegate({
        parentGrantToken: parent.grantToken,
        subAgentId: subAgent.agentId,
        scopes: ['files:write'],
      }),
    ).rejects.toBeInstanceOf(GrantexApiError);
    await expect(grantex.agents.get('ag_01UNKNOWNUNKNOWNUNKNOWN0000')).rejects.toBeInstanceOf(GrantexNotFoundError);
    await grantex.grants.revoke(parent.grantId);
    expect((await grantex.tokens.verify(child.grantToken)).valid).toBe(false);
    const bad = new Grantex({ apiKey: 'gx_test_wrong', baseUrl: url, maxRetries: 0 });
    await expect(bad.agents.list()).rejects.toBeInstanceOf(GrantexAuthError);
    await grantex.close();
  });

  it('audit: log, list and get an entry chain that recomputes', async () => {
    const { url } = await start();
    const grantex = await client(url);
    const agent = await grantex.agents.create({ name: 'Auditor' });
    const base = { agentId: agent.agentId, agentDid: agent.did, grantId: 'grnt_01EXAMPLE', principalId: 'u' };
    const first = await grantex.audit.log({ ...base, action: 'email.send', metadata: { to: 'bob@example.com', n: 1 } });
    const second = await grantex.audit.log({ ...base, action: 'calendar.read', status: 'failure' });
    expect(second.prevHash).toBe(first.hash);
    for (const e of [first, second]) expect(e.hash).toBe(oracleAuditHash(e));
    const page = await grantex.audit.list({ action: 'email.send' });
    expect(page.entries.map((e) => e.entryId)).toEqual([first.entryId]);
    expect(await grantex.audit.get(second.entryId)).toEqual(second);
    const pack = await grantex.compliance.evidencePack({ framework: 'soc2' });
    expect(pack.chainIntegrity).toEqual({ valid: true, checkedEntries: 2, firstBrokenAt: null, reason: null });
    await grantex.close();
  });

  it('policies decide live authorization requests', async () => {
    const { url } = await start();
    const grantex = await client(url, 'live');
    const agent = await grantex.agents.create({ name: 'Reader' });
    await grantex.policies.create({
      name: 'auto-approve reads',
      effect: 'allow',
      agentId: agent.agentId,
      scopes: ['calendar:read'],
    });
    await grantex.policies.create({ name: 'never pay', effect: 'deny', priority: 10, scopes: ['payments:initiate'] });
    const approved = await grantex.authorize({ agentId: agent.agentId, userId: 'u', scopes: ['calendar:read'] });
    expect(approved).toMatchObject({ policyEnforced: true, code: expect.any(String) });
    await expect(
      grantex.authorize({ agentId: agent.agentId, userId: 'u', scopes: ['payments:initiate'] }),
    ).rejects.toMatchObject({ statusCode: 403, code: 'POLICY_DENIED' });
    expect((await grantex.policies.list()).policies.map((p) => p.name)).toEqual(['never pay', 'auto-approve reads']);
    await grantex.close();
  });

  it('webhooks: signed deliveries reach the registered URL and are listed', async () => {
    const { url } = await start({ webhookRetryDelaysMs: [20, 20] });
    const receiver = await startReceiver({ failures: 1 });
    const grantex = await client(url);
    const hook = await grantex.webhooks.create({ url: receiver.url, events: ['grant.created', 'grant.revoked'] });
    const agent = await grantex.agents.create({ name: 'Hooked' });
    const request = await grantex.authorize({ agentId: agent.agentId, userId: 'u', scopes: ['calendar:read'] });
    const token = await grantex.tokens.exchange({ code: request.code ?? '', agentId: agent.agentId });
    await grantex.grants.revoke(token.grantId);
    const received = await receiver.waitFor(3);
    const events = received
      .filter((r) => r.status === 200)
      .map((r) => JSON.parse(r.body) as { type: string; data: { grantId: string } });
    expect(events.map((e) => e.type).sort()).toEqual(['grant.created', 'grant.revoked']);
    for (const r of received) {
      const sig = oracleWebhookSignatures(hook.secret, String(r.headers['x-grantex-timestamp']), r.body);
      expect(r.headers['x-grantex-signature']).toBe(sig.legacy);
      expect(r.headers['x-grantex-signature-v2']).toBe(sig.v2);
    }
    const deliveries = await grantex.webhooks.listDeliveries(hook.id);
    expect(deliveries.deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered']);
    expect(deliveries.deliveries.map((d) => d.attempts).sort()).toEqual([1, 2]);
    await grantex.close();
  });
});
