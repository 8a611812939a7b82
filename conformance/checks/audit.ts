/**
 * @module checks/audit
 * SPEC §8 audit trail: entries echo what was logged, every `hash` recomputes
 * (this package's `computeAuditHash`), each entry links to the developer's
 * previous one and the whole listed chain verifies (`verifyAuditChain`); no
 * route updates or deletes an entry.
 */
import fc from 'fast-check';
import { CheckFailure, expectThat, show, type Check } from '../engine/check.js';
import { action, auditStatus, metadata } from '../model/arbitraries.js';
import { computeAuditHash, verifyAuditChain, type AuditEntry } from '../engine/integrity.js';
import { expectStatus } from '../engine/session/expect.js';
import { judgeEach } from '../engine/judge-each.js';
import type { Agent, Developer, Issued } from '../engine/session/types.js';
import type { Session } from '../engine/session/session.js';

const grants = new WeakMap<Session, { agent: Agent; issued: Issued }>();

/** One agent and grant for the run's audit entries (the server does not check them, but a stricter one may). */
async function subject(session: Session, dev: Developer): Promise<{ agent: Agent; issued: Issued }> {
  const known = grants.get(session);
  if (known) return known;
  const issued = await session.sharedGrant(dev);
  const value = { agent: issued.agent, issued };
  grants.set(session, value);
  return value;
}

