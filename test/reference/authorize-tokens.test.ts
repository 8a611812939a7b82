// Authorization requests, consent, code exchange (PKCE, single use, agent
// binding), refresh rotation, online verify and revoke on the reference server.
import { describe, expect, it } from 'vitest';
import { computeCodeChallenge } from '../../src/integrity/pkce.js';
import { claimsOf, start } from './helpers.js';

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

describe('reference server: authorization and consent', () => {
  it('live requests wait for the principal, then redirect with code and state', async () => {
    const api = await start();
    const { key } = await api.developer('live');
    const agentId = await api.agent(key);
    const authz = await api.post(
      '/v1/authorize',
      {
        agentId,
        principalId: 'user_alice',
        scopes: ['calendar:read'],
        redirectUri: 'https://app.example.com/cb',
        state: 'st-1',
      },
      key,
    );
    expect(authz.status).toBe(201);
    expect(authz.body.code).toBeUndefined();
    const id = authz.body.authRequestId;

    const shortcut = await api.post(`/v1/authorize/${id}/approve`, undefined, key);
    expect(shortcut).toMatchObject({ status: 403, body: { code: 'CONSENT_REQUIRED' } });

    const consent = await api.get(`/v1/consent/${id}`);
    expect(consent.body).toMatchObject({
      id,
      agentName: 'agent',
      scopes: ['calendar:read'],
      scopeDescriptions: ['Read your calendar events'],
      status: 'pending',
    });

    const approved = await api.post(`/v1/consent/${id}/approve`, undefined);
    expect(approved).toMatchObject({ status: 200, body: { redirectUri: 'https://app.example.com/cb', state: 'st-1' } });
    expect((await api.post(`/v1/consent/${id}/approve`, undefined)).status).toBe(410);
    expect((await api.get(`/v1/consent/${id}`)).status).toBe(410);

    const token = await api.post('/v1/token', { code: approved.body.code, agentId }, key);
    expect(token.status).toBe(201);
    expect(claimsOf(token.body.grantToken).scp).toEqual(['calendar:read']);
  });

  it('serves a consent page that reads and answers the request through the consent API', async () => {
    const api = await start();
    const page = await api.get('/consent?req=areq_01EXAMPLE', undefined, { unchecked: true });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('/v1/consent/');
  });

  it('denied requests cannot be exchanged; unknown ones are 404/410 as documented', async () => {
    const api = await start();
    const { key } = await api.developer('live');
    const agentId = await api.agent(key);
    const authz = await api.post(
      '/v1/authorize',
      { agentId, principalId: 'bob', scopes: ['files:read'], state: 's' },
      key,
    );
    const id = authz.body.authRequestId;
    expect(await api.post(`/v1/consent/${id}/deny`, undefined)).toMatchObject({ status: 200, body: { state: 's' } });
    expect((await api.post(`/v1/consent/${id}/deny`, undefined)).status).toBe(404);
    expect((await api.post(`/v1/consent/${id}/approve`, undefined)).status).toBe(410);
    expect((await api.get('/v1/consent/areq_01UNKNOWNUNKNOWNUNKNOWN00')).status).toBe(404);
    expect((await api.post('/v1/consent/areq_01UNKNOWNUNKNOWNUNKNOWN00/approve', undefined)).status).toBe(410);
  });

  it('sandbox keys get a code at once; unknown agents are 404; bad requests 400', async () => {
    const api = await start();
    const { key } = await api.developer('sandbox');
    const agentId = await api.agent(key);
    const ok = await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['calendar:read'] }, key);
    expect(ok.body).toMatchObject({ sandbox: true, code: expect.any(String) });
    expect((await api.post(`/v1/authorize/${ok.body.authRequestId}/approve`, undefined, key)).status).toBe(404);
    expect(
      (await api.post('/v1/authorize', { agentId: 'ag_01UNKNOWN', principalId: 'p', scopes: ['a'] }, key)).status,
    ).toBe(404);
    expect((await api.post('/v1/authorize', { agentId, principalId: 'p' }, key)).status).toBe(400);
    const plain = await api.post(
      '/v1/authorize',
      { agentId, principalId: 'p', scopes: ['a'], codeChallenge: VERIFIER, codeChallengeMethod: 'plain' },
      key,
    );
    expect(plain.status).toBe(400);
    expect(
      (await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['a'], expiresIn: '0h' }, key)).status,
    ).toBe(400);
  });

  it('caps grant lifetimes at 24 hours and honours shorter ones', async () => {
    const api = await start();
    const { key } = await api.developer();
    const agentId = await api.agent(key);
    for (const [expiresIn, seconds] of [
      ['90s', 90],
      ['2h', 7200],
      ['7d', 86400],
    ] as const) {
      const t = await api.grant(key, agentId, ['calendar:read'], { expiresIn });
      const c = claimsOf(t.grantToken);
      expect(c.exp - c.iat).toBe(seconds);
    }
  });

  it('puts the requested audience in aud', async () => {
    const api = await start();
    const { key } = await api.developer();
    const agentId = await api.agent(key);
    expect(
      claimsOf((await api.grant(key, agentId, ['calendar:read'], { audience: 'https://api.example.test' })).grantToken)
        .aud,
    ).toBe('https://api.example.test');
    expect(claimsOf((await api.grant(key, agentId, ['calendar:read'])).grantToken).aud).toBeUndefined();
  });
});

