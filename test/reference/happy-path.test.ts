// The curl happy path of issue 5 against the reference server: signup → agents
// → authorize → token → JWKS → verify → delegate → revoke grant → both tokens
// invalid, with the response shapes (key sets) the public reference server
// answers with (from its captured responses).
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { claimsOf, headerOf, start } from './helpers.js';

const keys = (o: object) => Object.keys(o).sort();

describe('reference server: curl happy path', () => {
  it('signup → agents → authorize → token → JWKS → verify → delegate → revoke → both tokens invalid', async () => {
    const api = await start();

    const signup = await api.post('/v1/signup', { name: 'Happy path', mode: 'sandbox' });
    expect(signup.status).toBe(201);
    expect(keys(signup.body)).toEqual(['apiKey', 'createdAt', 'developerId', 'email', 'mode', 'name']);
    expect(signup.body.apiKey).toMatch(/^gx_test_/);
    const key: string = signup.body.apiKey;

    const agent = await api.post(
      '/v1/agents',
      { name: 'Calendar Agent', description: 'Reads calendars', scopes: ['calendar:read', 'email:send'] },
      key,
    );
    expect(agent.status).toBe(201);
    expect(keys(agent.body)).toEqual([
      'agentId',
      'createdAt',
      'description',
      'developerId',
      'did',
      'name',
      'scopes',
      'status',
      'updatedAt',
    ]);
    expect(agent.body.did).toBe(`did:grantex:${agent.body.agentId}`);
    const sub = await api.post('/v1/agents', { name: 'Sub Agent', scopes: ['calendar:read'] }, key);
    const listed = await api.get('/v1/agents', key);
    expect(listed.body.agents.map((a: { agentId: string }) => a.agentId)).toEqual([
      sub.body.agentId,
      agent.body.agentId,
    ]);

    const authz = await api.post(
      '/v1/authorize',
      {
        agentId: agent.body.agentId,
        principalId: 'user_sandy',
        scopes: ['calendar:read', 'email:send'],
        expiresIn: '2h',
      },
      key,
    );
    expect(authz.status).toBe(201);
    expect(keys(authz.body)).toEqual(['authRequestId', 'code', 'consentUrl', 'expiresAt', 'sandbox']);
    expect(authz.body.consentUrl).toBe(`${api.url}/consent?req=${authz.body.authRequestId}`);

    const token = await api.post('/v1/token', { code: authz.body.code, agentId: agent.body.agentId }, key);
    expect(token.status).toBe(201);
    expect(keys(token.body)).toEqual(['expiresAt', 'grantId', 'grantToken', 'refreshToken', 'scopes']);
    expect(headerOf(token.body.grantToken)).toEqual({
      alg: 'RS256',
      kid: expect.stringMatching(/^grantex-\d{4}-\d{2}$/),
    });
    const claims = claimsOf(token.body.grantToken);
    expect(keys(claims)).toEqual(['agt', 'dev', 'exp', 'grnt', 'iat', 'iss', 'jti', 'scp', 'sub']);
    expect(claims).toMatchObject({
      iss: api.url,
      sub: 'user_sandy',
      agt: agent.body.did,
      dev: signup.body.developerId,
      grnt: token.body.grantId,
      scp: ['calendar:read', 'email:send'],
    });
    expect(claims.jti).toMatch(/^tok_/);
    expect(claims.exp - claims.iat).toBe(7200);

    const jwks = await api.get('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    const verified = await jwtVerify(token.body.grantToken, createLocalJWKSet(jwks.body), {
      algorithms: ['RS256'],
      issuer: api.url,
    });
    expect(verified.payload.grnt).toBe(token.body.grantId);

    const valid = await api.post('/v1/tokens/verify', { token: token.body.grantToken }, key);
    expect(valid.body).toEqual({
      valid: true,
      grantId: token.body.grantId,
      scopes: ['calendar:read', 'email:send'],
      principal: 'user_sandy',
      agent: agent.body.did,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
    });

    const delegated = await api.post(
      '/v1/grants/delegate',
      {
        parentGrantToken: token.body.grantToken,
        subAgentId: sub.body.agentId,
        scopes: ['calendar:read'],
        expiresIn: '1h',
      },
      key,
    );
    expect(delegated.status).toBe(201);
    expect(keys(delegated.body)).toEqual(['expiresAt', 'grantId', 'grantToken', 'refreshToken', 'scopes']);
    const child = claimsOf(delegated.body.grantToken);
    expect(child).toMatchObject({
      parentAgt: agent.body.did,
      parentGrnt: token.body.grantId,
      delegationDepth: 1,
      agt: sub.body.did,
      sub: 'user_sandy',
      scp: ['calendar:read'],
    });
    expect(await api.verify(key, delegated.body.grantToken)).toBe(true);

    const revoke = await api.delete(`/v1/grants/${token.body.grantId}`, key);
    expect(revoke.status).toBe(204);
    expect(revoke.text).toBe('');

    expect(await api.post('/v1/tokens/verify', { token: token.body.grantToken }, key)).toMatchObject({
      status: 200,
      body: { valid: false },
    });
    expect(await api.post('/v1/tokens/verify', { token: delegated.body.grantToken }, key)).toMatchObject({
      status: 200,
      body: { valid: false },
    });
    const grant = await api.get(`/v1/grants/${delegated.body.grantId}`, key);
    expect(grant.body).toMatchObject({ status: 'revoked', parentGrantId: token.body.grantId, delegationDepth: 1 });
    expect(keys(grant.body)).toEqual([
      'agentId',
      'delegationDepth',
      'developerId',
      'expiresAt',
      'grantId',
      'issuedAt',
      'parentGrantId',
      'principalId',
      'revokedAt',
      'scopes',
      'status',
    ]);
  });

  it('answers like the hosted server on common errors', async () => {
    const api = await start();
    const { key } = await api.developer('live');
    expect((await api.get('/v1/agents')).body).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Missing or invalid Authorization header',
    });
    expect((await api.get('/v1/agents', 'gx_live_nope')).body).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Invalid API key',
    });
    const notFound = await api.get('/v1/agents/ag_01UNKNOWNUNKNOWNUNKNOWN0000', key);
    expect(notFound).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', message: 'Agent not found' } });
    expect(notFound.body.requestId).toEqual(expect.any(String));
    const malformed = await api.post('/v1/agents', '{"name": ', key);
    expect(malformed).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    const missing = await api.post('/v1/agents', { description: 'no name' }, key);
    expect(missing).toMatchObject({
      status: 400,
      body: { code: 'BAD_REQUEST', message: expect.stringContaining('name') },
    });
    const unknownRoute = await api.post('/v1/nope', {}, key);
    expect(unknownRoute).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect((await api.get('/v1/agents/%ZZ', key)).status).toBe(404);
    expect((await api.get('/v1/grants/not-a-grant-id', key)).status).toBe(404);
    expect(await api.post('/v1/agents', 'null', key)).toMatchObject({
      status: 400,
      body: { message: 'body must be object' },
    });
    // Over 1 MiB, as the hosted server's limit: 413 in the error shape.
    expect(await api.post('/v1/agents', { name: 'x'.repeat(1_048_577) }, key)).toMatchObject({
      status: 413,
      body: { code: 'BAD_REQUEST' },
    });
    expect((await api.get('/v1/webhooks/wh_1/deliveries?page=0', key)).status).toBe(400);
    const health = await api.get('/health');
    expect(health).toMatchObject({ status: 200, body: { status: 'healthy' } });
  });
});

describe('reference server: options', () => {
  it('signs with a given PKCS#8 key and kid, and uses the configured issuer', async () => {
    const { generateKeyPairSync, createPublicKey } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const api = await start({ keys: { privateKey: pem, kid: 'local-1' }, issuer: 'https://grantex.test' });
    const jwks = (await api.get('/.well-known/jwks.json')).body;
    const expected = createPublicKey(privateKey).export({ format: 'jwk' });
    expect(jwks.keys[0]).toMatchObject({ kid: 'local-1', n: expected.n, e: expected.e, alg: 'RS256' });
    const { key } = await api.developer();
    const t = await api.grant(key, await api.agent(key));
    expect(headerOf(t.grantToken).kid).toBe('local-1');
    expect(claimsOf(t.grantToken).iss).toBe('https://grantex.test');
    const authz = await api.post(
      '/v1/authorize',
      { agentId: await api.agent(key), principalId: 'p', scopes: ['a'] },
      key,
    );
    expect(authz.body.consentUrl.startsWith('https://grantex.test/consent?req=')).toBe(true);
  });
});
