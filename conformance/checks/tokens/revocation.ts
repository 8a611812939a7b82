/**
 * @module checks/tokens/revocation
 * How a token's life ends before its exp: refresh tokens rotate single-use,
 * and revoking a token or its grant shows in the online check.
 */
import fc from 'fast-check';
import { expectThat, show, type Check } from '../../engine/check.js';
import { expectStatus } from '../../engine/session/expect.js';
import { judgeEach } from '../../engine/judge-each.js';
import { sameSet, verifyOffline } from './assertions.js';

export const revocationChecks: Check[] = [
  {
    id: 'tokens.refresh-rotation',
    area: 'tokens',
    clause: 'SPEC §7.4 refresh tokens are single-use and rotated on every refresh',
    level: 'MUST',
    title: 'a refresh gives a new token and refresh token for the same grant; a used refresh token answers 400',
    property: { requests: 8, authorize: 1, token: 4 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const other = await session.agent(dev, 'other');
      await ctx.property(
        [fc.integer({ min: 1, max: 3 })],
        async (rotations) => {
          const issued = await session.issue(dev, { agent, scopes: ['calendar:read', 'contacts:read'] });
          let current = issued;
          for (let i = 0; i < rotations; i++) {
            const refreshed = await session.refresh(dev, current.refreshToken, agent.agentId);
            expectStatus(refreshed, 201, `refresh #${i + 1}`);
            const next = session.issuedFrom(refreshed, agent, issued.principalId);
            expectThat(
              next.refreshToken !== current.refreshToken,
              'the refresh token was not rotated',
              'a new refreshToken',
              show(next.refreshToken),
            );
            expectThat(
              next.grantId === issued.grantId,
              'refresh changed the grant',
              show(issued.grantId),
              show(next.grantId),
            );
            expectThat(next.jti !== current.jti, 'refresh reissued the same token id', 'a new jti', show(next.jti));
            expectThat(
              sameSet(next.scopes, issued.scopes) && sameSet(next.claims['scp'] as string[], issued.scopes),
              'refresh changed the scopes',
              show(issued.scopes),
              show(next.claims['scp']),
            );
            await verifyOffline(session, next.grantToken);
            expectStatus(
              await session.refresh(dev, current.refreshToken, agent.agentId),
              400,
              `reusing the refresh token spent by refresh #${i + 1}`,
            );
            current = next;
          }
          expectStatus(
            await session.refresh(dev, current.refreshToken, other.agentId),
            400,
            'refreshing for another agent',
          );
        },
        { maxRuns: 5, examples: [[2]] },
      );
    },
  },
  {
    id: 'tokens.revoke-token',
    area: 'tokens',
    clause: 'SPEC §7.2 revoke a specific token; §7.3 online revocation check',
    level: 'MUST',
    title:
      'a revoked jti verifies invalid online; a sibling token of the same grant stays valid; revoking again answers 404',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const issued = await session.issue(dev, { agent, scopes: ['email:read'] });
      const refreshed = await session.refresh(dev, issued.refreshToken, agent.agentId);
      expectStatus(refreshed, 201, 'POST /v1/token/refresh');
      const sibling = session.issuedFrom(refreshed, agent, issued.principalId);
      expectStatus(await session.revokeToken(dev, issued.jti), 204, 'POST /v1/tokens/revoke');
      // Each consequence of the revocation is its own finding: a no-op revoke hides no wrong 404.
      await judgeEach(ctx, [
        {
          name: 'the revoked token',
          run: async () =>
            expectThat(
              !(await session.isValidOnline(dev, issued.grantToken)),
              'a revoked token still verifies online',
              'valid: false',
              'valid: true',
            ),
        },
        {
          name: 'its sibling',
          run: async () =>
            expectThat(
              await session.isValidOnline(dev, sibling.grantToken),
              'revoking one token invalidated its sibling',
              'valid: true for the refreshed token',
              'valid: false',
            ),
        },
        {
          name: 'revoking again',
          run: async () => expectStatus(await session.revokeToken(dev, issued.jti), 404, 'revoking the same jti again'),
        },
        {
          name: 'an unknown jti',
          run: async () =>
            expectStatus(
              await session.revokeToken(dev, 'tok_00000000000000000000000000'),
              404,
              'revoking an unknown jti',
            ),
        },
        {
          name: 'no jti',
          run: async () =>
            expectStatus(
              await session.request(dev, { method: 'POST', path: '/v1/tokens/revoke', json: {} }),
              400,
              'revoking without a jti',
            ),
        },
      ]);
    },
  },
  {
    id: 'tokens.revoke-grant',
    area: 'tokens',
    clause: 'SPEC §7.1 revoking a grant invalidates all its tokens',
    level: 'MUST',
    title:
      'after DELETE /v1/grants/{id}: every token of the grant is invalid online, its refresh token is refused, the record reads revoked',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const issued = await session.issue(dev, { agent, scopes: ['files:read', 'files:write'] });
      const refreshed = await session.refresh(dev, issued.refreshToken, agent.agentId);
      expectStatus(refreshed, 201, 'POST /v1/token/refresh');
      const second = session.issuedFrom(refreshed, agent, issued.principalId);
      const before = await session.getGrant(dev, issued.grantId);
      expectStatus(before, 200, 'GET /v1/grants/{id}');
      expectThat(
        (before.body as { status?: string }).status === 'active',
        'a new grant is not active',
        'status active',
        show(before.body),
      );
      expectStatus(await session.revokeGrant(dev, issued.grantId), 204, 'DELETE /v1/grants/{id}');
      // Each consequence of the revocation is its own finding, in an order where none changes another's state.
      await judgeEach(ctx, [
        {
          name: 'the first token',
          run: async () =>
            expectThat(
              !(await session.isValidOnline(dev, issued.grantToken)),
              'a token of a revoked grant still verifies online',
              'valid: false',
              'valid: true',
            ),
        },
        {
          name: 'the refreshed token',
          run: async () =>
            expectThat(
              !(await session.isValidOnline(dev, second.grantToken)),
              'a refreshed token of a revoked grant still verifies online',
              'valid: false',
              'valid: true',
            ),
        },
        {
          name: 'the grant record',
          async run() {
            const after = await session.getGrant(dev, issued.grantId);
            expectStatus(after, 200, 'GET /v1/grants/{id} after revocation');
            const record = after.body as { status?: string; revokedAt?: string };
            expectThat(
              record.status === 'revoked',
              'the grant record does not read revoked',
              'status revoked',
              show(record),
            );
          },
        },
        {
          name: 'its refresh token',
          run: async () =>
            expectStatus(
              await session.refresh(dev, second.refreshToken, agent.agentId),
              400,
              'refreshing a revoked grant',
            ),
        },
        {
          name: 'revoking again',
          run: async () =>
            expectStatus(await session.revokeGrant(dev, issued.grantId), 404, 'revoking the same grant again'),
        },
      ]);
    },
  },
];