describe('reference server: code exchange', () => {
  it('enforces PKCE S256 with the documented messages, and a failed check keeps the code usable', async () => {
    const api = await start();
    const { key } = await api.developer();
    const agentId = await api.agent(key);
    const challenge = await computeCodeChallenge(VERIFIER);
    const authz = await api.post(
      '/v1/authorize',
      { agentId, principalId: 'p', scopes: ['calendar:read'], codeChallenge: challenge, codeChallengeMethod: 'S256' },
      key,
    );
    const code = authz.body.code;
    expect((await api.post('/v1/token', { code, agentId }, key)).body).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'codeVerifier is required for PKCE',
    });
    expect((await api.post('/v1/token', { code, agentId, codeVerifier: 'short' }, key)).body.message).toBe(
      'Invalid codeVerifier',
    );
    expect((await api.post('/v1/token', { code, agentId, codeVerifier: 'x'.repeat(43) }, key)).body.message).toBe(
      'Invalid codeVerifier',
    );
    expect((await api.post('/v1/token', { code, agentId, codeVerifier: VERIFIER }, key)).status).toBe(201);
  });

  it('codes are single-use and bound to their agent and developer', async () => {
    const api = await start();
    const { key } = await api.developer();
    const other = await api.developer();
    const agentId = await api.agent(key);
    const otherAgent = await api.agent(key);
    const authz = await api.post('/v1/authorize', { agentId, principalId: 'p', scopes: ['calendar:read'] }, key);
    const code = authz.body.code;
    expect((await api.post('/v1/token', { code, agentId: otherAgent }, key)).body.message).toBe('Invalid code');
    expect((await api.post('/v1/token', { code, agentId }, other.key)).status).toBe(400);
    expect((await api.post('/v1/token', { code, agentId }, key)).status).toBe(201);
    // The message names the cause (issue 24), not "Auth request not approved".
    expect((await api.post('/v1/token', { code, agentId }, key)).body.message).toMatch(
      /^This code was already exchanged: codes are single-use/,
    );
  });

  it('refresh rotates single-use tokens and keeps the grant', async () => {
    const api = await start();
    const { key } = await api.developer();
    const agentId = await api.agent(key);
    const otherAgent = await api.agent(key);
    const first = await api.grant(key, agentId);
    expect(
      (await api.post('/v1/token/refresh', { refreshToken: first.refreshToken, agentId: otherAgent }, key)).body
        .message,
    ).toBe('Agent mismatch');
    const second = await api.post('/v1/token/refresh', { refreshToken: first.refreshToken, agentId }, key);
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ grantId: first.grantId, scopes: first.scopes, expiresAt: first.expiresAt });
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect(claimsOf(second.body.grantToken).jti).not.toBe(claimsOf(first.grantToken).jti);
    expect((await api.post('/v1/token/refresh', { refreshToken: first.refreshToken, agentId }, key)).body.message).toBe(
      'Refresh token already used',
    );
    const third = await api.post('/v1/token/refresh', { refreshToken: second.body.refreshToken, agentId }, key);
    expect(third.status).toBe(201);

    await api.delete(`/v1/grants/${first.grantId}`, key);
    const fourth = await api.post('/v1/token/refresh', { refreshToken: third.body.refreshToken, agentId }, key);
    expect(fourth.body.message).toBe('Grant has been revoked');
  });
});

