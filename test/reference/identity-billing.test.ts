// SCIM, SSO against the built-in test IdP, and the local billing stand-in.
import { describe, expect, it } from 'vitest';
import { start, type Api } from './helpers.js';

describe('reference server: SCIM', () => {
  it('tokens are managed with the API key; Users need a SCIM token and refuse the API key', async () => {
    const api = await start();
    const { key } = await api.developer();
    expect((await api.post('/v1/scim/tokens', {}, key)).status).toBe(400);
    const created = await api.post('/v1/scim/tokens', { label: 'Okta' }, key);
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^[0-9a-f]{64}$/);
    const scim = created.body.token as string;

    expect((await api.get('/scim/v2/ServiceProviderConfig')).body.patch).toEqual({ supported: true });
    const noAuth = await api.get('/scim/v2/Users');
    expect(noAuth).toMatchObject({ status: 401, body: { scimType: 'unauthorized', status: 401 } });
    expect((await api.get('/scim/v2/Users', key)).status).toBe(401);

    const alice = await api.post(
      '/scim/v2/Users',
      {
        userName: 'alice@example.com',
        displayName: 'Alice',
        externalId: 'okta-1',
        emails: [{ value: 'alice@example.com', primary: true }],
      },
      scim,
    );
    expect(alice.status).toBe(201);
    expect(alice.body).toMatchObject({
      userName: 'alice@example.com',
      active: true,
      emails: [{ value: 'alice@example.com', primary: true }],
      meta: { resourceType: 'User' },
    });
    const bob = await api.post('/scim/v2/Users', { userName: 'bob@example.com', active: false }, scim);
    expect(await api.post('/scim/v2/Users', { displayName: 'nobody' }, scim)).toMatchObject({
      status: 400,
      body: { scimType: 'invalidValue' },
    });
    const asScim = await api.call('POST', '/scim/v2/Users', {
      key: scim,
      body: { userName: 'x' },
      headers: { 'content-type': 'application/scim+json' },
    });
    expect(asScim).toMatchObject({ status: 415, body: { code: 'BAD_REQUEST' } });

    const page = await api.get('/scim/v2/Users?startIndex=2&count=1', scim);
    expect(page.body).toMatchObject({
      totalResults: 2,
      startIndex: 2,
      itemsPerPage: 1,
      Resources: [{ id: bob.body.id }],
    });

    const patched = await api.patch(
      `/scim/v2/Users/${alice.body.id}`,
      {
        Operations: [
          { op: 'replace', path: 'active', value: false },
          { op: 'Replace', value: { displayName: 'Alice P' } },
        ],
      },
      scim,
    );
    expect(patched.body).toMatchObject({ active: false, displayName: 'Alice P', externalId: 'okta-1' });
    const replaced = await api.put(`/scim/v2/Users/${alice.body.id}`, { userName: 'alice@example.com' }, scim);
    expect(replaced.body).toMatchObject({ active: true, emails: [] });
    expect(replaced.body.displayName).toBeUndefined();

    const other = await api.developer();
    const otherScim = (await api.post('/v1/scim/tokens', { label: 'other' }, other.key)).body.token;
    expect((await api.get(`/scim/v2/Users/${alice.body.id}`, otherScim)).status).toBe(404);

    expect((await api.delete(`/scim/v2/Users/${alice.body.id}`, scim)).status).toBe(204);
    expect(await api.delete(`/scim/v2/Users/${alice.body.id}`, scim)).toMatchObject({
      status: 404,
      body: { scimType: 'noTarget' },
    });
    const listed = await api.get('/v1/scim/tokens', key);
    expect(listed.body.tokens[0]).toMatchObject({ id: created.body.id, label: 'Okta', lastUsedAt: expect.any(String) });
    expect(listed.body.tokens[0].token).toBeUndefined();
    expect((await api.delete(`/v1/scim/tokens/${created.body.id}`, key)).status).toBe(204);
    expect((await api.get('/scim/v2/Users', scim)).status).toBe(401);
  });
});

async function ssoSetup(api: Api) {
  const { key, id } = await api.developer();
  const redirectUri = 'http://127.0.0.1:9/app/callback';
  const config = await api.post(
    '/v1/sso/config',
    { issuerUrl: `${api.url}/_test-idp`, clientId: 'grantex-app', clientSecret: 's3cret', redirectUri },
    key,
  );
  expect(config.status).toBe(201);
  return { key, id, redirectUri };
}

/** Follows the login URL to the test IdP, which redirects back at once; returns code and state. */
async function signIn(api: Api, org: string, loginHint?: string): Promise<{ code: string; state: string }> {
  const login = await api.get(`/sso/login?org=${org}`);
  expect(login.status).toBe(200);
  const url = new URL(login.body.authorizeUrl);
  if (loginHint !== undefined) url.searchParams.set('login_hint', loginHint);
  const idp = await fetch(url, { redirect: 'manual' });
  expect(idp.status).toBe(302);
  const back = new URL(idp.headers.get('location') ?? '');
  return { code: back.searchParams.get('code') ?? '', state: back.searchParams.get('state') ?? '' };
}

