/**
 * @module checks/sso
 * SPEC §12.2 single sign-on: the developer's OIDC configuration is stored
 * without ever returning the client secret; the login carries a fresh `state`
 * and `nonce`; the callback refuses a missing or forged `state`. A developer's
 * existing SSO configuration is never touched.
 */
import { expectThat, show, type Check } from '../engine/check.js';
import { TestIdp } from '../doubles/idp.js';
import { expectStatus } from '../engine/session/expect.js';

export const ssoChecks: Check[] = [
  {
    id: 'sso.config',
    area: 'sso',
    clause:
      'SPEC §12.2 configure an IdP; §10.2 SSO extension as specified; OpenAPI ssoCreateConfig (secret never returned)',
    level: 'MUST',
    title: 'an OIDC configuration is stored, read back without its client secret, and deleted',
    extension: 'sso',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const existing = await session.request(dev, { method: 'GET', path: '/v1/sso/config' });
      if (existing.status === 200)
        ctx.skip('the developer already has an SSO configuration; the suite does not replace it');
      expectStatus(existing, 404, 'GET /v1/sso/config before any configuration');
      const secret = `${session.runId}-client-secret`;
      const config = {
        issuerUrl: 'https://idp.example.com/oauth2/default',
        clientId: `${session.runId}-client`,
        clientSecret: secret,
        redirectUri: 'https://app.example.com/sso/callback',
      };
      const missing = await session.request(dev, {
        method: 'POST',
        path: '/v1/sso/config',
        json: { issuerUrl: config.issuerUrl },
      });
      expectStatus(missing, 400, 'POST /v1/sso/config without clientId, clientSecret and redirectUri');
      const created = await session.request(dev, { method: 'POST', path: '/v1/sso/config', json: config });
      expectStatus(created, 201, 'POST /v1/sso/config');
      let deleted = false;
      session.track('SSO configuration', async () =>
        deleted ? undefined : session.request(dev, { method: 'DELETE', path: '/v1/sso/config' }),
      );
      expectThat(
        !created.responseText.includes(secret),
        'the client secret is returned',
        'no clientSecret in the answer',
        'the secret is echoed',
      );
      const read = await session.request(dev, { method: 'GET', path: '/v1/sso/config' });
      expectStatus(read, 200, 'GET /v1/sso/config');
      expectThat(
        !read.responseText.includes(secret),
        'the client secret is returned on read',
        'no clientSecret',
        'the secret is returned',
      );
      const body = read.body as { issuerUrl?: string; clientId?: string; redirectUri?: string };
      expectThat(
        body.issuerUrl === config.issuerUrl &&
          body.clientId === config.clientId &&
          body.redirectUri === config.redirectUri,
        'the configuration read back differs',
        show({ issuerUrl: config.issuerUrl, clientId: config.clientId, redirectUri: config.redirectUri }),
        show(body),
      );
      expectStatus(
        await session.request(dev, { method: 'DELETE', path: '/v1/sso/config' }),
        204,
        'DELETE /v1/sso/config',
      );
      deleted = true;
      expectStatus(
        await session.request(dev, { method: 'GET', path: '/v1/sso/config' }),
        404,
        'GET /v1/sso/config after deletion',
      );
    },
  },
  {
    id: 'sso.callback-state',
    area: 'sso',
    clause: 'SPEC §12.2 step 3 the callback validates the state (CSRF protection)',
    level: 'MUST',
    title: 'the SSO callback answers 400 to a missing code or state and to a forged state',
    extension: 'sso',
    async run(ctx) {
      const noState = await ctx.http.request({
        method: 'GET',
        path: '/sso/callback',
        query: { code: 'abc' },
        auth: null,
      });
      expectStatus(noState, 400, 'GET /sso/callback without state');
      const noCode = await ctx.http.request({
        method: 'GET',
        path: '/sso/callback',
        query: { state: 'abc' },
        auth: null,
      });
      expectStatus(noCode, 400, 'GET /sso/callback without code');
      const forgedPayload = Buffer.from(
        JSON.stringify({
          org: ctx.session.devA.id ?? 'dev_0',
          nonce: 'forged',
          exp: Math.floor(Date.now() / 1000) + 600,
        }),
      ).toString('base64url');
      for (const state of [`${ctx.session.runId}-forged-state`, `${forgedPayload}.forged-signature`]) {
        const forged = await ctx.http.request({
          method: 'GET',
          path: '/sso/callback',
          query: { code: 'forged-code', state },
          auth: null,
        });
        expectStatus(forged, 400, `GET /sso/callback with the forged state ${JSON.stringify(state.slice(0, 40))}`);
      }
    },
  },
  {
    id: 'sso.login-state-nonce',
    area: 'sso',
    clause:
      'SPEC §12.2 login with a generated state and nonce; the callback validates the state (single use) and the nonce; OpenAPI ssoLogin uses the POST /v1/sso/config configuration',
    level: 'MUST',
    title:
      'each login carries a fresh state and nonce; the callback signs the user in once per state and refuses a replayed state or a wrong nonce',
    extension: 'sso',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      await session.agent(dev);
      const existing = await session.request(dev, { method: 'GET', path: '/v1/sso/config' });
      if (existing.status === 200)
        return ctx.skip('the developer already has an SSO configuration; the suite does not replace it');
      const idp = await TestIdp.start();
      session.onClose(() => idp.close());
      const clientId = `${session.runId}-client`;
      idp.clientId = clientId;
      const issuerUrl = idp.issuer(session.options.receiverHost);
      const created = await session.request(dev, {
        method: 'POST',
        path: '/v1/sso/config',
        json: {
          issuerUrl,
          clientId,
          clientSecret: `${session.runId}-secret`,
          redirectUri: 'https://app.example.com/sso/callback',
        },
      });
      if (created.status === 400)
        return ctx.skip(
          `the server refuses the suite's IdP at ${issuerUrl} (${show(created.body, 160)}); set --receiver-host to an address it accepts`,
        );
      expectStatus(created, 201, 'POST /v1/sso/config');
      session.track('SSO configuration', () => session.request(dev, { method: 'DELETE', path: '/v1/sso/config' }));

      const login = async () => {
        const exchange = await ctx.http.request({
          method: 'GET',
          path: '/sso/login',
          query: { org: dev.id },
          auth: null,
        });
        expectStatus(exchange, 200, 'GET /sso/login for an organisation with an SSO configuration');
        const url = (exchange.body as { authorizeUrl?: string } | undefined)?.authorizeUrl;
        expectThat(
          typeof url === 'string',
          'the login answer has no authorizeUrl',
          'authorizeUrl',
          show(exchange.body),
        );
        const parsed = new URL(url);
        const state = parsed.searchParams.get('state') ?? '';
        const nonce = parsed.searchParams.get('nonce') ?? '';
        expectThat(
          state !== '' && nonce !== '',
          'the IdP redirect lacks state or nonce',
          'state and nonce query parameters',
          url,
        );
        return { state, nonce };
      };
      const callback = (code: string, state: string) =>
        ctx.http.request({ method: 'GET', path: '/sso/callback', query: { code, state }, auth: null });

      const first = await login();
      const second = await login();
      expectThat(
        first.state !== second.state && first.nonce !== second.nonce,
        'two logins share a state or nonce',
        'fresh values per login',
        `${show(first)} / ${show(second)}`,
      );

      const email = `${session.runId}@example.com`;
      idp.registerCode('code-1', first.nonce, email);
      const signedIn = await callback('code-1', first.state);
      if (signedIn.status === 502 && idp.tokenRequests.length === 0) {
        return ctx.skip(
          `the server could not reach the suite's IdP at ${issuerUrl}; set --receiver-host to an address it can reach`,
        );
      }
      expectStatus(signedIn, 200, 'GET /sso/callback with the login’s state and a valid code');
      expectThat(
        (signedIn.body as { email?: string }).email === email,
        'the callback reports another user',
        email,
        show(signedIn.body),
      );

      idp.registerCode('code-2', first.nonce, email);
      expectStatus(await callback('code-2', first.state), 400, 'GET /sso/callback replaying a used state');

      idp.registerCode('code-3', `${second.nonce}-wrong`, email);
      const wrongNonce = await callback('code-3', second.state);
      expectThat(
        wrongNonce.status !== 200,
        'the callback accepts an ID token with the wrong nonce',
        'a refusal (502 per the spec)',
        `status ${wrongNonce.status} ${show(wrongNonce.body)}`,
      );
      expectStatus(wrongNonce, [400, 401, 502], 'GET /sso/callback with an ID token carrying the wrong nonce');
    },
  },
];
