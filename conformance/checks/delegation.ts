/**
 * @module checks/delegation
 * SPEC §9 multi-agent authorization: delegated scopes ⊆ parent scopes, depth
 * increments up to a limit no greater than 10, exp = min(parent exp, now +
 * expiresIn), cascade revocation at every depth, revoked parents and other
 * developers' sub-agents refused, grant records reflecting the delegation.
 */
import fc from 'fast-check';
import { CheckFailure, expectThat, show, type Check } from '../engine/check.js';
import { scopeOutside, scopes, scopeSubset } from '../model/arbitraries.js';
import { expectStatus } from '../engine/session/expect.js';
import type { Agent, Developer, Issued } from '../engine/session/types.js';
import type { Session } from '../engine/session/session.js';
import { sameSet, verifyOffline } from './tokens/assertions.js';

const HARD_CAP = 10;
/**
 * Seconds of slack on SPEC §9.1 step 5, exp = min(parent exp, now + expiresIn):
 * SPEC.md gives no tolerance; `now` is the server's, read as `iat` in whole
 * seconds (§6.2), so 5 s covers rounding and the request, as for tokens.claims.
 */
const SLACK = 5;

async function delegateOk(
  session: Session,
  dev: Developer,
  parent: Issued,
  sub: Agent,
  delegated: string[],
  expiresIn?: string,
): Promise<Issued> {
  const exchange = await session.delegate(dev, {
    parentGrantToken: parent.grantToken,
    subAgentId: sub.agentId,
    scopes: delegated,
    ...(expiresIn ? { expiresIn } : {}),
  });
  expectStatus(exchange, 201, 'POST /v1/grants/delegate');
  return session.issuedFrom(exchange, sub, parent.principalId);
}

function depthOf(issued: Issued): number {
  const depth = issued.claims['delegationDepth'];
  return typeof depth === 'number' ? depth : 0;
}

/** The delegation claims of a child relative to its parent (SPEC §9). */
function checkLineage(parent: Issued, child: Issued): void {
  expectThat(
    child.claims['parentGrnt'] === parent.grantId,
    '`parentGrnt` is not the parent grant',
    show(parent.grantId),
    show(child.claims['parentGrnt']),
  );
  expectThat(
    child.claims['parentAgt'] === parent.claims['agt'],
    '`parentAgt` is not the parent agent',
    show(parent.claims['agt']),
    show(child.claims['parentAgt']),
  );
  expectThat(
    depthOf(child) === depthOf(parent) + 1,
    '`delegationDepth` is not the parent depth plus one',
    String(depthOf(parent) + 1),
    show(child.claims['delegationDepth']),
  );
  expectThat(
    child.claims['sub'] === parent.claims['sub'],
    'the delegated token has another principal',
    show(parent.claims['sub']),
    show(child.claims['sub']),
  );
  expectThat(
    child.claims['agt'] === child.agent.did,
    '`agt` is not the sub-agent',
    show(child.agent.did),
    show(child.claims['agt']),
  );
  expectThat(
    child.claims['dev'] === parent.claims['dev'],
    '`dev` changed on delegation',
    show(parent.claims['dev']),
    show(child.claims['dev']),
  );
  expectThat(child.grantId !== parent.grantId, 'delegation reused the parent grant id', 'a new grantId', child.grantId);
}

/** Node i > 0 of a delegation tree hangs below `parents[i - 1] % i`. */
const treeShape = fc
  .array(fc.nat(), { minLength: 1, maxLength: 4 })
  .map((raw) => raw.map((value, index) => value % (index + 1)));

