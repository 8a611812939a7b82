/**
 * @module checks/auth
 * Authentication and tenant isolation: every protected operation refuses
 * missing and invalid credentials with 401, SCIM 2.0 refuses API keys, live
 * keys need the principal's consent, and a second developer can neither read
 * nor change the first one's resources.
 */
import fc from 'fast-check';
import { CheckFailure, expectThat, show, type Check } from '../engine/check.js';
import type { CheckContext } from '../engine/context.js';
import type { Operation } from '../http/contract.js';
import type { Exchange, RequestSpec } from '../http/http.js';
import { expectStatus } from '../engine/session/expect.js';
import type { Agent, Developer } from '../engine/session/types.js';
import type { Session } from '../engine/session/session.js';
import { extensionOfTags } from '../engine/types.js';

const FAKE_IDS: Record<string, string> = {
  agentId: 'ag_00000000000000000000000000',
  authRequestId: 'areq_00000000000000000000000000',
  grantId: 'grnt_00000000000000000000000000',
  entryId: 'alog_00000000000000000000000000',
  policyId: 'pol_00000000000000000000000000',
  webhookId: 'wh_00000000000000000000000000',
  anomalyId: 'anm_00000000000000000000000000',
  tokenId: 'scimtok_00000000000000000000000000',
  userId: 'scimuser_00000000000000000000000000',
};

/** The protected operations of the spec that the server offers. */
function protectedOperations(session: Session): Operation[] {
  return session.contract.operations.filter((op) => {
    if (op.security.length === 0) return false;
    const extension = extensionOfTags(op.tags);
    return !extension || session.offers(extension);
  });
}

function requestFor(op: Operation, authorization: string | null): RequestSpec {
  const path = op.template.replace(
    /\{([^}]+)\}/g,
    (_, name: string) => FAKE_IDS[name] ?? 'x_00000000000000000000000000',
  );
  const withBody = ['post', 'put', 'patch'].includes(op.method);
  return { method: op.method.toUpperCase(), path, auth: authorization, ...(withBody ? { json: {} } : {}) };
}

function expect401(exchange: Exchange, op: Operation, credential: string): void {
  if (exchange.status !== 401) {
    throw new CheckFailure(
      `${op.operationId} (${op.method.toUpperCase()} ${op.template}) accepted or misjudged ${credential}`,
      'status 401',
      `status ${exchange.status} ${show(exchange.body ?? exchange.responseText, 200)}`,
    );
  }
}

/** Credentials that no server may accept. */
const badCredential = fc.oneof(
  fc.constant('Bearer'),
  fc.constant('Bearer '),
  fc
    .string({ minLength: 1, maxLength: 40 })
    .filter((s) => /^[\x21-\x7e]+$/.test(s))
    .map((s) => `Bearer ${s}`),
  fc.stringMatching(/^[A-Za-z0-9_-]{16,48}$/).map((s) => `Bearer gx_live_${s}`),
  fc.stringMatching(/^[A-Za-z0-9_-]{16,48}$/).map((s) => `Bearer gx_test_${s}`),
  fc.stringMatching(/^[A-Za-z0-9+/]{8,30}$/).map((s) => `Basic ${s}`),
  fc.stringMatching(/^[A-Za-z0-9]{8,30}$/).map((s) => `Token ${s}`),
);

/** The API key with one character changed: well-formed but unknown. */
function tamperedKey(key: string): string {
  const last = key.at(-1) === 'A' ? 'B' : 'A';
  return `Bearer ${key.slice(0, -1)}${last}`;
}

