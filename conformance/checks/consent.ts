/**
 * @module checks/consent
 * SPEC §14 redirect URIs are pre-registered and exactly matched: a URI that
 * is not http(s) (javascript:, data:) can never be a registered one and is
 * refused; the approval sends the principal back to exactly the URI given.
 * SPEC §4.5 and §14 consent UI: loaded in headless Chromium (Debian's
 * /usr/bin/chromium, or CHROMIUM_PATH) when it is installed, the page shows
 * the agent name, the developer name, each scope's description (never the
 * raw string), the expiry and a visible deny; approving returns to the
 * redirect URI with the same state. Each property is its own finding.
 */
import { existsSync } from 'node:fs';
import { expectThat, show, type Check } from '../engine/check.js';
import type { CheckContext } from '../engine/context.js';
import { judgeEach } from '../engine/judge-each.js';
import { expectStatus } from '../engine/session/expect.js';
import { openConsentPage } from './consent-page.js';

/** Where redirect URIs point: the discard port of the server's own loopback, never reached. */
const REGISTERED = 'https://127.0.0.1:9/consent-callback?keep=1';

/** An authorize body for the check's own agent, with `redirectUri`. */
async function authorizeWith(ctx: CheckContext, redirectUri: string, scopes = ['calendar:read']) {
  const { session } = ctx;
  const dev = session.devA;
  const agent = await session.agent(dev, 'consent');
  return session.authorize(dev, {
    agentId: agent.agentId,
    principalId: session.principal('consent'),
    scopes,
    redirectUri,
    state: `st-${session.runId}`,
  });
}

