/**
 * @module checks/agent-state
 * An agent's state has effects: once suspended it can no longer be
 * authorized, exchange a code approved earlier or refresh, until it is
 * reactivated; once deleted its tokens no longer verify, a code approved
 * before the deletion no longer exchanges and nothing more can be issued to it. Each effect is its own finding. SPEC.md has no sentence on
 * agent status or deletion (§3.2 only shows `"status": "active"`), so this is
 * a SHOULD; our OpenAPI describes the behaviour (authorize: "one of the
 * developer's active agents; another id is 404").
 */
import { expectThat, type Check } from '../engine/check.js';
import { judgeEach } from '../engine/judge-each.js';
import { expectStatus } from '../engine/session/expect.js';
import type { Agent, Developer } from '../engine/session/types.js';
import type { Session } from '../engine/session/session.js';

/** Refusals a server may give for an agent that cannot act. */
const REFUSED = [400, 403, 404];

function setStatus(session: Session, dev: Developer, agent: Agent, status: 'active' | 'suspended') {
  return session.request(dev, { method: 'PATCH', path: `/v1/agents/${agent.agentId}`, json: { status } });
}

export const agentStateChecks: Check[] = [
  {
    id: 'lifecycle.agent-suspended',
    area: 'lifecycle',
    clause:
      'OpenAPI agentsUpdate status and authorize agentId ("one of the developer’s active agents"); SPEC.md states no effect of agent status, hence SHOULD',
    level: 'SHOULD',
    title:
      'a suspended agent is refused authorize, the exchange of a code approved before, and refresh; reactivated, it is authorized again',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.createAgent(dev, 'suspended');
      const issued = await session.issue(dev, { agent, scopes: ['calendar:read'] });
      const pending = await session.authorize(dev, {
        agentId: agent.agentId,
        principalId: session.principal('suspended'),
        scopes: ['files:read'],
      });
      expectStatus(pending, 201, 'POST /v1/authorize');
      const { code } = await session.approve(dev, pending);
      expectStatus(await setStatus(session, dev, agent, 'suspended'), 200, 'PATCH /v1/agents/{id} status suspended');
      const ask = () =>
        session.authorize(dev, {
          agentId: agent.agentId,
          principalId: session.principal('suspended'),
          scopes: ['calendar:read'],
        });
      await judgeEach(ctx, [
        {
          name: 'authorize for a suspended agent',
          run: async () => expectStatus(await ask(), REFUSED, 'POST /v1/authorize for a suspended agent'),
        },
        {
          name: 'exchanging a code approved before the suspension',
          run: async () =>
            expectStatus(
              await session.exchange(dev, code, agent.agentId),
              REFUSED,
              'POST /v1/token for a suspended agent',
            ),
        },
        {
          name: 'refreshing a grant of a suspended agent',
          run: async () =>
            expectStatus(
              await session.refresh(dev, issued.refreshToken, agent.agentId),
              REFUSED,
              'POST /v1/token/refresh for a suspended agent',
            ),
        },
        {
          name: 'reactivation',
          run: async () => {
            expectStatus(await setStatus(session, dev, agent, 'active'), 200, 'PATCH /v1/agents/{id} status active');
            expectStatus(await ask(), 201, 'POST /v1/authorize for the reactivated agent');
          },
        },
      ]);
      ctx.note('tokens issued before the suspension are not judged: SPEC.md says nothing of them');
    },
  },
  {
    id: 'lifecycle.agent-deleted',
    area: 'lifecycle',
    clause:
      'OpenAPI agentsDelete and authorize agentId; SPEC §2 a grant token represents a valid grant, and SPEC.md states no effect of deleting an agent, hence SHOULD',
    level: 'SHOULD',
    title:
      'once an agent is deleted its tokens verify invalid online, its refresh token is refused, a code approved before the deletion does not exchange, and it cannot be authorized',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.createAgent(dev, 'deleted');
      const issued = await session.issue(dev, { agent, scopes: ['calendar:read'] });
      const pending = await session.authorize(dev, {
        agentId: agent.agentId,
        principalId: session.principal('deleted'),
        scopes: ['files:read'],
      });
      expectStatus(pending, 201, 'POST /v1/authorize');
      const { code } = await session.approve(dev, pending);
      expectStatus(
        await session.request(dev, { method: 'DELETE', path: `/v1/agents/${agent.agentId}` }),
        204,
        'DELETE /v1/agents/{id}',
      );
      await judgeEach(ctx, [
        {
          name: 'a token of a deleted agent',
          run: async () =>
            expectThat(
              !(await session.isValidOnline(dev, issued.grantToken)),
              'a token of a deleted agent still verifies online',
              'valid: false',
              'valid: true',
            ),
        },
        {
          name: 'refreshing a grant of a deleted agent',
          run: async () =>
            expectStatus(
              await session.refresh(dev, issued.refreshToken, agent.agentId),
              REFUSED,
              'POST /v1/token/refresh for a deleted agent',
            ),
        },
        {
          name: 'exchanging a code approved before the deletion',
          run: async () =>
            expectStatus(
              await session.exchange(dev, code, agent.agentId),
              REFUSED,
              'POST /v1/token for a deleted agent',
            ),
        },
        {
          name: 'authorize for a deleted agent',
          run: async () =>
            expectStatus(
              await session.authorize(dev, {
                agentId: agent.agentId,
                principalId: session.principal('deleted'),
                scopes: ['calendar:read'],
              }),
              404,
              'POST /v1/authorize for a deleted agent',
            ),
        },
      ]);
    },
  },
];