export const authChecks: Check[] = [
  {
    id: 'auth.credentials-required',
    area: 'auth',
    clause: 'SPEC §10.1 / OpenAPI security: protected operations need a valid credential',
    level: 'MUST',
    title:
      'every protected operation answers 401 without credentials, with an unknown key and with a non-Bearer scheme',
    async run(ctx) {
      const ops = protectedOperations(ctx.session);
      const tampered = tamperedKey(ctx.session.devA.key.secret);
      for (const op of ops) {
        expect401(await ctx.http.request(requestFor(op, null)), op, 'no Authorization header');
        expect401(
          await ctx.http.request(requestFor(op, tampered)),
          op,
          'an unknown API key (a real key with one character changed)',
        );
        expect401(
          await ctx.http.request(requestFor(op, `Basic ${Buffer.from('user:pass').toString('base64')}`)),
          op,
          'a Basic credential',
        );
      }
      ctx.note(`${ops.length} protected operations swept`);
    },
  },
  {
    id: 'auth.random-credentials',
    area: 'auth',
    clause: 'SPEC §10.1 / OpenAPI security: protected operations need a valid credential',
    level: 'MUST',
    title: 'random malformed or unknown credentials are refused with 401 on random protected operations',
    property: { requests: 1 },
    async run(ctx) {
      const ops = protectedOperations(ctx.session);
      await ctx.property([fc.constantFrom(...ops), badCredential], async (op, credential) => {
        expect401(
          await ctx.http.request(requestFor(op, credential)),
          op,
          `the credential ${JSON.stringify(credential)}`,
        );
      });
    },
  },
  {
    id: 'auth.scim-refuses-api-key',
    area: 'auth',
    clause: 'SPEC §12.1, §14 SCIM endpoints MUST authenticate with a dedicated SCIM token, separate from API keys',
    level: 'MUST',
    title: 'the SCIM 2.0 user endpoints refuse a developer API key with 401 and change nothing',
    extension: 'scim',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const userName = `${session.runId}-apikey-${Date.now()}@example.test`;
      const list = await session.request(dev, { method: 'GET', path: '/scim/v2/Users' });
      expectStatus(list, 401, 'GET /scim/v2/Users with an API key');
      const create = await session.request(dev, { method: 'POST', path: '/scim/v2/Users', json: { userName } });
      if (create.status === 201) {
        const id = (create.body as { id?: string }).id;
        session.track(`SCIM user ${id ?? userName}`, () =>
          session.request(dev, { method: 'DELETE', path: `/scim/v2/Users/${id}` }),
        );
      }
      expectStatus(create, 401, 'POST /scim/v2/Users with an API key');
      const get = await session.request(dev, { method: 'GET', path: `/scim/v2/Users/${FAKE_IDS['userId']}` });
      expectStatus(get, 401, 'GET /scim/v2/Users/{id} with an API key');
    },
  },
  {
    id: 'auth.live-consent',
    area: 'auth',
    clause: 'SPEC §5.1 the principal approves on the consent page before a code is issued (live keys)',
    level: 'MUST',
    title:
      'a live key gets no code from POST /v1/authorize; the consent endpoint shows and approves the pending request',
    async run(ctx) {
      const { session } = ctx;
      const { dev, agent } = await liveConsentSetup(ctx);
      const principalId = session.principal('consent');
      const authorized = await session.authorize(dev, {
        agentId: agent.agentId,
        principalId,
        scopes: ['calendar:read'],
      });
      expectStatus(authorized, 201, 'POST /v1/authorize (live key)');
      const body = authorized.body as { authRequestId: string; code?: unknown; consentUrl?: string };
      expectThat(
        body.code === undefined,
        'a live authorization request was approved without the principal',
        'no `code` (consent pending)',
        show(body),
      );
      const sandboxApprove = await session.request(dev, {
        method: 'POST',
        path: `/v1/authorize/${body.authRequestId}/approve`,
      });
      expectStatus(sandboxApprove, 403, 'the sandbox approve endpoint with a live key');
      const pending = await ctx.http.request({ method: 'GET', path: `/v1/consent/${body.authRequestId}`, auth: null });
      expectStatus(pending, 200, 'GET /v1/consent/{id} of a pending request');
      const approved = await ctx.http.request({
        method: 'POST',
        path: `/v1/consent/${body.authRequestId}/approve`,
        auth: null,
      });
      expectStatus(approved, 200, 'POST /v1/consent/{id}/approve');
      const again = await ctx.http.request({
        method: 'POST',
        path: `/v1/consent/${body.authRequestId}/approve`,
        auth: null,
      });
      expectStatus(again, 410, 'approving the same request twice');
      const code = (approved.body as { code?: string }).code;
      expectThat(typeof code === 'string', 'consent approval returned no code', 'a `code`', show(approved.body));
      const exchanged = await session.exchange(dev, code, agent.agentId);
      expectStatus(exchanged, 201, 'exchanging the consent code');
    },
  },
  {
    id: 'auth.consent-deny',
    area: 'auth',
    clause: 'SPEC §5.1 a principal who refuses gives the agent nothing',
    level: 'MUST',
    title: 'a denied live request can be neither approved nor exchanged',
    async run(ctx) {
      const { session } = ctx;
      const { dev, agent } = await liveConsentSetup(ctx);
      const authorized = await session.authorize(dev, {
        agentId: agent.agentId,
        principalId: session.principal('deny'),
        scopes: ['email:read'],
      });
      expectStatus(authorized, 201, 'POST /v1/authorize (live key)');
      const id = (authorized.body as { authRequestId: string }).authRequestId;
      const denied = await ctx.http.request({ method: 'POST', path: `/v1/consent/${id}/deny`, auth: null });
      expectStatus(denied, 200, 'POST /v1/consent/{id}/deny');
      const approve = await ctx.http.request({ method: 'POST', path: `/v1/consent/${id}/approve`, auth: null });
      expectStatus(approve, 410, 'approving a denied request');
    },
  },
  {
    id: 'auth.isolation',
    area: 'auth',
    clause:
      'SPEC §9.1 step 4 a resource of another developer is 404; §10.1; OpenAPI NotFound: another developer’s resources are not found, never readable or changeable',
    level: 'MUST',
    title:
      'a second developer can neither read nor change the first one’s agents, grants, tokens, audit entries, policies or webhooks',
    property: { requests: 25 },
    async run(ctx) {
      const { session } = ctx;
      const other = await session.devB();
      if (!other) return ctx.skip('no second developer (give a second --api-key or allow signup)');
      const owner = session.devA;
      const victim = await session.createAgent(owner, 'isolation');
      const issued = await session.issue(owner, { agent: victim, scopes: ['calendar:read', 'email:read'] });
      const pendingAuth = await session.authorize(owner, {
        agentId: victim.agentId,
        principalId: session.principal('iso'),
        scopes: ['files:read'],
      });
      expectStatus(pendingAuth, 201, 'POST /v1/authorize');
      const pendingCode = await session.approve(owner, pendingAuth);
      const logged = await session.logAudit(
        owner,
        { agent: victim, grantId: issued.grantId, principalId: issued.principalId },
        { action: 'isolation.probe', metadata: { run: session.runId } },
      );
      expectStatus(logged, 201, 'POST /v1/audit/log');
      const entryId = (logged.body as { entryId: string }).entryId;
      const otherAgent = await session.agent(other);
      let policyId: string | undefined;
      if (session.offers('policies')) {
        // Matches nothing the run does: this check's own agent and a principal nobody uses. Both
        // conditions, so a server that ignores one still denies no other check's requests.
        const policy = await session.request(owner, {
          method: 'POST',
          path: '/v1/policies',
          json: {
            name: session.name('isolation policy'),
            effect: 'deny',
            agentId: victim.agentId,
            principalId: `${session.runId}-nobody`,
          },
        });
        expectStatus(policy, 201, 'POST /v1/policies');
        policyId = (policy.body as { id: string }).id;
        session.track(`policy ${policyId}`, () =>
          session.request(owner, { method: 'DELETE', path: `/v1/policies/${policyId}` }),
        );
      }

      type Attack = { name: string; run: () => Promise<void> };
      const refused = async (spec: RequestSpec, allowed: number[], what: string) => {
        const exchange = await session.request(other, spec);
        expectStatus(exchange, allowed, `developer B: ${what}`);
      };
      const notListed = async (path: string, field: string, id: string, key: string, what: string) => {
        const exchange = await session.request(other, { method: 'GET', path });
        expectStatus(exchange, 200, `developer B: ${what}`);
        const items = ((exchange.body as Record<string, unknown>)[field] ?? []) as Array<Record<string, unknown>>;
        expectThat(
          !items.some((item) => item[key] === id),
          `developer B sees developer A's ${what}`,
          `no ${id} in B's list`,
          `${id} listed`,
        );
      };
      const attacks: Attack[] = [
        {
          name: 'read agent',
          run: () => refused({ method: 'GET', path: `/v1/agents/${victim.agentId}` }, [404], "GET A's agent"),
        },
        {
          name: 'update agent',
          run: () =>
            refused(
              { method: 'PATCH', path: `/v1/agents/${victim.agentId}`, json: { name: 'hijacked' } },
              [404],
              "PATCH A's agent",
            ),
        },
        {
          name: 'delete agent',
          run: () => refused({ method: 'DELETE', path: `/v1/agents/${victim.agentId}` }, [404], "DELETE A's agent"),
        },
        { name: 'list agents', run: () => notListed('/v1/agents', 'agents', victim.agentId, 'agentId', 'agents') },
        {
          name: 'read grant',
          run: () => refused({ method: 'GET', path: `/v1/grants/${issued.grantId}` }, [404], "GET A's grant"),
        },
        {
          name: 'revoke grant',
          run: () => refused({ method: 'DELETE', path: `/v1/grants/${issued.grantId}` }, [404], "DELETE A's grant"),
        },
        { name: 'list grants', run: () => notListed('/v1/grants', 'grants', issued.grantId, 'grantId', 'grants') },
        {
          name: 'authorize for agent',
          run: () =>
            refused(
              {
                method: 'POST',
                path: '/v1/authorize',
                json: { agentId: victim.agentId, principalId: 'mallory', scopes: ['calendar:read'] },
              },
              [404],
              "authorize for A's agent",
            ),
        },
        {
          name: 'exchange code',
          run: () =>
            refused(
              { method: 'POST', path: '/v1/token', json: { code: pendingCode.code, agentId: victim.agentId } },
              [400, 404],
              "exchange A's code",
            ),
        },
        {
          name: 'refresh',
          run: () =>
            refused(
              {
                method: 'POST',
                path: '/v1/token/refresh',
                json: { refreshToken: issued.refreshToken, agentId: victim.agentId },
              },
              [400, 404],
              "refresh A's grant",
            ),
        },
        {
          name: 'revoke token',
          run: () =>
            refused(
              { method: 'POST', path: '/v1/tokens/revoke', json: { jti: issued.jti } },
              [404],
              "revoke A's token",
            ),
        },
        {
          name: 'verify token',
          run: async () => {
            const exchange = await session.verifyOnline(other, issued.grantToken);
            expectStatus(exchange, 200, "developer B: verify A's token");
            expectThat(
              (exchange.body as { valid?: unknown }).valid === false,
              "developer B's online check accepts developer A's token",
              'valid: false',
              show(exchange.body),
            );
          },
        },
        {
          name: 'delegate',
          run: () =>
            refused(
              {
                method: 'POST',
                path: '/v1/grants/delegate',
                json: {
                  parentGrantToken: issued.grantToken,
                  subAgentId: otherAgent.agentId,
                  scopes: ['calendar:read'],
                },
              },
              [400, 403, 404],
              "delegate from A's token",
            ),
        },
        {
          name: 'read audit entry',
          run: () => refused({ method: 'GET', path: `/v1/audit/${entryId}` }, [404], "GET A's audit entry"),
        },
        {
          name: 'list audit entries',
          run: () => notListed('/v1/audit/entries', 'entries', entryId, 'entryId', 'audit entries'),
        },
      ];
      if (policyId) {
        attacks.push(
          {
            name: 'read policy',
            run: () => refused({ method: 'GET', path: `/v1/policies/${policyId}` }, [404], "GET A's policy"),
          },
          {
            name: 'update policy',
            run: () =>
              refused(
                { method: 'PATCH', path: `/v1/policies/${policyId}`, json: { effect: 'allow' } },
                [404],
                "PATCH A's policy",
              ),
          },
          {
            name: 'delete policy',
            run: () => refused({ method: 'DELETE', path: `/v1/policies/${policyId}` }, [404], "DELETE A's policy"),
          },
        );
      }

      const intact = async () => {
        const agent = await session.request(owner, { method: 'GET', path: `/v1/agents/${victim.agentId}` });
        expectStatus(agent, 200, "developer A reads its agent after B's attempts");
        expectThat(
          (agent.body as { name?: string }).name === victim.name,
          "developer B changed developer A's agent",
          show(victim.name),
          show(agent.body),
        );
        const grant = await session.getGrant(owner, issued.grantId);
        expectStatus(grant, 200, "developer A reads its grant after B's attempts");
        expectThat(
          (grant.body as { status?: string }).status === 'active',
          "developer B revoked developer A's grant",
          'status active',
          show(grant.body),
        );
        expectThat(
          await session.isValidOnline(owner, issued.grantToken),
          "developer A's token stopped verifying after B's attempts",
          'valid: true',
          'valid: false',
        );
        const entry = await session.request(owner, { method: 'GET', path: `/v1/audit/${entryId}` });
        expectStatus(entry, 200, "developer A reads its audit entry after B's attempts");
        if (policyId) {
          const policy = await session.request(owner, { method: 'GET', path: `/v1/policies/${policyId}` });
          expectStatus(policy, 200, "developer A reads its policy after B's attempts");
          expectThat(
            (policy.body as { effect?: string }).effect === 'deny',
            "developer B changed developer A's policy",
            'effect deny',
            show(policy.body),
          );
        }
      };

      // Every attack once, in order, then random selections and orders.
      await ctx.property(
        [fc.shuffledSubarray(attacks, { minLength: 1, maxLength: 6 })],
        async (chosen) => {
          for (const attack of chosen) await attack.run();
          await intact();
        },
        { examples: [[attacks]], maxRuns: 5 },
      );
    },
  },
];

/** Skips when the developer has allow policies that could approve the run's requests (their consent flow would be bypassed). */
/** A live developer whose requests wait for consent, and one of its agents; skips the check when there is none. */
async function liveConsentSetup(ctx: CheckContext): Promise<{ dev: Developer; agent: Agent }> {
  const dev = await ctx.session.liveDeveloper();
  if (!dev) return ctx.skip('no live API key available (give a gx_live_ key or allow signup)');
  await refuseIfAllowPolicies(ctx.session, dev, ctx.skip.bind(ctx));
  return { dev, agent: await ctx.session.agent(dev) };
}

async function refuseIfAllowPolicies(session: Session, dev: Developer, skip: (reason: string) => never): Promise<void> {
  if (!session.offers('policies') || dev.signedUp) return;
  const list = await session.request(dev, { method: 'GET', path: '/v1/policies' });
  if (list.status !== 200) return;
  const policies =
    (list.body as { policies?: Array<{ effect?: string; agentId?: string | null; principalId?: string | null }> })
      .policies ?? [];
  if (policies.some((policy) => policy.effect === 'allow' && policy.principalId == null)) {
    skip(
      'the developer has allow policies that may approve requests without consent; run with a developer without them',
    );
  }
}
