/**
 * @module checks/scopes
 * SPEC §4.4 scope governance: every standard scope of the §4.2 registry is
 * supported (one grant carrying all of them, a capped payment scope
 * included), and a reverse-domain custom scope (§4.3) is accepted as asked.
 * SPEC §4.5: each standard scope has a human-readable description, read from
 * the public consent API where the server offers it (what its consent page shows).
 */
import { expectThat, show, type Check } from '../engine/check.js';
import { expectStatus } from '../engine/session/expect.js';
import { STANDARD_SCOPES } from '../model/arbitraries.js';

const CAPPED = 'payments:initiate:max_500';
const CUSTOM = 'com.example.crm:contacts:write';

export const scopeChecks: Check[] = [
  {
    id: 'scopes.standard',
    area: 'scopes',
    clause: 'SPEC §4.4 implementations MUST support all standard scopes (§4.2 registry)',
    level: 'MUST',
    title:
      'a grant for every standard scope of §4.2 (and a payments:initiate:max_N scope) carries exactly those scopes',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.createAgent(dev, 'scopes', [...STANDARD_SCOPES, CAPPED]);
      const asked = [...STANDARD_SCOPES, CAPPED];
      const issued = await session.issue(dev, { agent, scopes: asked });
      const carried = new Set(Array.isArray(issued.claims['scp']) ? (issued.claims['scp'] as string[]) : []);
      const missing = asked.filter((scope) => !carried.has(scope));
      expectThat(
        missing.length === 0,
        'a standard scope is missing from the issued token',
        `scp holds all ${asked.length} standard scopes asked for`,
        `missing ${show(missing)}`,
      );
      const answered = new Set(issued.scopes);
      const notAnswered = asked.filter((scope) => !answered.has(scope));
      expectThat(
        notAnswered.length === 0,
        'the token answer does not list every standard scope granted',
        'scopes of the answer = the scopes asked for',
        `missing ${show(notAnswered)}`,
      );
    },
  },
  {
    id: 'scopes.custom-notation',
    area: 'scopes',
    clause:
      'SPEC §4.3 services MAY define reverse-domain custom scopes; §4.4 custom scopes use reverse-domain notation',
    level: 'SHOULD',
    title: `a reverse-domain custom scope (${CUSTOM}) is accepted and carried into the token as asked`,
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.createAgent(dev, 'custom scope', ['calendar:read', CUSTOM]);
      const issued = await session.issue(dev, { agent, scopes: ['calendar:read', CUSTOM] });
      const carried = Array.isArray(issued.claims['scp']) ? (issued.claims['scp'] as string[]) : [];
      expectThat(
        carried.includes(CUSTOM),
        'the reverse-domain custom scope is not in the token',
        `scp holds ${CUSTOM}`,
        show(carried),
      );
    },
  },
  {
    id: 'scopes.descriptions',
    area: 'scopes',
    clause: 'SPEC §4.5 Identity Services MUST maintain a human-readable description for each scope',
    level: 'MUST',
    title:
      'GET /v1/consent/{id} (the consent page’s source) gives each standard scope a description other than the raw string',
    async run(ctx) {
      const { session } = ctx;
      const dev = await session.liveDeveloper();
      if (!dev) return ctx.skip('no live developer: requests are approved without a consent page');
      const agent = await session.createAgent(dev, 'scope texts', [...STANDARD_SCOPES]);
      const authorized = await session.authorize(dev, {
        agentId: agent.agentId,
        principalId: session.principal('scope-texts'),
        scopes: [...STANDARD_SCOPES],
      });
      expectStatus(authorized, 201, 'POST /v1/authorize');
      const { authRequestId, code } = authorized.body as { authRequestId: string; code?: string };
      if (typeof code === 'string') return ctx.skip('the request was approved at once: no consent to describe');
      const shown = await session.http.request({ method: 'GET', path: `/v1/consent/${authRequestId}`, auth: null });
      if (shown.status === 404)
        return ctx.notImplemented('the server offers no public consent API (GET /v1/consent/{id})');
      expectStatus(shown, 200, 'GET /v1/consent/{id}');
      const body = shown.body as { scopes?: string[]; scopeDescriptions?: unknown[] };
      const scopes = body.scopes ?? [];
      const texts = body.scopeDescriptions ?? [];
      const raw = scopes.filter(
        (scope, index) =>
          typeof texts[index] !== 'string' || texts[index] === scope || String(texts[index]).trim() === '',
      );
      expectThat(
        scopes.length === STANDARD_SCOPES.length && raw.length === 0,
        'a standard scope has no human-readable description',
        `${STANDARD_SCOPES.length} descriptions, none the raw scope string`,
        raw.length > 0 ? `raw or missing for ${show(raw)}` : `scopes ${show(scopes)}`,
      );
    },
  },
];
