/**
 * @module checks/limits
 * Limits probed on both sides of their boundary: a request exactly at a limit
 * is accepted, one step past it is refused. The limits here are our OpenAPI's
 * AuthorizeRequest (scopes per request and the length of each, principalId,
 * redirectUri, state and audience lengths, a positive expiresIn) and
 * CreateAgentRequest (scopes and their length); SPEC.md states none of them,
 * so these checks are SHOULD. Audit metadata (16384 bytes, our OpenAPI) is
 * probed at the limit only, since SPEC.md lets a server accept more. SPEC §9's
 * RECOMMENDED default depth 3 is judged here (delegation.default-depth); the
 * depth limit and hard cap by delegation.depth, the 24 h lifetime by
 * tokens.max-lifetime, the 720 h passport by passports.max-expiry and
 * passports.expiry-at-limit.
 */
import { expectThat, show, type Check } from '../engine/check.js';
import { judgeEach } from '../engine/judge-each.js';
import { expectStatus } from '../engine/session/expect.js';
import type { Issued } from '../engine/session/types.js';

/** OpenAPI AuditLogRequest: the largest metadata, in bytes of canonical JSON. */
const AUDIT_METADATA_BYTES = 16_384;

/** SPEC §9: the default RECOMMENDED delegation depth limit. */
const DEFAULT_DEPTH = 3;

/** `text` padded with `fill` (or cut) to exactly `length` characters. */
function sized(text: string, length: number, fill = 'a'): string {
  return `${text}${fill.repeat(Math.max(0, length - text.length))}`.slice(0, length);
}

/** A custom scope in reverse-domain notation (SPEC §4.3) of exactly `length` characters. */
function scopeOf(length: number): string {
  const action = ':read';
  return `${sized('test.grantex.limits:long', length - action.length, 'x')}${action}`;
}

/** An absolute https redirect URI of exactly `length` characters (never visited: nothing is approved in a browser). */
function redirectUriOf(length: number): string {
  return sized('https://client.example.com/callback?pad=', length);
}

/** `count` distinct custom scopes in reverse-domain notation (SPEC §4.3). */
function customScopes(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `test.grantex.limits:item${index}:read`);
}

