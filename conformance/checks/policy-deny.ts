/**
 * @module checks/policy-deny
 * SPEC §11.2 by its consequence on `POST /v1/authorize`: a lone matching deny
 * policy refuses (403), and once deleted the same request goes through. The
 * policy matches only a principal unique to the run.
 */
import { expectThat, show, type Check } from '../engine/check.js';
import type { CheckContext } from '../engine/context.js';
import { expectStatus } from '../engine/session/expect.js';

/** Creates a deny policy with `conditions`, runs `body`, deletes the policy. */
async function withDeny(ctx: CheckContext, conditions: Record<string, unknown>, body: () => Promise<void>) {
  const { session } = ctx;
  const dev = session.devA;
  const created = await session.request(dev, {
    method: 'POST',
    path: '/v1/policies',
    json: { name: session.name('deny policy'), effect: 'deny', ...conditions },
  });
  expectStatus(created, 201, 'creating a deny policy');
  const id = (created.body as { id: string }).id;
  let removed = false;
  session.track(`policy ${id}`, async () =>
    removed ? undefined : session.request(dev, { method: 'DELETE', path: `/v1/policies/${id}` }),
  );
  try {
    await body();
  } finally {
    await session.request(dev, { method: 'DELETE', path: `/v1/policies/${id}` });
    removed = true;
  }
}

/** Authorizes and expects `denied` (403) or accepted (201). */
async function expectDecision(
  ctx: CheckContext,
  body: { agentId: string; principalId: string; scopes: string[] },
  denied: boolean,
  situation: string,
) {
  const answer = await ctx.session.authorize(ctx.session.devA, body);
  expectThat(
    answer.status === (denied ? 403 : 201),
    denied
      ? `a matching deny policy did not refuse ${situation}`
      : `a deny policy refused ${situation}, which it does not match`,
    denied ? '403 POLICY_DENIED' : '201',
    `${answer.status} ${show(answer.body, 160)}`,
  );
}

export const policyDenyChecks: Check[] = [
  {
    id: 'policies.deny-alone',
    area: 'policies',
    clause: 'SPEC §11.2 auto_deny: the authorization request is rejected with a 403',
    level: 'MUST',
    title: 'a single matching deny policy refuses authorize with 403; once deleted, the same request is accepted',
    extension: 'policies',
    async run(ctx) {
      const { session } = ctx;
      const agent = await session.agent(session.devA, 'policy alone');
      const request = {
        agentId: agent.agentId,
        principalId: session.principal('deny-alone'),
        scopes: ['calendar:read'],
      };
      await withDeny(ctx, { agentId: agent.agentId, principalId: request.principalId }, () =>
        expectDecision(ctx, request, true, 'the request'),
      );
      await expectDecision(ctx, request, false, 'the request after the policy was deleted');
    },
  },
];