/** Canonical JSON (sorted keys) for comparing metadata after a round trip. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

async function expectHash(entry: AuditEntry): Promise<void> {
  let recomputed: string;
  try {
    recomputed = await computeAuditHash(entry);
  } catch (error) {
    throw new CheckFailure(
      'an audit entry lacks the fields its hash covers',
      'every hashed field with its documented type',
      `${error instanceof Error ? error.message : String(error)} in ${show(entry)}`,
    );
  }
  expectThat(
    recomputed === entry.hash,
    `the hash of ${entry.entryId} does not recompute (SPEC §8.2)`,
    recomputed,
    show(entry.hash),
  );
}

async function listEntries(
  session: Session,
  dev: Developer,
  query: Record<string, string> = {},
): Promise<AuditEntry[]> {
  const exchange = await session.request(dev, { method: 'GET', path: '/v1/audit/entries', query });
  expectStatus(exchange, 200, 'GET /v1/audit/entries');
  return ((exchange.body as { entries?: AuditEntry[] }).entries ?? []) as AuditEntry[];
}

const logInput = fc.record({ action, status: auditStatus, metadata });

export const auditChecks: Check[] = [
  {
    id: 'audit.chain',
    area: 'audit',
    clause: 'SPEC §8.2 hash chain: prevHash is the previous entry’s hash; every hash recomputes',
    level: 'MUST',
    title: 'logged entries echo their input, link to the previous entry, and the listed chain verifies end to end',
    property: { requests: 4 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const { agent, issued } = await subject(session, dev);
      let previous: AuditEntry | undefined;
      await ctx.property(
        [fc.array(logInput, { minLength: 1, maxLength: 3 })],
        async (inputs) => {
          for (const input of inputs) {
            const exchange = await session.logAudit(
              dev,
              { agent, grantId: issued.grantId, principalId: issued.principalId },
              input,
            );
            expectStatus(exchange, 201, 'POST /v1/audit/log');
            const entry = exchange.body as AuditEntry;
            expectThat(
              entry.action === input.action &&
                entry.status === input.status &&
                entry.agentId === agent.agentId &&
                entry.grantId === issued.grantId &&
                entry.developerId === agent.developerId,
              'the entry does not record what was logged',
              show({
                action: input.action,
                status: input.status,
                agentId: agent.agentId,
                grantId: issued.grantId,
                developerId: agent.developerId,
              }),
              show(entry),
            );
            expectThat(
              canonical(entry.metadata) === canonical(input.metadata),
              'the entry metadata differs from what was logged',
              canonical(input.metadata),
              canonical(entry.metadata),
            );
            await expectHash(entry);
            if (previous) {
              expectThat(
                entry.prevHash === previous.hash,
                `${entry.entryId} does not link to the previous entry ${previous.entryId}`,
                show(previous.hash),
                show(entry.prevHash),
              );
            }
            previous = entry;
          }
          const chain = await listEntries(session, dev);
          const verdict = await verifyAuditChain(chain);
          if (!verdict.valid) {
            throw new CheckFailure(
              'the developer’s audit chain does not verify (SPEC §8.2)',
              `${chain.length} entries linked by prevHash with recomputing hashes`,
              show(verdict),
            );
          }
          expectThat(
            chain.at(-1)?.entryId === previous?.entryId,
            'the newest entry is not last in the listed chain',
            show(previous?.entryId),
            show(chain.at(-1)?.entryId),
          );
        },
        {
          examples: [
            [
              [
                { action: 'email.sent', status: 'success', metadata: { z: 2, a: { y: [1, 'x'], b: null }, m: 'ü' } },
                { action: 'payment.initiated', status: 'blocked', metadata: {} },
              ],
            ],
          ],
        },
      );
    },
  },
  {
    id: 'audit.read',
    area: 'audit',
    clause: 'SPEC §8.1 log entry schema; OpenAPI auditGet / auditList filters',
    level: 'MUST',
    title: 'an entry reads back unchanged by id and through the agentId filter; invalid logs answer 400',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const { agent, issued } = await subject(session, dev);
      const base = {
        agentId: agent.agentId,
        agentDid: agent.did,
        grantId: issued.grantId,
        principalId: issued.principalId,
      };
      expectStatus(
        await session.request(dev, {
          method: 'POST',
          path: '/v1/audit/log',
          json: { ...base, action: 'x.y', status: 'maybe' },
        }),
        400,
        'logging an unknown status',
      );
      expectStatus(
        await session.request(dev, { method: 'POST', path: '/v1/audit/log', json: { agentId: agent.agentId } }),
        400,
        'logging without the required fields',
      );
      const logged = await session.request(dev, {
        method: 'POST',
        path: '/v1/audit/log',
        json: { ...base, action: 'audit.read', metadata: { run: session.runId } },
      });
      expectStatus(logged, 201, 'POST /v1/audit/log');
      const entry = logged.body as AuditEntry;
      const read = await session.request(dev, { method: 'GET', path: `/v1/audit/${entry.entryId}` });
      expectStatus(read, 200, 'GET /v1/audit/{id}');
      expectThat(
        canonical(read.body) === canonical(entry),
        'the entry read back differs from the one logged',
        canonical(entry),
        canonical(read.body),
      );
      const filtered = await listEntries(session, dev, { agentId: agent.agentId });
      expectThat(
        filtered.some((e) => e.entryId === entry.entryId),
        'the agentId filter misses the entry',
        entry.entryId,
        `${filtered.length} entries`,
      );
      expectThat(
        filtered.every((e) => e.agentId === agent.agentId),
        'the agentId filter returns other agents’ entries',
        `only agentId ${agent.agentId}`,
        show(
          filtered.map((e) => e.agentId),
          200,
        ),
      );
    },
  },
  {
    id: 'audit.append-only',
    area: 'audit',
    clause:
      'SPEC §14 audit logs are append-only at the API level; §8 audit trail; OpenAPI auditGet: no update or delete',
    level: 'MUST',
    title: 'PUT, PATCH and DELETE on an audit entry are refused and the entry is unchanged',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const { agent, issued } = await subject(session, dev);
      const logged = await session.logAudit(
        dev,
        { agent, grantId: issued.grantId, principalId: issued.principalId },
        { action: 'audit.tamper-probe', metadata: { amount: 1 } },
      );
      expectStatus(logged, 201, 'POST /v1/audit/log');
      const entry = logged.body as AuditEntry;
      const forged = { ...entry, action: 'audit.rewritten', metadata: { amount: 1_000_000 } };
      const attempt = (method: string) => ({
        name: `${method} /v1/audit/{id}`,
        async run() {
          const answer = await session.request(dev, {
            method,
            path: `/v1/audit/${entry.entryId}`,
            ...(method === 'DELETE' ? {} : { json: forged }),
          });
          expectThat(
            answer.status >= 400,
            `${method} /v1/audit/{id} was accepted`,
            'a 4xx refusal (no such route)',
            `status ${answer.status}`,
          );
        },
      });
      // Each attempt is its own finding; the entry is read last, after all of them.
      await judgeEach(ctx, [
        attempt('PUT'),
        attempt('PATCH'),
        attempt('DELETE'),
        {
          name: 'DELETE /v1/audit/entries',
          async run() {
            const wipe = await session.request(dev, { method: 'DELETE', path: '/v1/audit/entries' });
            expectThat(
              wipe.status >= 400,
              'DELETE /v1/audit/entries was accepted',
              'a 4xx refusal',
              `status ${wipe.status}`,
            );
          },
        },
        {
          name: 'the entry afterwards',
          async run() {
            const read = await session.request(dev, { method: 'GET', path: `/v1/audit/${entry.entryId}` });
            expectStatus(read, 200, 'GET /v1/audit/{id} after the attempts');
            expectThat(
              canonical(read.body) === canonical(entry),
              'the audit entry changed',
              canonical(entry),
              canonical(read.body),
            );
          },
        },
      ]);
    },
  },
];