export const consentChecks: Check[] = [
  {
    id: 'consent.redirect-uri',
    area: 'consent',
    clause: 'SPEC §14 redirect URIs MUST be pre-registered and exactly matched',
    level: 'MUST',
    title:
      'authorize refuses a javascript: or data: redirectUri (never registrable); an approval returns exactly the redirectUri given',
    async run(ctx) {
      const { session } = ctx;
      const refused = (name: string, uri: string) => ({
        name,
        async run() {
          const answer = await authorizeWith(ctx, uri);
          expectThat(
            answer.status >= 400 && answer.status < 500,
            `a ${uri.split(':')[0]}: redirectUri was accepted`,
            'a 4xx refusal: only http(s) URIs can be registered redirect URIs',
            `${answer.status} ${show(answer.body, 160)}`,
          );
        },
      });
      await judgeEach(ctx, [
        refused('redirect.javascript', 'javascript:alert(document.domain)//'),
        refused('redirect.data', 'data:text/html,<script>alert(1)</script>'),
        {
          name: 'redirect.exact',
          async run() {
            const answer = await authorizeWith(ctx, REGISTERED);
            expectStatus(answer, 201, 'POST /v1/authorize with an https redirectUri');
            const body = answer.body as { authRequestId: string; code?: string };
            if (typeof body.code === 'string') ctx.skip('the developer’s requests are approved at once (sandbox)');
            const approved = await session.http.request({
              method: 'POST',
              path: `/v1/consent/${body.authRequestId}/approve`,
              auth: null,
            });
            expectStatus(approved, 200, 'approving as the principal');
            const redirectUri = (approved.body as { redirectUri?: unknown }).redirectUri;
            expectThat(
              redirectUri === REGISTERED,
              'the approval does not return exactly the redirectUri of the request',
              REGISTERED,
              show(redirectUri ?? null),
            );
          },
        },
      ]);
    },
  },
  {
    id: 'consent.ui',
    area: 'consent',
    clause:
      'SPEC §14 consent UIs MUST display agent name, developer name, scopes with descriptions, expiry, a deny action, and validate state; §4.5 never raw scope strings',
    level: 'MUST',
    title:
      'the consent page (headless Chromium) shows the agent and developer names, each scope’s description and never its raw string, the expiry and a visible deny; approving returns to the redirect URI with the state',
    async run(ctx) {
      const executable = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
      if (!existsSync(executable))
        return ctx.skip(
          `no Chromium at ${executable} (install Debian's chromium or set CHROMIUM_PATH): the consent UI is not judged`,
        );
      const { session } = ctx;
      const dev = await session.liveDeveloper();
      if (!dev) return ctx.skip('no live developer: every request is approved without a consent page');
      const scopes = ['calendar:read', 'email:send'];
      const agent = await session.agent(dev, 'consent ui');
      const state = `st-${session.runId}-ui`;
      const authorized = await session.authorize(dev, {
        agentId: agent.agentId,
        principalId: session.principal('consent-ui'),
        scopes,
        redirectUri: REGISTERED,
        state,
        expiresIn: '2h',
      });
      expectStatus(authorized, 201, 'POST /v1/authorize');
      const { consentUrl, authRequestId, expiresAt, code } = authorized.body as {
        consentUrl?: string;
        authRequestId: string;
        expiresAt?: string;
        code?: string;
      };
      if (typeof code === 'string') ctx.skip('the request was approved at once: no consent page to judge');
      if (typeof consentUrl !== 'string') return ctx.skip('the authorize answer has no consentUrl');
      const base = new URL(session.http.baseUrl);
      if (new URL(consentUrl).origin !== base.origin)
        ctx.skip(`the consent page is on ${new URL(consentUrl).origin}, not the server the run was given`);
      const described = await session.http.request({ method: 'GET', path: `/v1/consent/${authRequestId}`, auth: null });
      const descriptions =
        described.status === 200 ? ((described.body as { scopeDescriptions?: string[] }).scopeDescriptions ?? []) : [];
      const page = await openConsentPage(executable, consentUrl, base.origin, ctx.session.options.timeoutMs);
      try {
        const text = page.text;
        await judgeEach(ctx, [
          {
            name: 'consent.agent-name',
            async run() {
              expectThat(
                text.includes(agent.name),
                'the consent page does not show the agent name',
                agent.name,
                show(text, 200),
              );
            },
          },
          {
            name: 'consent.developer-name',
            async run() {
              if (!dev.signedUp) ctx.skip('the developer’s name is unknown to the run (a given key)');
              const name = `${session.runId} developer ${dev.name}`;
              expectThat(
                text.includes(name),
                'the consent page does not show the developer name',
                name,
                show(text, 200),
              );
            },
          },
          {
            name: 'consent.scope-descriptions',
            async run() {
              const raw = scopes.filter((scope) => text.includes(scope));
              expectThat(raw.length === 0, 'the consent page shows raw scope strings', 'descriptions only', show(raw));
              const missing = descriptions.filter((description) => !text.includes(description));
              expectThat(
                descriptions.length === scopes.length && missing.length === 0,
                'the consent page does not show every scope’s description',
                `${scopes.length} descriptions from GET /v1/consent/{id}, each on the page`,
                descriptions.length === scopes.length
                  ? `missing ${show(missing)}`
                  : `descriptions ${show(descriptions)}`,
              );
            },
          },
          {
            name: 'consent.expiry',
            async run() {
              expectThat(
                typeof expiresAt === 'string' && showsDate(text, expiresAt),
                'the consent page does not show the expiry',
                `the date of ${expiresAt ?? '(no expiresAt)'} or a duration`,
                show(text, 200),
              );
            },
          },
          {
            name: 'consent.deny',
            async run() {
              expectThat(
                page.denyVisible,
                'the consent page has no visible deny or cancel action',
                'a visible, enabled deny/cancel button or link',
                'none',
              );
            },
          },
          {
            name: 'consent.state-redirect',
            async run() {
              const landed = await page.approve();
              expectThat(
                landed !== undefined,
                'approving on the consent page leads nowhere',
                REGISTERED,
                'no navigation',
              );
              const url = new URL(landed);
              const registered = new URL(REGISTERED);
              expectThat(
                url.origin === registered.origin &&
                  url.pathname === registered.pathname &&
                  url.searchParams.get('keep') === '1' &&
                  url.searchParams.get('state') === state &&
                  (url.searchParams.get('code') ?? '').length > 0,
                'approving does not return to the registered redirect URI with the same state and a code',
                `${REGISTERED}&code=…&state=${state}`,
                landed,
              );
            },
          },
        ]);
      } finally {
        await page.close();
      }
    },
  },
];

/** Whether `text` shows the date of `iso` (several common renderings) or a lifetime. */
function showsDate(text: string, iso: string): boolean {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return false;
  const forms = [
    iso,
    iso.slice(0, 10),
    date.toLocaleDateString('en-US'),
    date.toLocaleDateString('en-GB'),
    date.toLocaleString('en-US', { month: 'short', day: 'numeric' }),
    date.toLocaleString('en-US', { month: 'long', day: 'numeric' }),
    date.toUTCString().slice(5, 16),
  ];
  return forms.some((form) => text.includes(form)) || /\b\d+\s*(hours?|hrs?|h|minutes?|min|days?)\b/i.test(text);
}