describe('reference server: SSO with the local test IdP', () => {
  it('config CRUD hides the secret', async () => {
    const api = await start();
    const { key } = await api.developer();
    expect((await api.get('/v1/sso/config', key)).status).toBe(404);
    await ssoSetup(api);
    const { key: k2 } = await ssoSetup(api);
    const got = await api.get('/v1/sso/config', k2);
    expect(got.body).toMatchObject({ clientId: 'grantex-app', issuerUrl: `${api.url}/_test-idp` });
    expect(got.body.clientSecret).toBeUndefined();
    expect((await api.delete('/v1/sso/config', k2)).status).toBe(204);
    expect((await api.delete('/v1/sso/config', k2)).status).toBe(404);
  });

  it('login → IdP → callback signs the user in, checking state (single use) and nonce', async () => {
    const api = await start();
    const { id, redirectUri } = await ssoSetup(api);
    const login = await api.get(`/sso/login?org=${id}`);
    const url = new URL(login.body.authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${api.url}/_test-idp/authorize`);
    for (const p of ['state', 'nonce', 'code_challenge']) expect(url.searchParams.get(p)).toBeTruthy();
    expect(url.searchParams.get('redirect_uri')).toBe(redirectUri);

    const { code, state } = await signIn(api, id, 'bob.smith@example.com');
    const user = await api.get(`/sso/callback?code=${code}&state=${encodeURIComponent(state)}`);
    expect(user).toMatchObject({
      status: 200,
      body: { email: 'bob.smith@example.com', name: 'Bob Smith', sub: expect.any(String), developerId: id },
    });

    const replay = await api.get(`/sso/callback?code=${code}&state=${encodeURIComponent(state)}`);
    expect(replay).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    const forged = await signIn(api, id);
    expect((await api.get(`/sso/callback?code=${forged.code}&state=${id}.forged`)).status).toBe(400);
    expect((await api.get('/sso/callback')).status).toBe(400);
  });

  it('an ID token with the wrong nonce or a refused code is 502', async () => {
    const api = await start();
    const { id } = await ssoSetup(api);
    const first = await signIn(api, id);
    const second = await signIn(api, id);
    // The code of the first login carries the first login's nonce; pairing it with the second state must fail.
    const mixed = await api.get(`/sso/callback?code=${first.code}&state=${encodeURIComponent(second.state)}`);
    expect(mixed).toMatchObject({ status: 502, body: { code: 'SSO_ERROR' } });
    const bogus = await signIn(api, id);
    expect((await api.get(`/sso/callback?code=nope&state=${encodeURIComponent(bogus.state)}`)).status).toBe(502);
  });

  it('login needs a configured organisation', async () => {
    const api = await start();
    expect((await api.get('/sso/login')).status).toBe(400);
    expect((await api.get('/sso/login?org=dev_01UNKNOWNUNKNOWNUNKNOWN00')).status).toBe(404);
  });
});

describe('reference server: billing stand-in', () => {
  it('checkout on its own origin upgrades the plan; the portal cancels it', async () => {
    const api = await start();
    const { key } = await api.developer();
    expect((await api.get('/v1/billing/subscription', key)).body).toEqual({
      plan: 'free',
      status: 'active',
      currentPeriodEnd: null,
    });
    expect((await api.post('/v1/billing/portal', { returnUrl: 'https://app.example.com/billing' }, key)).status).toBe(
      400,
    );
    expect(
      (
        await api.post(
          '/v1/billing/checkout',
          { plan: 'gold', successUrl: 'https://a.example/ok', cancelUrl: 'https://a.example/no' },
          key,
        )
      ).status,
    ).toBe(400);

    const checkout = await api.post(
      '/v1/billing/checkout',
      { plan: 'pro', successUrl: 'https://a.example/ok', cancelUrl: 'https://a.example/no' },
      key,
    );
    expect(checkout.status).toBe(201);
    expect(checkout.body.checkoutUrl.startsWith(`${api.url}/_billing/checkout/`)).toBe(true);
    expect((await fetch(checkout.body.checkoutUrl)).status).toBe(200);
    const paid = await fetch(`${checkout.body.checkoutUrl}/complete`, { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe('https://a.example/ok');
    const sub = (await api.get('/v1/billing/subscription', key)).body;
    expect(sub).toMatchObject({ plan: 'pro', status: 'active', currentPeriodEnd: expect.any(String) });
    expect((await api.get('/v1/compliance/summary', key)).body.plan).toBe('pro');

    const portal = await api.post('/v1/billing/portal', { returnUrl: 'https://app.example.com/billing' }, key);
    expect(portal.body.portalUrl.startsWith(`${api.url}/_billing/portal/`)).toBe(true);
    const cancel = await fetch(`${portal.body.portalUrl}/cancel`, { method: 'POST', redirect: 'manual' });
    expect(cancel.headers.get('location')).toBe('https://app.example.com/billing');
    expect((await api.get('/v1/billing/subscription', key)).body).toMatchObject({ plan: 'free', status: 'canceled' });
  });
});