export const limitChecks: Check[] = [
  {
    id: 'contract.limits',
    area: 'contract',
    clause:
      'OpenAPI AuthorizeRequest: scopes 1 to 100 of at most 256 characters each, principalId at most 256 characters, redirectUri at most 2048, state and audience at most 1024, expiresIn positive (SPEC.md states no such limit, hence SHOULD)',
    level: 'SHOULD',
    title:
      'authorize accepts each documented limit exactly (100 scopes, a 256-character scope and principalId, a 2048-character redirectUri, a 1024-character state and audience, expiresIn 1s) and refuses one step past it with 400',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev, 'limits');
      type Asked = {
        principalId?: string;
        scopes?: string[];
        expiresIn?: string;
        redirectUri?: string;
        state?: string;
        audience?: string;
      };
      const ask = ({ principalId, scopes, ...rest }: Asked) =>
        session.authorize(dev, {
          agentId: agent.agentId,
          principalId: principalId ?? session.principal('limits'),
          scopes: scopes ?? ['calendar:read'],
          ...rest,
        });
      const tag = `limits-${session.runId}-`;
      // A principal id of exactly `length` characters, still unique to the run.
      const principalOf = (length: number) => {
        const unique = session.principal('limits');
        return `${unique}${'p'.repeat(Math.max(0, length - unique.length))}`.slice(0, length);
      };
      // Every member at its limit in one request: where the server accepts it (as a correct one does), each
      // at-limit side is shown by that one request, which spares rate-limited servers seven authorizations;
      // otherwise each side sends its own request, so the finding names the limit the server refuses.
      const everyLimit: Asked = {
        scopes: [...customScopes(99), scopeOf(256)],
        principalId: principalOf(256),
        redirectUri: redirectUriOf(2048),
        state: sized(tag, 1024),
        audience: sized(`urn:${tag}`, 1024),
        expiresIn: '1s',
      };
      const together = (await ask(everyLimit)).status === 201;
      if (together) ctx.note('one request with every member at its limit was accepted: it judges each at-limit side');
      const atLimit = (name: string, body: Asked, what: string) => ({
        name,
        async run() {
          if (!together) expectStatus(await ask(body), 201, what);
        },
      });
      const pastLimit = (name: string, body: Asked, what: string) => ({
        name,
        run: async () => expectStatus(await ask(body), 400, what),
      });
      /** The two sides of one length limit: `max` accepted (201), `max + 1` refused (400). */
      const lengthSides = (what: string, max: number, body: (length: number) => Asked) => [
        atLimit(`${what} at the limit (${max} characters)`, body(max), `authorize with a ${max}-character ${what}`),
        pastLimit(
          `${what} one past the limit (${max + 1} characters)`,
          body(max + 1),
          `authorize with a ${max + 1}-character ${what}`,
        ),
      ];
      await judgeEach(ctx, [
        atLimit('scopes at the limit (100)', { scopes: customScopes(100) }, 'authorize with 100 scopes'),
        pastLimit('scopes one past the limit (101)', { scopes: customScopes(101) }, 'authorize with 101 scopes'),
        ...lengthSides('principalId', 256, (length) => ({ principalId: principalOf(length) })),
        ...lengthSides('scope', 256, (length) => ({ scopes: [scopeOf(length)] })),
        ...lengthSides('redirectUri', 2048, (length) => ({ redirectUri: redirectUriOf(length) })),
        ...lengthSides('state', 1024, (length) => ({ state: sized(tag, length) })),
        ...lengthSides('audience', 1024, (length) => ({ audience: sized(`urn:${tag}`, length) })),
        atLimit('expiresIn at the lower limit (1s)', { expiresIn: '1s' }, 'authorize with expiresIn 1s'),
        pastLimit('expiresIn one step below it (0s)', { expiresIn: '0s' }, 'authorize with expiresIn 0s'),
      ]);
    },
  },
  {
    id: 'delegation.default-depth',
    area: 'delegation',
    clause:
      'SPEC §9 "The default RECOMMENDED limit is 3" (a deployment may configure another limit, hence SHOULD; the limit itself and the hard cap are delegation.depth’s MUST)',
    level: 'SHOULD',
    title:
      'with the default limit, a chain of exactly 3 delegations is issued (delegationDepth 1, 2, 3) and a 4th is refused',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const subs = [await session.agent(dev, 'sub'), await session.agent(dev, 'sub2')];
      const root = await session.issue(dev, {
        agent: await session.agent(dev, 'default-depth'),
        scopes: ['calendar:read'],
      });
      let current: Issued = root;
      let reached = 0;
      const hop = (depth: number) =>
        session.delegate(dev, {
          parentGrantToken: current.grantToken,
          subAgentId: subs[depth % 2]!.agentId,
          scopes: ['calendar:read'],
        });
      await judgeEach(ctx, [
        {
          name: `a chain of exactly ${DEFAULT_DEPTH} delegations, the limit`,
          async run() {
            for (let depth = 1; depth <= DEFAULT_DEPTH; depth++) {
              const exchange = await hop(depth);
              expectStatus(exchange, 201, `delegating to depth ${depth} (at most the default limit ${DEFAULT_DEPTH})`);
              const child = session.issuedFrom(exchange, subs[depth % 2]!, root.principalId);
              expectThat(
                child.claims['delegationDepth'] === depth,
                `the token delegated at hop ${depth} does not carry delegationDepth ${depth}`,
                String(depth),
                show(child.claims['delegationDepth']),
              );
              current = child;
              reached = depth;
            }
          },
        },
        {
          name: `one delegation past it (depth ${DEFAULT_DEPTH + 1})`,
          async run() {
            if (reached < DEFAULT_DEPTH) ctx.skip(`the chain stopped at depth ${reached}`);
            const exchange = await hop(DEFAULT_DEPTH + 1);
            expectStatus(exchange, [400, 403], `delegating to depth ${DEFAULT_DEPTH + 1}, past the default limit`);
          },
        },
      ]);
    },
  },
  {
    id: 'contract.agent-limits',
    area: 'contract',
    clause:
      'OpenAPI CreateAgentRequest: at most 100 scopes of at most 256 characters each (SPEC.md states no such limit, hence SHOULD)',
    level: 'SHOULD',
    title:
      'POST /v1/agents accepts exactly 100 scopes and a 256-character scope, and refuses 101 scopes with 400 (a 257-character scope is probed on authorize only)',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      /** POST /v1/agents with `scopes`; an agent it makes, even by mistake, is the run's own and is deleted with the rest. */
      // No 257-character scope here: an agent that accepted it would echo it, and the Agent schema's
      // Scope (256 at most) would turn a SHOULD into a contract.op.agentsCreate MUST failure.
      const register = async (scopes: string[]) => {
        const exchange = await session.request(dev, {
          method: 'POST',
          path: '/v1/agents',
          json: { name: session.name('agent limits'), description: `grantex conformance run ${session.runId}`, scopes },
        });
        const agentId = (exchange.body as { agentId?: unknown } | undefined)?.agentId;
        if (exchange.status === 201 && typeof agentId === 'string')
          session.track(`agent ${agentId}`, () =>
            session.request(dev, { method: 'DELETE', path: `/v1/agents/${agentId}` }),
          );
        return exchange;
      };
      await judgeEach(ctx, [
        {
          name: 'scopes at the limit (100)',
          run: async () => expectStatus(await register(customScopes(100)), 201, 'POST /v1/agents with 100 scopes'),
        },
        {
          name: 'scopes one past the limit (101)',
          run: async () => expectStatus(await register(customScopes(101)), 400, 'POST /v1/agents with 101 scopes'),
        },
        {
          name: 'a scope at the limit (256 characters)',
          run: async () =>
            expectStatus(await register([scopeOf(256)]), 201, 'POST /v1/agents with a 256-character scope'),
        },
      ]);
    },
  },
  {
    id: 'audit.metadata-at-limit',
    area: 'audit',
    clause:
      'OpenAPI AuditLogRequest metadata: any object of at most 16384 bytes of canonical JSON (SPEC.md states no limit, hence SHOULD; past it a server may still accept, so only this side is judged)',
    level: 'SHOULD',
    title: 'POST /v1/audit/log accepts metadata of exactly 16384 bytes of canonical JSON, the documented limit',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const grant = await session.sharedGrant(dev);
      // Canonical JSON {"pad":"…"}: 10 bytes around the padding.
      const metadata = { pad: sized(`${session.runId}-`, AUDIT_METADATA_BYTES - 10) };
      const logged = await session.logAudit(dev, grant, { action: 'limits.metadata-at-limit', metadata });
      expectStatus(logged, 201, `POST /v1/audit/log with ${AUDIT_METADATA_BYTES} bytes of metadata`);
      ctx.note('the entry stays: the audit trail is append-only');
    },
  },
];
