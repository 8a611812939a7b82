/**
 * @module checks/isolation
 * Another developer's resources stay out of reach through the list filters
 * too: what developer A sees under a filter naming A's agent or principal,
 * developer B, filtering on the same ids, never sees. Each filter is its own
 * finding. Only reads; nothing is changed.
 */
import { expectThat, show, type Check } from '../engine/check.js';
import { judgeEach, type Part } from '../engine/judge-each.js';
import { expectStatus } from '../engine/session/expect.js';
import type { Developer } from '../engine/session/types.js';
import type { Session } from '../engine/session/session.js';

interface Filter {
  name: string;
  path: string;
  query: Record<string, string>;
  /** The list member and the id member of its items. */
  field: string;
  key: string;
}

async function listed(session: Session, dev: Developer, filter: Filter, who: string): Promise<string[]> {
  const exchange = await session.request(dev, { method: 'GET', path: filter.path, query: filter.query });
  expectStatus(exchange, 200, `${who}: GET ${filter.path} filtered by ${filter.name}`);
  const items = ((exchange.body as Record<string, unknown>)[filter.field] ?? []) as Array<Record<string, unknown>>;
  return items.map((item) => String(item[filter.key]));
}

export const isolationChecks: Check[] = [
  {
    id: 'auth.isolation-filters',
    area: 'auth',
    clause:
      'OpenAPI NotFound: another developer’s resources are not found, never readable or changeable; SPEC.md states no isolation of list filters, hence SHOULD',
    level: 'SHOULD',
    title:
      "list filters naming developer A's agent or principal (grants by agentId, principalId, status; audit entries by agentId) show developer B none of A's items",
    async run(ctx) {
      const { session } = ctx;
      const other = await session.devB();
      if (!other) return ctx.skip('no second developer (give a second --api-key or allow signup)');
      const owner = session.devA;
      const issued = await session.sharedGrant(owner);
      const agentId = issued.agent.agentId;
      const filters: Filter[] = [
        { name: 'agentId', path: '/v1/grants', query: { agentId }, field: 'grants', key: 'grantId' },
        {
          name: 'principalId',
          path: '/v1/grants',
          query: { principalId: issued.principalId },
          field: 'grants',
          key: 'grantId',
        },
        {
          name: 'agentId and status',
          path: '/v1/grants',
          query: { agentId, status: 'active' },
          field: 'grants',
          key: 'grantId',
        },
        { name: 'agentId', path: '/v1/audit/entries', query: { agentId }, field: 'entries', key: 'entryId' },
      ];
      const parts: Part[] = filters.map((filter) => ({
        name: `${filter.path} by ${filter.name}`,
        run: async () => {
          const own = await listed(session, owner, filter, 'developer A');
          if (own.length === 0) ctx.skip(`developer A has nothing under ${filter.path} by ${filter.name}`);
          const seen = await listed(session, other, filter, 'developer B');
          const leaked = own.filter((id) => seen.includes(id));
          expectThat(
            leaked.length === 0,
            `developer B sees developer A's items through ${filter.path} filtered by ${filter.name}`,
            "none of A's items",
            show(leaked, 200),
          );
        },
      }));
      await judgeEach(ctx, parts);
    },
  },
];
