/**
 * @module checks/policies
 * SPEC §11 policy engine, observed on `POST /v1/authorize`: a matching deny
 * refuses the request (403) whatever the priority of a matching allow (§11.4:
 * deny rules first); an allow approves live requests at once; policies can be
 * created, read, listed, changed and deleted, and a deleted one stops acting.
 * Every policy the run creates matches only a principal id unique to the run.
 */
import fc from 'fast-check';
import { expectThat, show, type Check } from '../engine/check.js';
import type { CheckContext } from '../engine/context.js';
import { judgeEach } from '../engine/judge-each.js';
import { expectStatus } from '../engine/session/expect.js';
import type { Agent, Developer } from '../engine/session/types.js';
import type { Session } from '../engine/session/session.js';

export interface PolicySpec {
  effect: 'allow' | 'deny';
  priority: number;
  /** Optional conditions beyond the agent and principal every policy of the run names. */
  scopes?: string[];
  /** UTC `HH:MM` start and end of the time window. */
  window?: [string, string];
}

/** A policy a check created: `remove` deletes it and judges the answer; `discard` deletes it whatever happened. */
export interface CreatedPolicy {
  id: string;
  remove: () => Promise<void>;
  /** Best effort, for a `finally`: a policy left behind (say, by a server ignoring its conditions) would meet other checks' requests. */
  discard: () => Promise<void>;
}

export async function createPolicy(
  session: Session,
  dev: Developer,
  agent: Agent,
  principalId: string,
  spec: PolicySpec,
): Promise<CreatedPolicy> {
  const exchange = await session.request(dev, {
    method: 'POST',
    path: '/v1/policies',
    json: {
      name: session.name(`${spec.effect} policy`),
      effect: spec.effect,
      priority: spec.priority,
      agentId: agent.agentId,
      principalId,
      ...(spec.scopes ? { scopes: spec.scopes } : {}),
      ...(spec.window ? { timeOfDayStart: spec.window[0], timeOfDayEnd: spec.window[1] } : {}),
    },
  });
  expectStatus(exchange, 201, `creating an ${spec.effect} policy`);
  const id = (exchange.body as { id: string }).id;
  let removed = false;
  session.track(`policy ${id}`, async () =>
    removed ? undefined : session.request(dev, { method: 'DELETE', path: `/v1/policies/${id}` }),
  );
  return {
    id,
    remove: async () => {
      if (removed) return;
      expectStatus(
        await session.request(dev, { method: 'DELETE', path: `/v1/policies/${id}` }),
        204,
        'DELETE /v1/policies/{id}',
      );
      removed = true;
    },
    discard: async () => {
      // --keep-on-failure leaves what a failing check made in place, policies included.
      if (removed || session.options.keepOnFailure) return;
      try {
        const answer = await session.request(dev, { method: 'DELETE', path: `/v1/policies/${id}` });
        if (answer.status === 204 || answer.status === 404) removed = true;
      } catch {
        // The run's cleanup tries again.
      }
    },
  };
}

/**
 * Creates the two policies in `order`, authorizes, expects 403 POLICY_DENIED,
 * deletes both and expects the same request to be accepted again. The
 * policies are deleted whatever happens.
 */
async function expectDenied(ctx: CheckContext, allow: PolicySpec, deny: PolicySpec, denyFirst: boolean): Promise<void> {
  const { session } = ctx;
  const dev = session.devA;
  const agent = await session.agent(dev, 'policy');
  const principalId = session.principal('policy');
  const specs = denyFirst ? [deny, allow] : [allow, deny];
  const created: CreatedPolicy[] = [];
  try {
    for (const spec of specs) created.push(await createPolicy(session, dev, agent, principalId, spec));
    const authorized = await session.authorize(dev, {
      agentId: agent.agentId,
      principalId,
      scopes: ['payments:initiate'],
    });
    const situation = `allow priority ${allow.priority}, deny priority ${deny.priority}, ${denyFirst ? 'deny' : 'allow'} created first`;
    expectStatus(authorized, 403, `authorize matching both policies (${situation})`);
    const code = (authorized.body as { code?: string } | undefined)?.code;
    expectThat(
      code === 'POLICY_DENIED',
      'the refusal does not carry the POLICY_DENIED code',
      'code POLICY_DENIED',
      show(authorized.body),
    );
    for (const policy of created) await policy.remove();
    const again = await session.authorize(dev, { agentId: agent.agentId, principalId, scopes: ['payments:initiate'] });
    expectStatus(again, 201, 'the same authorize after deleting both policies');
  } finally {
    for (const policy of created) await policy.discard();
  }
}