export const delegationChecks: Check[] = [
  {
    id: 'delegation.subset',
    area: 'delegation',
    clause: 'SPEC §9 sub-agent scopes MUST be a subset of the parent’s; §9.1 step 3 (400 otherwise)',
    level: 'MUST',
    title: 'delegating a subset gives exactly that subset; asking for any scope outside the parent’s answers 400',
    property: { requests: 6, authorize: 1, token: 1 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const sub = await session.agent(dev, 'sub');
      const input = scopes(5).chain((parent) =>
        fc.tuple(fc.constant(parent), scopeSubset(parent), fc.option(scopeOutside(parent), { nil: undefined })),
      );
      await ctx.property<[[string[], string[], string | undefined]]>(
        [input],
        async ([parentScopes, subset, outside]) => {
          const parent = await session.issue(dev, { agent, scopes: parentScopes });
          if (outside !== undefined) {
            const refused = await session.delegate(dev, {
              parentGrantToken: parent.grantToken,
              subAgentId: sub.agentId,
              scopes: [...subset, outside],
            });
            expectStatus(refused, 400, `delegating ${show(outside)}, which the parent does not hold`);
          }
          const child = await delegateOk(session, dev, parent, sub, subset);
          expectThat(
            sameSet(child.claims['scp'] as string[], subset),
            'the delegated `scp` is not the requested subset',
            show(subset),
            show(child.claims['scp']),
          );
          expectThat(
            sameSet(child.scopes, subset),
            'the delegation response `scopes` are not the requested subset',
            show(subset),
            show(child.scopes),
          );
          checkLineage(parent, child);
          await verifyOffline(session, child.grantToken);
        },
        { examples: [[[['calendar:read', 'email:read'], ['email:read'], 'payments:initiate']]] },
      );
    },
  },
  {
    id: 'delegation.expiry',
    area: 'delegation',
    clause: 'SPEC §9.1 step 5 exp = min(parent exp, now + expiresIn)',
    level: 'MUST',
    title: 'a delegated token never outlives its parent and otherwise lives expiresIn',
    property: { requests: 5, authorize: 1, token: 1 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const sub = await session.agent(dev, 'sub');
      const minutes = (min: number, max: number) =>
        fc.integer({ min, max }).map((n) => ({ text: `${n}m`, seconds: n * 60 }));
      await ctx.property(
        [minutes(10, 180), minutes(1, 360)],
        async (parentTtl, childTtl) => {
          const parent = await session.issue(dev, { agent, scopes: ['calendar:read'], expiresIn: parentTtl.text });
          const child = await delegateOk(session, dev, parent, sub, ['calendar:read'], childTtl.text);
          const parentExp = Number(parent.claims['exp']);
          const childExp = Number(child.claims['exp']);
          const expected = Math.min(parentExp, Number(child.claims['iat']) + childTtl.seconds);
          expectThat(
            Math.abs(childExp - expected) <= SLACK,
            `delegated exp is not min(parent exp, now + ${childTtl.text}) (parent ${parentTtl.text})`,
            new Date(expected * 1000).toISOString(),
            new Date(childExp * 1000).toISOString(),
          );
          expectThat(
            childExp <= parentExp,
            'the delegated token outlives its parent',
            `exp ≤ ${parentExp}`,
            String(childExp),
          );
        },
        {
          examples: [
            [
              { text: '60m', seconds: 3600 },
              { text: '120m', seconds: 7200 },
            ],
          ],
        },
      );
    },
  },
  {
    id: 'delegation.depth',
    area: 'delegation',
    clause:
      'SPEC §9 delegationDepth increments at each hop; Implementations MUST enforce a delegation depth limit (default 3) and a hard cap of 10',
    level: 'MUST',
    title:
      'each hop adds one to delegationDepth up to the limit; one hop past it (at most 10) is refused and leaves no usable token or grant',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agents = [await session.agent(dev, 'sub'), await session.agent(dev, 'sub2')];
      let current = await session.sharedGrant(dev);
      for (let depth = 1; depth <= HARD_CAP + 1; depth++) {
        const sub = agents[depth % 2]!;
        const exchange = await session.delegate(dev, {
          parentGrantToken: current.grantToken,
          subAgentId: sub.agentId,
          scopes: ['calendar:read'],
        });
        if (exchange.status === 201) {
          const child = session.issuedFrom(exchange, sub, current.principalId);
          checkLineage(current, child);
          expectThat(
            depth <= HARD_CAP,
            'a delegation chain went past the hard cap',
            `refusal at depth ≤ ${HARD_CAP}`,
            `depth ${depth} issued`,
          );
          current = child;
          continue;
        }
        expectStatus(exchange, [403, 400], `delegating to depth ${depth}`);
        expectThat(
          depth > 1,
          'a first delegation was refused as too deep',
          'depth 1 allowed',
          `refused with ${exchange.status}`,
        );
        ctx.note(`delegation depth limit observed: ${depth - 1}`);
        await refusalLeavesNothing(session, dev, current, exchange, depth);
        return;
      }
    },
  },
  {
    id: 'delegation.cascade',
    area: 'delegation',
    clause: 'SPEC §9.2 revoking a grant revokes every descendant at any depth',
    level: 'MUST',
    title: 'revoking any grant of a delegation tree invalidates it and its whole subtree, and nothing else',
    property: { requests: 20, authorize: 1, token: 1 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const root = await session.agent(dev);
      const subs = [await session.agent(dev, 'sub'), await session.agent(dev, 'sub2')];
      await ctx.property(
        [treeShape, fc.nat()],
        async (parents, pick) => {
          const nodes: Array<{ issued: Issued; parent: number }> = [
            { issued: await session.issue(dev, { agent: root, scopes: ['calendar:read', 'email:read'] }), parent: -1 },
          ];
          // slots[i]: where shape node i landed in `nodes` (undefined when the depth limit cut it off).
          const slots: Array<number | undefined> = [0];
          for (const [index, shapeParent] of parents.entries()) {
            const parent = slots[shapeParent];
            if (parent === undefined) {
              slots.push(undefined);
              continue;
            }
            const above = nodes[parent]!.issued;
            const sub = subs[(index + depthOf(above)) % 2]!;
            const exchange = await session.delegate(dev, {
              parentGrantToken: above.grantToken,
              subAgentId: sub.agentId,
              scopes: ['calendar:read'],
            });
            if (exchange.status === 403) {
              slots.push(undefined); // the server's depth limit; the tree is just smaller
              continue;
            }
            expectStatus(exchange, 201, 'POST /v1/grants/delegate');
            slots.push(nodes.length);
            nodes.push({ issued: session.issuedFrom(exchange, sub, above.principalId), parent });
          }
          const revoked = pick % nodes.length;
          const inSubtree = (index: number): boolean =>
            index === revoked || (index > 0 && inSubtree(nodes[index]!.parent));
          expectStatus(await session.revokeGrant(dev, nodes[revoked]!.issued.grantId), 204, `revoking node ${revoked}`);
          for (const [index, node] of nodes.entries()) {
            const valid = await session.isValidOnline(dev, node.issued.grantToken);
            const should = !inSubtree(index);
            if (valid !== should) {
              throw new CheckFailure(
                `after revoking node ${revoked} of the tree ${describeTree(nodes)}, node ${index} (depth ${depthOf(node.issued)}) verifies ${valid ? 'valid' : 'invalid'}`,
                should ? 'valid: true (not below the revoked grant)' : 'valid: false (at or below the revoked grant)',
                `valid: ${valid}`,
              );
            }
            if (!should) {
              const record = await session.getGrant(dev, node.issued.grantId);
              expectStatus(record, 200, 'GET /v1/grants/{id} of a cascaded grant');
              expectThat(
                (record.body as { status?: string }).status === 'revoked',
                `the record of node ${index} does not read revoked after the cascade`,
                'status revoked',
                show(record.body),
              );
            }
          }
        },
        { examples: [[[0, 1, 0], 0]] },
      );
    },
  },
  {
    id: 'delegation.revoked-parent',
    area: 'delegation',
    clause: 'SPEC §9.1 step 2 reject with 400 if the parent grant has been revoked',
    level: 'MUST',
    title: 'a token of a revoked grant cannot be delegated from',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const parent = await session.issue(dev, { agent: await session.agent(dev), scopes: ['calendar:read'] });
      const sub = await session.agent(dev, 'sub');
      expectStatus(await session.revokeGrant(dev, parent.grantId), 204, 'DELETE /v1/grants/{id}');
      const exchange = await session.delegate(dev, {
        parentGrantToken: parent.grantToken,
        subAgentId: sub.agentId,
        scopes: ['calendar:read'],
      });
      expectStatus(exchange, 400, 'delegating from a revoked grant');
    },
  },
  {
    id: 'delegation.revoked-token',
    area: 'delegation',
    clause:
      'SPEC §9.1 step 1 the parentGrantToken is validated, its revocation state checked; §7.2 revoking a token; §6.4 rule 5',
    level: 'MUST',
    title: 'a token revoked by jti cannot be delegated from, although its grant stays active',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const parent = await session.issue(dev, { agent: await session.agent(dev), scopes: ['calendar:read'] });
      const sub = await session.agent(dev, 'sub');
      expectStatus(await session.revokeToken(dev, parent.jti), 204, 'POST /v1/tokens/revoke');
      const exchange = await session.delegate(dev, {
        parentGrantToken: parent.grantToken,
        subAgentId: sub.agentId,
        scopes: ['calendar:read'],
      });
      expectStatus(exchange, 400, 'delegating from a revoked token');
    },
  },
  {
    id: 'delegation.foreign-subagent',
    area: 'delegation',
    clause: 'SPEC §9.1 step 4 reject with 404 if subAgentId does not belong to the developer',
    level: 'MUST',
    title: 'delegating to an unknown agent or to another developer’s agent answers 404',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const parent = await session.sharedGrant(dev);
      const unknown = await session.delegate(dev, {
        parentGrantToken: parent.grantToken,
        subAgentId: 'ag_00000000000000000000000000',
        scopes: ['calendar:read'],
      });
      expectStatus(unknown, 404, 'delegating to an unknown agent');
      const other = await session.devB();
      if (!other) {
        ctx.note('no second developer: only the unknown-agent case was checked');
        return;
      }
      const foreign = await session.agent(other);
      const exchange = await session.delegate(dev, {
        parentGrantToken: parent.grantToken,
        subAgentId: foreign.agentId,
        scopes: ['calendar:read'],
      });
      expectStatus(exchange, 404, "delegating to another developer's agent");
    },
  },
  {
    id: 'delegation.grant-record',
    area: 'delegation',
    clause: 'SPEC §9 / OpenAPI Grant: parentGrantId and delegationDepth of a delegated grant',
    level: 'SHOULD',
    title: 'GET /v1/grants/{id} of a delegated grant shows its parent and depth',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const parent = await session.sharedGrant(dev);
      const child = await delegateOk(session, dev, parent, await session.agent(dev, 'sub'), ['calendar:read']);
      const record = await session.getGrant(dev, child.grantId);
      expectStatus(record, 200, 'GET /v1/grants/{id} of a delegated grant');
      const body = record.body as { parentGrantId?: string; delegationDepth?: number };
      expectThat(
        body.parentGrantId === parent.grantId && body.delegationDepth === 1,
        'the grant record does not reflect the delegation',
        `parentGrantId ${parent.grantId}, delegationDepth 1`,
        `parentGrantId ${show(body.parentGrantId)}, delegationDepth ${show(body.delegationDepth)}`,
      );
    },
  },
];