describe('reference server: online verify and revoke', () => {
  it('revoking one jti leaves the refreshed sibling valid; revoking the grant stops both', async () => {
    const api = await start();
    const { key } = await api.developer();
    const agentId = await api.agent(key);
    const first = await api.grant(key, agentId);
    const refreshed = await api.post('/v1/token/refresh', { refreshToken: first.refreshToken, agentId }, key);
    const jti = claimsOf(first.grantToken).jti;
    expect((await api.post('/v1/tokens/revoke', { jti }, key)).status).toBe(204);
    expect((await api.post('/v1/tokens/revoke', { jti }, key)).status).toBe(404);
    expect(await api.verify(key, first.grantToken)).toBe(false);
    expect(await api.verify(key, refreshed.body.grantToken)).toBe(true);
    expect((await api.delete(`/v1/grants/${first.grantId}`, key)).status).toBe(204);
    expect((await api.delete(`/v1/grants/${first.grantId}`, key)).status).toBe(404);
    expect(await api.verify(key, refreshed.body.grantToken)).toBe(false);
  });

  it('another developer, garbage and expired tokens verify as invalid', async () => {
    let now = Date.parse('2026-11-28T12:00:00Z');
    const api = await start({ now: () => now });
    const { key } = await api.developer();
    const other = await api.developer();
    const agentId = await api.agent(key);
    const t = await api.grant(key, agentId, ['calendar:read'], { expiresIn: '1h' });
    expect(await api.verify(other.key, t.grantToken)).toBe(false);
    expect(await api.verify(key, 'not.a.jwt')).toBe(false);
    expect((await api.post('/v1/tokens/verify', {}, key)).status).toBe(400);
    expect(await api.verify(key, t.grantToken)).toBe(true);
    now += 3_600_000;
    expect(await api.verify(key, t.grantToken)).toBe(false);
    expect((await api.get(`/v1/grants/${t.grantId}`, key)).body.status).toBe('expired');
  });

  it('grants/verify returns claims or a reason, and 400 for a token that does not verify', async () => {
    const api = await start();
    const { key } = await api.developer();
    const other = await api.developer();
    const agentId = await api.agent(key);
    const t = await api.grant(key, agentId);
    const active = await api.post('/v1/grants/verify', { token: t.grantToken }, key);
    expect(active.body).toMatchObject({ active: true, claims: { grnt: t.grantId, iss: api.url } });
    expect((await api.post('/v1/grants/verify', { token: t.grantToken }, other.key)).body).toEqual({
      active: false,
      reason: 'wrong_developer',
    });
    expect((await api.post('/v1/grants/verify', { token: 'not.a.jwt' }, key)).status).toBe(400);
    await api.delete(`/v1/grants/${t.grantId}`, key);
    expect((await api.post('/v1/grants/verify', { token: t.grantToken }, key)).body).toEqual({
      active: false,
      reason: 'revoked',
    });
  });

  it('lists grants newest first with filters', async () => {
    const api = await start();
    const { key } = await api.developer();
    const a = await api.agent(key);
    const b = await api.agent(key);
    const g1 = await api.grant(key, a);
    const g2 = await api.grant(key, b);
    await api.delete(`/v1/grants/${g1.grantId}`, key);
    const ids = (r: { body: { grants: { grantId: string }[] } }) => r.body.grants.map((g) => g.grantId);
    expect(ids(await api.get('/v1/grants', key))).toEqual([g2.grantId, g1.grantId]);
    expect(ids(await api.get(`/v1/grants?agentId=${a}`, key))).toEqual([g1.grantId]);
    expect(ids(await api.get('/v1/grants?status=active', key))).toEqual([g2.grantId]);
    expect(ids(await api.get('/v1/grants?principalId=nobody', key))).toEqual([]);
  });
});
