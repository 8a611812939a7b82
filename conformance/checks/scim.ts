/**
 * @module checks/scim
 * SPEC §12.1 SCIM 2.0 provisioning: SCIM tokens are managed with the API key
 * and authenticate the /scim/v2 routes (a revoked one is refused); users are
 * created, read, listed, replaced, patched and deleted; the service provider
 * configuration is public.
 */
import fc from 'fast-check';
import { expectThat, show, type Check } from '../engine/check.js';
import type { Credential, RequestSpec } from '../http/http.js';
import { expectStatus } from '../engine/session/expect.js';
import { judgeEach } from '../engine/judge-each.js';
import type { Session } from '../engine/session/session.js';
import { displayName } from '../model/arbitraries.js';

const tokens = new WeakMap<Session, Credential>();

/** The SCIM credential of the run: `--scim-token`, else one created now and revoked at cleanup. */
async function scimToken(session: Session): Promise<Credential> {
  const known = tokens.get(session);
  if (known) return known;
  if (session.options.scimToken) {
    const given = { label: 'GRANTEX_SCIM_TOKEN', secret: session.options.scimToken };
    tokens.set(session, given);
    return given;
  }
  const dev = session.devA;
  const created = await session.request(dev, {
    method: 'POST',
    path: '/v1/scim/tokens',
    json: { label: session.name('scim token') },
  });
  expectStatus(created, 201, 'POST /v1/scim/tokens');
  const body = created.body as { id: string; token: string };
  session.track(`SCIM token ${body.id}`, () =>
    session.request(dev, { method: 'DELETE', path: `/v1/scim/tokens/${body.id}` }),
  );
  const credential = { label: 'GRANTEX_SCIM_TOKEN', secret: body.token };
  tokens.set(session, credential);
  return credential;
}

function scim(session: Session, token: Credential, spec: RequestSpec) {
  return session.http.request({ ...spec, auth: token });
}

const userName = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,15}$/), fc.constantFrom('example.com', 'example.org'))
  .map(([local, domain]) => `${local}@${domain}`);

