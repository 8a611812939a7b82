/**
 * @module checks/limits
 * Limits probed on both sides of their boundary: a request exactly at a limit
 * is accepted, one step past it is refused. The limits here are our OpenAPI's
 * (scopes per request, principalId length, a positive expiresIn); SPEC.md
 * states none of them, so the check is a SHOULD. The delegation depth (SPEC
 * §9) is probed by delegation.depth, the 24 h lifetime by tokens.max-lifetime.
 */
import type { Check } from '../engine/check.js';
import { judgeEach } from '../engine/judge-each.js';
import { expectStatus } from '../engine/session/expect.js';

/** `count` distinct custom scopes in reverse-domain notation (SPEC §4.3). */
function customScopes(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `test.grantex.limits:item${index}:read`);
}

export const limitChecks: Check[] = [
  {
    id: 'contract.limits',
    area: 'contract',
    clause:
      'OpenAPI AuthorizeRequest: scopes 1 to 100, principalId at most 256 characters, expiresIn positive (SPEC.md states no such limit, hence SHOULD)',
    level: 'SHOULD',
    title:
      'authorize accepts exactly 100 scopes, a 256-character principalId and expiresIn 1s, and refuses 101 scopes, 257 characters and 0s with 400',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev, 'limits');
      const ask = (body: { principalId?: string; scopes?: string[]; expiresIn?: string }) =>
        session.authorize(dev, {
          agentId: agent.agentId,
          principalId: body.principalId ?? session.principal('limits'),
          scopes: body.scopes ?? ['calendar:read'],
          ...(body.expiresIn !== undefined ? { expiresIn: body.expiresIn } : {}),
        });
      // A principal id of exactly `length` characters, still unique to the run.
      const principalOf = (length: number) => {
        const tag = session.principal('limits');
        return `${tag}${'p'.repeat(Math.max(0, length - tag.length))}`.slice(0, length);
      };
      await judgeEach(ctx, [
        {
          name: 'scopes at the limit (100)',
          run: async () => expectStatus(await ask({ scopes: customScopes(100) }), 201, 'authorize with 100 scopes'),
        },
        {
          name: 'scopes one past the limit (101)',
          run: async () => expectStatus(await ask({ scopes: customScopes(101) }), 400, 'authorize with 101 scopes'),
        },
        {
          name: 'principalId at the limit (256 characters)',
          run: async () =>
            expectStatus(
              await ask({ principalId: principalOf(256) }),
              201,
              'authorize with a 256-character principalId',
            ),
        },
        {
          name: 'principalId one past the limit (257 characters)',
          run: async () =>
            expectStatus(
              await ask({ principalId: principalOf(257) }),
              400,
              'authorize with a 257-character principalId',
            ),
        },
        {
          name: 'expiresIn at the lower limit (1s)',
          run: async () => expectStatus(await ask({ expiresIn: '1s' }), 201, 'authorize with expiresIn 1s'),
        },
        {
          name: 'expiresIn one step below it (0s)',
          run: async () => expectStatus(await ask({ expiresIn: '0s' }), 400, 'authorize with expiresIn 0s'),
        },
      ]);
    },
  },
];
