/**
 * @module checks/policy-conditions
 * SPEC §11.3, judged by consequence: for each condition field (agentId,
 * principalId, scopes, time window) a deny policy that matches on it refuses
 * the request, and the same policy with only that field not matching leaves
 * the request to the normal flow. Each field is its own finding. Every
 * policy names a principal unique to the run and an agent the run created.
 */
import type { Check } from '../engine/check.js';
import type { CheckContext } from '../engine/context.js';
import { judgeEach } from '../engine/judge-each.js';
import { expectStatus } from '../engine/session/expect.js';
import type { Agent } from '../engine/session/types.js';
import { createPolicy, type PolicySpec } from './policies.js';

/** UTC `HH:MM`, `hours` from now. */
function hhmm(hours: number): string {
  const at = new Date(Date.now() + hours * 3_600_000);
  return at.toISOString().slice(11, 16);
}

interface Case {
  /** The condition field under test. */
  field: string;
  /** Builds the deny policy's spec (besides agent and principal). */
  spec: PolicySpec;
  /** The policy's agent and principal, and what the matching and the non-matching requests ask for. */
  policy: { agent: Agent; principalId: string };
  matching: { agent: Agent; principalId: string; scopes: string[] };
  /** The request that differs only in `field`; none when the field is varied by another case (the time window). */
  other?: { agent: Agent; principalId: string; scopes: string[] };
}

/** The policy, then the request differing only in `field` (not refused), then the matching one (403); the policy is deleted whatever happens. */
async function judge(ctx: CheckContext, test: Case): Promise<void> {
  const { session } = ctx;
  const dev = session.devA;
  const policy = await createPolicy(session, dev, test.policy.agent, test.policy.principalId, test.spec);
  const ask = (request: Case['matching']) =>
    session.authorize(dev, {
      agentId: request.agent.agentId,
      principalId: request.principalId,
      scopes: request.scopes,
    });
  // Deleted whatever happens: a server that ignores the condition would apply this deny to other checks' requests.
  try {
    if (test.other) {
      const other = await ask(test.other);
      expectStatus(other, 201, `authorize that the deny policy's ${test.field} condition does not match`);
    }
    const matching = await ask(test.matching);
    expectStatus(matching, 403, `authorize that every condition of the deny policy matches, ${test.field} included`);
    await policy.remove();
  } finally {
    await policy.discard();
  }
}

export const policyConditionChecks: Check[] = [
  {
    id: 'policies.conditions',
    area: 'policies',
    clause:
      'SPEC §11.3 condition fields (scopes, principalId, agentId, timeWindow); §10.2 an offered extension MUST be implemented as specified',
    level: 'MUST',
    title:
      'each policy condition field decides: a deny policy matching on it refuses authorize, the same policy not matching on it does not',
    extension: 'policies',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev, 'conditions');
      const otherAgent = await session.agent(dev, 'conditions-other');
      const principal = (tag: string) => session.principal(`cond-${tag}`);
      const cases = (): Case[] => {
        const byAgent = principal('agent');
        const byPrincipal = principal('principal');
        const byScopes = principal('scopes');
        const byTime = principal('time');
        const one = ['payments:initiate'];
        return [
          {
            field: 'agentId',
            spec: { effect: 'deny', priority: 0 },
            policy: { agent, principalId: byAgent },
            matching: { agent, principalId: byAgent, scopes: one },
            other: { agent: otherAgent, principalId: byAgent, scopes: one },
          },
          {
            field: 'principalId',
            spec: { effect: 'deny', priority: 0 },
            policy: { agent, principalId: byPrincipal },
            matching: { agent, principalId: byPrincipal, scopes: one },
            other: { agent, principalId: principal('principal-other'), scopes: one },
          },
          {
            // Subset of the policy's list (SPEC §11.3) and sharing a scope: both readings match; disjoint: neither does.
            field: 'scopes',
            spec: { effect: 'deny', priority: 0, scopes: ['payments:initiate', 'files:write'] },
            policy: { agent, principalId: byScopes },
            matching: { agent, principalId: byScopes, scopes: one },
            other: { agent, principalId: byScopes, scopes: ['calendar:read'] },
          },
          {
            // Two hours either side of now: clock skew and the minute ticking over cannot flip the outcome.
            field: 'time window (inside)',
            spec: { effect: 'deny', priority: 0, window: [hhmm(-2), hhmm(2)] },
            policy: { agent, principalId: byTime },
            matching: { agent, principalId: byTime, scopes: one },
          },
        ];
      };
      /** A deny policy whose window is three to six hours from now: it otherwise matches, so it must not act now. */
      const outsideWindow = async () => {
        const offHours = principal('time-off');
        const policy = await createPolicy(session, dev, agent, offHours, {
          effect: 'deny',
          priority: 0,
          window: [hhmm(3), hhmm(6)],
        });
        try {
          const asked = await session.authorize(dev, {
            agentId: agent.agentId,
            principalId: offHours,
            scopes: ['payments:initiate'],
          });
          expectStatus(asked, 201, 'authorize outside the time window of a deny policy that otherwise matches');
          await policy.remove();
        } finally {
          await policy.discard();
        }
      };
      await judgeEach(ctx, [
        ...cases().map((test) => ({ name: `the ${test.field} condition`, run: () => judge(ctx, test) })),
        { name: 'the time window condition, outside the window', run: outsideWindow },
      ]);
    },
  },
];