export const scimChecks: Check[] = [
  {
    id: 'scim.tokens',
    area: 'scim',
    clause: 'SPEC §12.1 SCIM token lifecycle',
    level: 'MUST',
    title:
      'a SCIM token is returned once, listed without its secret, works on /scim/v2, and is refused (401) once deleted',
    extension: 'scim',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const missingLabel = async () => {
        const missing = await session.request(dev, { method: 'POST', path: '/v1/scim/tokens', json: {} });
        const made = (missing.body as { id?: unknown } | undefined)?.id;
        // A token made by mistake is still the run's own: it is deleted with the rest.
        if (missing.status === 201 && typeof made === 'string')
          session.track(`SCIM token ${made}`, () =>
            session.request(dev, { method: 'DELETE', path: `/v1/scim/tokens/${made}` }),
          );
        expectStatus(missing, 400, 'POST /v1/scim/tokens without a label');
      };
      const created = await session.request(dev, {
        method: 'POST',
        path: '/v1/scim/tokens',
        json: { label: session.name('scim lifecycle') },
      });
      expectStatus(created, 201, 'POST /v1/scim/tokens');
      const body = created.body as { id: string; token: string };
      let deleted = false;
      session.track(`SCIM token ${body.id}`, async () =>
        deleted ? undefined : session.request(dev, { method: 'DELETE', path: `/v1/scim/tokens/${body.id}` }),
      );
      const token = { label: 'SCIM_TOKEN_UNDER_TEST', secret: body.token };
      const usersWith = () => scim(session, token, { method: 'GET', path: '/scim/v2/Users' });
      // Each property of the lifecycle is its own finding, so a refusal already reported hides no other.
      await judgeEach(ctx, [
        { name: 'a token without a label', run: missingLabel },
        {
          name: 'the token list',
          async run() {
            const list = await session.request(dev, { method: 'GET', path: '/v1/scim/tokens' });
            expectStatus(list, 200, 'GET /v1/scim/tokens');
            expectThat(
              !list.responseText.includes(body.token),
              'the token list reveals a token secret',
              'no secrets in the list',
              'the secret is listed',
            );
            const listed = ((list.body as { tokens?: Array<{ id: string }> }).tokens ?? []).some(
              (t) => t.id === body.id,
            );
            expectThat(listed, 'the new SCIM token is not listed', body.id, show(list.body, 200));
          },
        },
        {
          name: 'the new token',
          run: async () => expectStatus(await usersWith(), 200, 'GET /scim/v2/Users with the new token'),
        },
        {
          name: 'the deleted token',
          async run() {
            expectStatus(
              await session.request(dev, { method: 'DELETE', path: `/v1/scim/tokens/${body.id}` }),
              204,
              'DELETE /v1/scim/tokens/{id}',
            );
            deleted = true;
            expectStatus(await usersWith(), 401, 'GET /scim/v2/Users with a deleted token');
          },
        },
        {
          name: 'deleting it again',
          async run() {
            if (!deleted) ctx.skip('the token could not be deleted');
            expectStatus(
              await session.request(dev, { method: 'DELETE', path: `/v1/scim/tokens/${body.id}` }),
              404,
              'deleting the token twice',
            );
          },
        },
      ]);
    },
  },
  {
    id: 'scim.users',
    area: 'scim',
    clause: 'SPEC §12.1 SCIM 2.0 user provisioning (RFC 7644 §3)',
    level: 'MUST',
    title: 'users are provisioned, read, listed, replaced, patched and deleted with a SCIM token',
    extension: 'scim',
    property: { requests: 8 },
    async run(ctx) {
      const { session } = ctx;
      const token = await scimToken(session);
      const noAuth = await session.http.request({ method: 'GET', path: '/scim/v2/Users', auth: null });
      expectStatus(noAuth, 401, 'GET /scim/v2/Users without a token');
      await ctx.property([userName, displayName, displayName], async (name, display, newDisplay) => {
        const unique = `${session.runId}.${name}`;
        const created = await scim(session, token, {
          method: 'POST',
          path: '/scim/v2/Users',
          json: {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            userName: unique,
            displayName: display,
            emails: [{ value: name, primary: true }],
          },
        });
        expectStatus(created, 201, 'POST /scim/v2/Users');
        const user = created.body as { id: string; userName?: string; displayName?: string; active?: boolean };
        let deleted = false;
        session.track(`SCIM user ${user.id}`, async () =>
          deleted ? undefined : scim(session, token, { method: 'DELETE', path: `/scim/v2/Users/${user.id}` }),
        );
        expectThat(
          user.userName === unique && user.displayName === display && user.active === true,
          'the user is not stored as given',
          show({ userName: unique, displayName: display, active: true }),
          show(user),
        );
        const read = await scim(session, token, { method: 'GET', path: `/scim/v2/Users/${user.id}` });
        expectStatus(read, 200, 'GET /scim/v2/Users/{id}');
        const list = await scim(session, token, { method: 'GET', path: '/scim/v2/Users', query: { count: 200 } });
        expectStatus(list, 200, 'GET /scim/v2/Users');
        const replaced = await scim(session, token, {
          method: 'PUT',
          path: `/scim/v2/Users/${user.id}`,
          json: { userName: unique, displayName: newDisplay },
        });
        expectStatus(replaced, 200, 'PUT /scim/v2/Users/{id}');
        expectThat(
          (replaced.body as { displayName?: string }).displayName === newDisplay,
          'PUT did not replace displayName',
          show(newDisplay),
          show(replaced.body),
        );
        const patched = await scim(session, token, {
          method: 'PATCH',
          path: `/scim/v2/Users/${user.id}`,
          json: {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'replace', path: 'active', value: false }],
          },
        });
        expectStatus(patched, 200, 'PATCH /scim/v2/Users/{id}');
        expectThat(
          (patched.body as { active?: boolean }).active === false,
          'PATCH did not deactivate the user',
          'active: false',
          show(patched.body),
        );
        expectStatus(
          await scim(session, token, { method: 'DELETE', path: `/scim/v2/Users/${user.id}` }),
          204,
          'DELETE /scim/v2/Users/{id}',
        );
        deleted = true;
        expectStatus(
          await scim(session, token, { method: 'GET', path: `/scim/v2/Users/${user.id}` }),
          404,
          'GET of a deleted user',
        );
      });
    },
  },
  {
    id: 'scim.service-provider-config',
    area: 'scim',
    clause: 'RFC 7644 §4 /ServiceProviderConfig',
    level: 'MUST',
    title: 'the service provider configuration is public and declares PATCH support',
    extension: 'scim',
    async run(ctx) {
      const exchange = await ctx.http.request({ method: 'GET', path: '/scim/v2/ServiceProviderConfig', auth: null });
      expectStatus(exchange, 200, 'GET /scim/v2/ServiceProviderConfig');
      const body = exchange.body as { patch?: { supported?: boolean } };
      expectThat(
        body.patch?.supported === true,
        'PATCH is not declared supported',
        'patch.supported true',
        show(body.patch),
      );
    },
  },
];