/**
 * One step past the limit, to an agent of its own, gives nothing usable: the
 * same refusal, no token in it that verifies, and no grant for that agent.
 */
async function refusalLeavesNothing(
  session: Session,
  dev: Developer,
  parent: Issued,
  refused: { status: number; body: unknown },
  depth: number,
): Promise<void> {
  const fresh = await session.createAgent(dev, 'past-limit');
  const again = await session.delegate(dev, {
    parentGrantToken: parent.grantToken,
    subAgentId: fresh.agentId,
    scopes: ['calendar:read'],
  });
  expectStatus(again, refused.status, `delegating to depth ${depth} again, to a new agent`);
  for (const answer of [refused, again]) {
    const token = (answer.body as { grantToken?: unknown } | undefined)?.grantToken;
    if (typeof token === 'string')
      expectThat(
        !(await session.isValidOnline(dev, token)),
        `the delegation refused at depth ${depth} carries a token that verifies online`,
        'no usable token',
        'valid: true',
      );
  }
  const listed = await session.request(dev, { method: 'GET', path: '/v1/grants', query: { agentId: fresh.agentId } });
  expectStatus(listed, 200, 'GET /v1/grants?agentId=… of the agent a refused delegation named');
  const grants = (listed.body as { grants?: Array<{ grantId?: string; status?: string }> }).grants ?? [];
  expectThat(
    !grants.some((grant) => grant.status === 'active'),
    `the delegation refused at depth ${depth} left an active grant for the sub-agent`,
    'no grant for an agent that was never delegated to',
    show(grants.map((grant) => `${grant.grantId} ${grant.status}`)),
  );
}

function describeTree(nodes: Array<{ parent: number }>): string {
  return `[${nodes.map((node, index) => (index === 0 ? '0:root' : `${index}←${node.parent}`)).join(' ')}]`;
}