/** One deny policy alone: authorize answers 403 POLICY_DENIED, and 201 again once it is deleted. */
async function expectLoneDeny(ctx: CheckContext): Promise<void> {
  const { session } = ctx;
  const dev = session.devA;
  const agent = await session.agent(dev, 'policy');
  const principalId = session.principal('deny');
  const policy = await createPolicy(session, dev, agent, principalId, { effect: 'deny', priority: 0 });
  try {
    const ask = () => session.authorize(dev, { agentId: agent.agentId, principalId, scopes: ['payments:initiate'] });
    const authorized = await ask();
    expectStatus(authorized, 403, 'authorize matching one deny policy (no allow policy)');
    expectThat(
      (authorized.body as { code?: string } | undefined)?.code === 'POLICY_DENIED',
      'the refusal does not carry the POLICY_DENIED code',
      'code POLICY_DENIED',
      show(authorized.body),
    );
    await policy.remove();
    expectStatus(await ask(), 201, 'the same authorize after deleting the deny policy');
  } finally {
    await policy.discard();
  }
}

const priority = fc.integer({ min: -1000, max: 1000 });

export const policyChecks: Check[] = [
  {
    id: 'policies.deny-before-allow',
    area: 'policies',
    clause:
      'SPEC §11.2 auto_deny rejects with 403; §11.4 deny rules are evaluated first, the first matching auto_deny wins; §14 deny rules before allow rules',
    level: 'MUST',
    title:
      'a matching deny policy refuses with 403 POLICY_DENIED, alone and beside a matching allow of higher, lower or equal priority; each order is judged on its own',
    extension: 'policies',
    property: { requests: 8, authorize: 2 },
    async run(ctx) {
      // Each priority order is its own property, so a server ordering by priority (allow outranks deny)
      // still shows, as a separate finding, that it ignores deny policies altogether.
      const runs = Math.max(1, Math.ceil(ctx.runs / 3));
      const pair = (relation: (allow: number, deny: number) => boolean, examples: Array<[number, number, boolean]>) =>
        ctx.property(
          [priority, priority, fc.boolean()],
          async (allowPriority, denyPriority, denyFirst) => {
            if (!relation(allowPriority, denyPriority)) return;
            await expectDenied(
              ctx,
              { effect: 'allow', priority: allowPriority },
              { effect: 'deny', priority: denyPriority },
              denyFirst,
            );
          },
          { examples, maxRuns: runs },
        );
      await judgeEach(ctx, [
        { name: 'a lone matching deny policy', run: () => expectLoneDeny(ctx) },
        { name: 'deny beside a higher-priority allow', run: () => pair((a, d) => a > d, [[10, 0, false]]) },
        { name: 'deny beside a lower-priority allow', run: () => pair((a, d) => a < d, [[0, 10, false]]) },
        {
          name: 'deny beside an equal-priority allow',
          run: () =>
            pair(
              (a, d) => a === d,
              [
                [0, 0, false],
                [0, 0, true],
              ],
            ),
        },
      ]);
    },
  },
  {
    id: 'policies.allow',
    area: 'policies',
    clause: 'SPEC §11.2 auto_approve: the grant is issued without the consent UI',
    level: 'MUST',
    title: 'a matching allow policy approves a live request at once (code, policyEnforced) and the code exchanges',
    extension: 'policies',
    async run(ctx) {
      const { session } = ctx;
      const dev = await session.liveDeveloper();
      if (!dev) return ctx.skip('no live API key available: sandbox requests are approved anyway');
      const agent = await session.agent(dev, 'policy');
      const principalId = session.principal('allow');
      const policy = await createPolicy(session, dev, agent, principalId, { effect: 'allow', priority: 0 });
      try {
        const authorized = await session.authorize(dev, {
          agentId: agent.agentId,
          principalId,
          scopes: ['calendar:read'],
        });
        expectStatus(authorized, 201, 'authorize matching an allow policy');
        const body = authorized.body as { code?: string; policyEnforced?: boolean };
        expectThat(
          typeof body.code === 'string' && body.policyEnforced === true,
          'an allow policy did not approve the request at once',
          '`code` and `policyEnforced: true`',
          show(body),
        );
        expectStatus(await session.exchange(dev, body.code, agent.agentId), 201, 'exchanging the policy-approved code');
        await policy.remove();
        const other = await session.authorize(dev, { agentId: agent.agentId, principalId, scopes: ['calendar:read'] });
        expectStatus(other, 201, 'authorize after deleting the allow policy');
        expectThat(
          (other.body as { code?: unknown }).code === undefined,
          'a deleted allow policy still approves requests',
          'no code (consent needed)',
          show(other.body),
        );
      } finally {
        await policy.discard();
      }
    },
  },
  {
    id: 'policies.crud',
    area: 'policies',
    clause: 'SPEC §11.6 CRUD API; §10.2 an offered extension is implemented as specified',
    level: 'MUST',
    title: 'policies are created, read, listed, updated (null clears a condition) and deleted',
    extension: 'policies',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev, 'policy');
      const principalId = session.principal('crud');
      const low = await createPolicy(session, dev, agent, principalId, { effect: 'deny', priority: -5 });
      const created = [low];
      try {
        const high = await createPolicy(session, dev, agent, principalId, { effect: 'allow', priority: 7 });
        created.push(high);
        const read = await session.request(dev, { method: 'GET', path: `/v1/policies/${low.id}` });
        expectStatus(read, 200, 'GET /v1/policies/{id}');
        const policy = read.body as { effect?: string; priority?: number; agentId?: string; principalId?: string };
        expectThat(
          policy.effect === 'deny' &&
            policy.priority === -5 &&
            policy.agentId === agent.agentId &&
            policy.principalId === principalId,
          'the policy is not stored as given',
          show({ effect: 'deny', priority: -5, agentId: agent.agentId, principalId }),
          show(policy),
        );
        const list = await session.request(dev, { method: 'GET', path: '/v1/policies' });
        expectStatus(list, 200, 'GET /v1/policies');
        const ids = ((list.body as { policies?: Array<{ id: string }> }).policies ?? []).map((p) => p.id);
        expectThat(
          ids.includes(low.id) && ids.includes(high.id),
          'the new policies are not listed',
          `${low.id} and ${high.id}`,
          show(ids, 200),
        );
        // SPEC §11.6 prescribes no list order (the public server lists by priority), so none is asserted.
        const updated = await session.request(dev, {
          method: 'PATCH',
          path: `/v1/policies/${low.id}`,
          json: { priority: 3, principalId: null },
        });
        expectStatus(updated, 200, 'PATCH /v1/policies/{id}');
        const after = updated.body as { priority?: number; principalId?: unknown; effect?: string };
        // Restore the narrow condition at once: with principalId cleared this deny would match every request for the agent.
        expectStatus(
          await session.request(dev, { method: 'PATCH', path: `/v1/policies/${low.id}`, json: { principalId } }),
          200,
          'PATCH /v1/policies/{id}',
        );
        expectThat(
          after.priority === 3 && after.principalId === null && after.effect === 'deny',
          'PATCH did not apply exactly the given changes',
          'priority 3, principalId null, effect deny',
          show(after),
        );
        const invalid = await session.request(dev, {
          method: 'PATCH',
          path: `/v1/policies/${low.id}`,
          json: { effect: 'maybe' },
        });
        expectStatus(invalid, 400, 'PATCH with an unknown effect');
        await low.remove();
        expectStatus(
          await session.request(dev, { method: 'GET', path: `/v1/policies/${low.id}` }),
          404,
          'GET of a deleted policy',
        );
        expectStatus(
          await session.request(dev, { method: 'DELETE', path: `/v1/policies/${low.id}` }),
          404,
          'deleting a policy twice',
        );
        await high.remove();
      } finally {
        for (const policy of created) await policy.discard();
      }
    },
  },
];
