/**
 * @module checks/contract
 * Contract checks: the public endpoints, the error shape, agent CRUD, and,
 * after every other check ran, one verdict per spec operation on every
 * response recorded for it (status documented, headers and body valid).
 */
import { expectThat, show, type Check } from '../engine/check.js';
import type { ContractValidator } from '../http/contract.js';
import { transcript, type Exchange } from '../http/http.js';
import type { RunOptions } from '../engine/options.js';
import { expectStatus } from '../engine/session/expect.js';
import { judgeEach } from '../engine/judge-each.js';
import type { Session } from '../engine/session/session.js';
import { type CheckResult, extensionOfTags } from '../engine/types.js';
import { displayName, scopes } from '../model/arbitraries.js';
import { isStoredName, storedNameForms } from '../engine/allowed.js';

function errorShape(exchange: Exchange, session: Session, what: string): void {
  const errors = session.contract.validateSchema('Error', exchange.body);
  expectThat(
    errors.length === 0,
    `${what}: the error body lacks the error shape`,
    '{message, code, requestId} strings',
    `${show(exchange.body)} (${errors.join('; ')})`,
  );
}

export const contractChecks: Check[] = [
  {
    id: 'contract.public',
    area: 'contract',
    clause: 'SPEC §10.1 core endpoints: GET /health, GET /.well-known/jwks.json',
    level: 'MUST',
    title: 'health and the key set are public and answer 200',
    async run(ctx) {
      const health = await ctx.http.request({ method: 'GET', path: '/health' });
      expectStatus(health, 200, 'GET /health');
      const jwks = await ctx.http.request({ method: 'GET', path: '/.well-known/jwks.json' });
      expectStatus(jwks, 200, 'GET /.well-known/jwks.json');
      const keys = (jwks.body as { keys?: Array<Record<string, unknown>> } | undefined)?.keys;
      expectThat(Array.isArray(keys), 'the JWKS has no keys array', '{"keys": [...]}', show(jwks.body));
      const rsa = keys.filter(
        (key) =>
          key['kty'] === 'RSA' &&
          typeof key['kid'] === 'string' &&
          typeof key['n'] === 'string' &&
          typeof key['e'] === 'string',
      );
      expectThat(
        rsa.length > 0,
        'the JWKS publishes no RSA key with a kid',
        'an RSA key (kty RSA, kid, n, e)',
        show(keys),
      );
      for (const key of keys) {
        const alg = key['alg'];
        expectThat(
          alg === undefined || (alg !== 'none' && !/^HS/i.test(String(alg))),
          'the JWKS advertises a forbidden algorithm',
          'no "none" or HS* key (SPEC §14)',
          show(key),
        );
      }
    },
  },
  {
    id: 'contract.errors',
    area: 'contract',
    clause: 'SPEC §10.1 core endpoints as specified; OpenAPI Error: every error body is {message, code, requestId}',
    level: 'MUST',
    title: 'malformed, invalid and unknown-resource requests answer 4xx with the error shape',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      /** One kind of bad request: its answer must be `status` with the error shape; each kind is its own finding. */
      const refused = (what: string, status: number, send: () => Promise<Exchange>) => ({
        name: what,
        async run() {
          const answer = await send();
          expectStatus(answer, status, what);
          errorShape(answer, session, what);
        },
      });
      await judgeEach(ctx, [
        refused('malformed JSON body', 400, () =>
          ctx.http.request({
            method: 'POST',
            path: '/v1/agents',
            auth: dev.key,
            raw: { body: '{"name": ', contentType: 'application/json' },
          }),
        ),
        refused('agent without a name', 400, async () => {
          const answer = await session.request(dev, {
            method: 'POST',
            path: '/v1/agents',
            json: { description: 'no name' },
          });
          const made = (answer.body as { agentId?: unknown } | undefined)?.agentId;
          // An agent made by mistake is still the run's own: it is deleted with the rest.
          if (answer.status === 201 && typeof made === 'string')
            session.track(`agent ${made}`, () =>
              session.request(dev, { method: 'DELETE', path: `/v1/agents/${made}` }),
            );
          return answer;
        }),
        refused('unknown agent', 404, () =>
          session.request(dev, { method: 'GET', path: '/v1/agents/ag_00000000000000000000000000' }),
        ),
        refused('no credentials', 401, () => ctx.http.request({ method: 'GET', path: '/v1/agents', auth: null })),
        refused('authorize without agentId and with no scopes', 400, () =>
          session.authorize(dev, { principalId: 'nobody', scopes: [] }),
        ),
      ]);
    },
  },
  {
    id: 'contract.agents',
    area: 'contract',
    clause: 'SPEC §3.1 agent identity (did:grantex:<agentId>); OpenAPI Agents (a name may be stored trimmed)',
    level: 'MUST',
    title: 'agents are created, read, listed, updated and deleted as described; names read back as given or trimmed',
    property: { requests: 7 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      await ctx.property(
        [displayName, scopes(4), displayName],
        async (name, agentScopes, newName) => {
          const created = await session.request(dev, {
            method: 'POST',
            path: '/v1/agents',
            json: { name, description: session.name('agent'), scopes: agentScopes },
          });
          expectStatus(created, 201, 'POST /v1/agents');
          const agent = created.body as {
            agentId: string;
            did: string;
            name: string;
            scopes: string[];
            status: string;
          };
          let deleted = false;
          session.track(`agent ${agent.agentId}`, async () =>
            deleted ? undefined : session.request(dev, { method: 'DELETE', path: `/v1/agents/${agent.agentId}` }),
          );
          expectThat(
            isStoredName(agent.name, name),
            'the agent name is not stored as given (or trimmed)',
            storedNameForms(name),
            show(agent.name),
          );
          expectThat(
            agent.did === `did:grantex:${agent.agentId}`,
            'the agent DID is not did:grantex:<agentId>',
            `did:grantex:${agent.agentId}`,
            show(agent.did),
          );
          expectThat(
            sameSet(agent.scopes, agentScopes),
            'the agent scopes are not stored as given',
            show(agentScopes),
            show(agent.scopes),
          );
          expectThat(agent.status === 'active', 'a new agent is not active', '"active"', show(agent.status));
          const read = await session.request(dev, { method: 'GET', path: `/v1/agents/${agent.agentId}` });
          expectStatus(read, 200, 'GET /v1/agents/{id}');
          expectThat(
            (read.body as { name?: string }).name === agent.name,
            'GET returns another name than POST did',
            show(agent.name),
            show(read.body),
          );
          const list = await session.request(dev, { method: 'GET', path: '/v1/agents' });
          expectStatus(list, 200, 'GET /v1/agents');
          const listed = ((list.body as { agents?: Array<{ agentId: string }> }).agents ?? []).some(
            (a) => a.agentId === agent.agentId,
          );
          expectThat(listed, 'the new agent is not listed', `a list containing ${agent.agentId}`, show(list.body, 200));
          const updated = await session.request(dev, {
            method: 'PATCH',
            path: `/v1/agents/${agent.agentId}`,
            json: { name: newName },
          });
          expectStatus(updated, 200, 'PATCH /v1/agents/{id}');
          const after = updated.body as { name?: string; scopes?: string[] };
          expectThat(
            isStoredName(after.name, newName) && sameSet(after.scopes ?? [], agentScopes),
            'PATCH did not change exactly the given field',
            `name ${storedNameForms(newName)}, scopes unchanged`,
            show(after),
          );
          const removed = await session.request(dev, { method: 'DELETE', path: `/v1/agents/${agent.agentId}` });
          expectStatus(removed, 204, 'DELETE /v1/agents/{id}');
          deleted = true;
          const gone = await session.request(dev, { method: 'GET', path: `/v1/agents/${agent.agentId}` });
          expectStatus(gone, 404, 'GET of a deleted agent');
          // Fixed: names with surrounding spaces, which a server may trim and must not otherwise change.
        },
        { examples: [[' Travel assistant ', ['calendar:read'], ' Renamed  ']] },
      );
    },
  },
];

