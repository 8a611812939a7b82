/**
 * @module checks/token-ids
 * What makes tokens traceable and keys safe: SPEC §3.3 the JWKS publishes
 * public keys only (private keys never leave the service), and §14 token
 * replay is detectable through `jti` (every token, refreshed ones included,
 * has its own; revoking one jti ends exactly that token).
 */
import { expectThat, show, type Check } from '../engine/check.js';
import { judgeEach } from '../engine/judge-each.js';
import { decodeToken, expectStatus } from '../engine/session/expect.js';

/** JWK members that belong to a private key (RFC 7518 §6.3.2, §6.4.1 `k`). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export const tokenIdChecks: Check[] = [
  {
    id: 'tokens.jwks-public-only',
    area: 'tokens',
    clause: 'SPEC §3.3 private keys MUST never leave the Identity Service; public keys at /.well-known/jwks.json',
    level: 'MUST',
    title: 'no key of the JWKS carries a private member (d, p, q, dp, dq, qi, oth, k)',
    async run(ctx) {
      const exchange = await ctx.session.http.request({ method: 'GET', path: '/.well-known/jwks.json' });
      expectStatus(exchange, 200, 'GET /.well-known/jwks.json');
      const keys = (exchange.body as { keys?: Array<Record<string, unknown>> } | undefined)?.keys ?? [];
      for (const key of keys) {
        const leaked = PRIVATE_MEMBERS.filter((member) => Object.hasOwn(key, member));
        expectThat(
          leaked.length === 0,
          'the JWKS publishes private key material',
          'public members only (kty, n, e, kid, alg, use)',
          `key ${show(key['kid'] ?? null)} has ${leaked.join(', ')}`,
        );
      }
    },
  },
  {
    id: 'tokens.jti',
    area: 'tokens',
    clause: 'SPEC §14 token replay MUST be detectable via jti tracking; §7.2 revoke a specific token by jti',
    level: 'MUST',
    title:
      'every token (two grants and a refreshed one) has its own jti; revoking a refreshed token’s jti ends it while the other tokens stay valid',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.createAgent(dev, 'jti');
      const first = await session.issue(dev, { agent, scopes: ['calendar:read'] });
      const second = await session.issue(dev, { agent, scopes: ['calendar:read'] });
      const refreshed = await session.refresh(dev, first.refreshToken, agent.agentId);
      expectStatus(refreshed, 201, 'POST /v1/token/refresh');
      const third = (refreshed.body as { grantToken: string }).grantToken;
      const jtis = [first.grantToken, second.grantToken, third].map((token) => decodeToken(token).claims['jti']);
      await judgeEach(ctx, [
        {
          name: 'jti.present',
          async run() {
            expectThat(
              jtis.every((jti) => typeof jti === 'string' && jti.length > 0),
              'a token has no jti',
              'a non-empty jti string in every token',
              show(jtis),
            );
          },
        },
        {
          name: 'jti.unique',
          async run() {
            expectThat(
              new Set(jtis).size === jtis.length,
              'two tokens share a jti, so a replay cannot be told from the original',
              'three distinct jti values (two grants, one refresh)',
              show(jtis),
            );
          },
        },
        {
          name: 'jti.revocation',
          async run() {
            expectStatus(await session.revokeToken(dev, String(jtis[2])), 204, 'POST /v1/tokens/revoke');
            expectThat(
              !(await session.isValidOnline(dev, third)),
              'the token whose jti was revoked still verifies',
              'valid: false for the revoked jti',
              'valid: true',
            );
            expectThat(
              await session.isValidOnline(dev, second.grantToken),
              'revoking one jti ended another grant’s token',
              'the other grant’s token stays valid',
              'valid: false',
            );
          },
        },
      ]);
    },
  },
];
