/**
 * @module checks/policy-conditions
 * SPEC §11.2 and §11.3 by their consequences on `POST /v1/authorize`: a lone
 * matching deny policy refuses (403), and each condition field (scopes,
 * principalId, agentId, the time window) decides whether a deny applies:
 * the request it names is refused, the one it does not name goes through.
 * Each condition is its own finding. Policies match only principals unique
 * to the run, and are deleted after each property.
 */
import { expectThat, show, type Check } from '../engine/check.js';
import type { CheckContext } from '../engine/context.js';
import { expectStatus } from '../engine/session/expect.js';
import { judgeEach } from '../verdicts/properties.js';

/** `HH:MM` UTC, `minutes` from now. */
function utcTime(minutes: number): string {
  const at = new Date(Date.now() + minutes * 60_000);
  return `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
}

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

export const policyConditionChecks: Check[] = [
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
  {
    id: 'policies.conditions',
    area: 'policies',
    clause:
      'SPEC §11.3 condition fields scopes, principalId, agentId and the time window decide whether a policy matches',
    level: 'MUST',
    title:
      'each condition of a deny policy (scopes, principalId, agentId, time of day) refuses the request it names and lets the one it does not name through',
    extension: 'policies',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev, 'policy conditions');
      const other = await session.agent(dev, 'policy conditions other');
      const principal = (tag: string) => session.principal(`cond-${tag}`);
      await judgeEach(ctx, [
        {
          name: 'condition.scopes',
          async run() {
            const principalId = principal('scopes');
            await withDeny(ctx, { principalId, scopes: ['payments:initiate'] }, async () => {
              await expectDecision(
                ctx,
                { agentId: agent.agentId, principalId, scopes: ['payments:initiate'] },
                true,
                'the scope it lists',
              );
              await expectDecision(
                ctx,
                { agentId: agent.agentId, principalId, scopes: ['calendar:read'] },
                false,
                'another scope',
              );
            });
          },
        },
        {
          name: 'condition.principal',
          async run() {
            const named = principal('named');
            await withDeny(ctx, { agentId: agent.agentId, principalId: named }, async () => {
              await expectDecision(
                ctx,
                { agentId: agent.agentId, principalId: named, scopes: ['calendar:read'] },
                true,
                'its principal',
              );
              const another = principal('another');
              await expectDecision(
                ctx,
                { agentId: agent.agentId, principalId: another, scopes: ['calendar:read'] },
                false,
                'another principal',
              );
            });
          },
        },
        {
          name: 'condition.agent',
          async run() {
            const principalId = principal('agent');
            await withDeny(ctx, { agentId: agent.agentId, principalId }, async () => {
              await expectDecision(
                ctx,
                { agentId: agent.agentId, principalId, scopes: ['calendar:read'] },
                true,
                'its agent',
              );
              await expectDecision(
                ctx,
                { agentId: other.agentId, principalId, scopes: ['calendar:read'] },
                false,
                'another agent',
              );
            });
          },
        },
        {
          name: 'condition.time-window',
          async run() {
            const now = principal('window-now');
            await withDeny(ctx, { principalId: now, timeOfDayStart: utcTime(-60), timeOfDayEnd: utcTime(60) }, () =>
              expectDecision(
                ctx,
                { agentId: agent.agentId, principalId: now, scopes: ['calendar:read'] },
                true,
                'a time inside its window',
              ),
            );
            const later = principal('window-later');
            await withDeny(ctx, { principalId: later, timeOfDayStart: utcTime(120), timeOfDayEnd: utcTime(180) }, () =>
              expectDecision(
                ctx,
                { agentId: agent.agentId, principalId: later, scopes: ['calendar:read'] },
                false,
                'a time outside its window',
              ),
            );
          },
        },
      ]);
    },
  },
];