function sameSet(a: readonly unknown[], b: readonly unknown[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

/**
 * One verdict per operation of the spec from every exchange of the run:
 * fail with the first violating exchange (answers to the fuzz area's requests
 * aside: the fuzz checks judge those), pass when exercised cleanly,
 * skip when never exercised, not implemented for an extension the server lacks.
 */
export function contractResults(
  contract: ContractValidator,
  exchanges: readonly Exchange[],
  session: Session,
  _options: RunOptions,
): CheckResult[] {
  const byOperation = new Map<string, Exchange[]>();
  for (const exchange of exchanges) {
    if (!exchange.operationId) continue;
    const list = byOperation.get(exchange.operationId) ?? [];
    list.push(exchange);
    byOperation.set(exchange.operationId, list);
  }
  return contract.operations.map((op) => {
    const extension = extensionOfTags(op.tags);
    const seen = byOperation.get(op.operationId) ?? [];
    // Answers to the fuzz area's requests are its checks' to judge, at the level each request's kind gives.
    const fuzzed = seen.filter((exchange) => exchange.fromFuzz).length;
    const bad = seen.filter((exchange) => exchange.violations.length > 0 && !exchange.fromFuzz);
    const result: CheckResult = {
      id: `contract.op.${op.operationId}`,
      area: 'contract',
      clause: `SPEC §10.1 core endpoints / §10.2 offered extensions, as specified; OpenAPI ${op.method.toUpperCase()} ${op.template}`,
      level: 'MUST',
      title: `every response of ${op.operationId} has a documented status, valid headers and a valid body`,
      ...(extension ? { extension } : {}),
      status: 'pass',
      durationMs: 0,
      requests: seen.length,
      notes: [],
    };
    if (bad.length > 0) {
      const first = bad[0]!;
      result.status = 'fail';
      result.message = `${bad.length} of ${seen.length} response(s) of ${op.operationId} break the spec`;
      result.expected = `a response documented for ${op.method.toUpperCase()} ${op.template} (statuses ${op.statuses.join(', ')})`;
      result.observed = `${first.status}: ${first.violations.join('; ')}`;
      const distinct = new Set<string>();
      for (const exchange of bad)
        for (const violation of exchange.violations) distinct.add(`${exchange.status}: ${violation}`);
      if (distinct.size > 1) result.notes.push(...[...distinct].slice(1, 6).map((text) => `also: ${text}`));
      result.transcript = transcript([first], session.http.redact);
    } else if (seen.length === 0) {
      if (extension && !session.offers(extension)) {
        result.status = 'not-implemented';
        result.message = `the server does not offer the ${extension} extension`;
      } else {
        result.status = 'skip';
        result.message = 'not exercised by the selected checks';
      }
    } else {
      const statuses = [...new Set(seen.map((exchange) => exchange.status))].sort();
      result.notes.push(`${seen.length} response(s), statuses ${statuses.join(', ')}`);
    }
    if (fuzzed > 0) result.notes.push(`${fuzzed} answer(s) to the fuzz area's requests are judged by the fuzz checks`);
    return result;
  });
}
