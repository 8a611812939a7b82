/**
 * @module checks/tokens/codes
 * Authorization codes: single-use, bound to the agent they were issued for,
 * and PKCE-protected when a challenge was given.
 */
import fc from 'fast-check';
import type { Check } from '../../engine/check.js';
import { computeCodeChallenge } from '../../engine/integrity.js';
import { expectStatus } from '../../engine/session/expect.js';
import { judgeEach } from '../../engine/judge-each.js';

const verifier = fc.stringMatching(/^[A-Za-z0-9._~-]{43,128}$/);

export const codeChecks: Check[] = [
  {
    id: 'tokens.code-single-use',
    area: 'tokens',
    clause: 'SPEC §5.3 token exchange; RFC 6749 §4.1.2 codes are single-use',
    level: 'MUST',
    title: 'an authorization code is exchanged once; the second exchange answers 400',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const authorized = await session.authorize(dev, {
        agentId: agent.agentId,
        principalId: session.principal('code'),
        scopes: ['files:read'],
      });
      expectStatus(authorized, 201, 'POST /v1/authorize');
      const { code } = await session.approve(dev, authorized);
      expectStatus(await session.exchange(dev, code, agent.agentId), 201, 'first exchange of the code');
      expectStatus(await session.exchange(dev, code, agent.agentId), 400, 'second exchange of the same code');
    },
  },
  {
    id: 'tokens.code-bound-to-agent',
    area: 'tokens',
    clause: 'SPEC §5.3 the code is exchanged together with the agent it was issued for',
    level: 'MUST',
    title: 'a code cannot be exchanged for another agent of the same developer',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const other = await session.agent(dev, 'other');
      const authorized = await session.authorize(dev, {
        agentId: agent.agentId,
        principalId: session.principal('bound'),
        scopes: ['files:read'],
      });
      expectStatus(authorized, 201, 'POST /v1/authorize');
      const { code } = await session.approve(dev, authorized);
      expectStatus(await session.exchange(dev, code, other.agentId), 400, 'exchanging the code for another agent');
      expectStatus(
        await session.exchange(dev, code, 'ag_00000000000000000000000000'),
        400,
        'exchanging the code for an unknown agent',
      );
    },
  },
  {
    id: 'tokens.pkce',
    area: 'tokens',
    clause: 'RFC 7636 §4.6 the server verifies code_verifier; SPEC §5.3',
    level: 'MUST',
    title:
      'with a codeChallenge, exchange needs the matching verifier (missing or wrong: 400, the code stays usable); only S256 is accepted',
    property: { requests: 6, authorize: 1, token: 3 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      // Refusing the plain method and checking the S256 verifier are judged apart: a server accepting
      // plain still shows, as its own finding, whether it checks the verifier.
      const plainRefused = async () => {
        const plain = await session.authorize(dev, {
          agentId: agent.agentId,
          principalId: session.principal('pkce'),
          scopes: ['files:read'],
          codeChallenge: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
          codeChallengeMethod: 'plain',
        });
        expectStatus(plain, 400, 'authorize with codeChallengeMethod "plain"');
      };
      const verifierChecked = () =>
        ctx.property(
          [verifier, verifier],
          async (right, wrong) => {
            const challenge = await computeCodeChallenge(right);
            const authorized = await session.authorize(dev, {
              agentId: agent.agentId,
              principalId: session.principal('pkce'),
              scopes: ['files:read'],
              codeChallenge: challenge,
              codeChallengeMethod: 'S256',
            });
            expectStatus(authorized, 201, 'POST /v1/authorize with a codeChallenge');
            const { code } = await session.approve(dev, authorized);
            expectStatus(await session.exchange(dev, code, agent.agentId), 400, 'exchange without the codeVerifier');
            if (wrong !== right)
              expectStatus(
                await session.exchange(dev, code, agent.agentId, wrong),
                400,
                'exchange with a wrong codeVerifier',
              );
            expectStatus(
              await session.exchange(dev, code, agent.agentId, right),
              201,
              'exchange with the right codeVerifier',
            );
          },
          {
            examples: [['dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK']],
          },
        );
      await judgeEach(ctx, [
        { name: 'the plain method', run: plainRefused },
        { name: 'the S256 verifier', run: verifierChecked },
      ]);
    },
  },
];
