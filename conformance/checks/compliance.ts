/**
 * @module checks/compliance
 * Compliance extension (SPEC §10.2): the summary counts what exists, the
 * exports contain the run's grants and audit entries (audit in chain order),
 * and the evidence pack's chain verdict agrees with the chain.
 */
import { expectThat, show, type Check } from '../engine/check.js';
import type { CheckContext } from '../engine/context.js';
import { expectStatus } from '../engine/session/expect.js';

/** The grant's status as the server reports it now (another check's reaction may have revoked it). */
async function currentStatus(ctx: CheckContext, grantId: string): Promise<string | undefined> {
  const read = await ctx.session.getGrant(ctx.session.devA, grantId);
  expectStatus(read, 200, 'GET /v1/grants/{id}');
  return (read.body as { status?: string }).status;
}

export const complianceChecks: Check[] = [
  {
    id: 'compliance.exports',
    area: 'compliance',
    clause: 'SPEC §10.2 compliance exports and evidence pack',
    level: 'MUST',
    title:
      'the summary counts the run’s grant, the exports list its grant and audit entries, the evidence pack finds the chain intact',
    extension: 'compliance',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const issued = await session.sharedGrant(dev);
      const agent = issued.agent;
      const logged = await session.logAudit(
        dev,
        { agent, grantId: issued.grantId, principalId: issued.principalId },
        { action: 'compliance.probe', metadata: { run: session.runId } },
      );
      expectStatus(logged, 201, 'POST /v1/audit/log');
      const entryId = (logged.body as { entryId: string }).entryId;

      const summary = await session.request(dev, { method: 'GET', path: '/v1/compliance/summary' });
      expectStatus(summary, 200, 'GET /v1/compliance/summary');
      const counts = summary.body as {
        agents?: { total?: number };
        grants?: { total?: number };
        auditEntries?: { total?: number };
      };
      expectThat(
        (counts.agents?.total ?? 0) >= 1 && (counts.grants?.total ?? 0) >= 1 && (counts.auditEntries?.total ?? 0) >= 1,
        'the summary does not count what the run created',
        'at least 1 agent, grant and audit entry',
        show(counts),
      );

      const grants = await session.request(dev, { method: 'GET', path: '/v1/compliance/export/grants' });
      expectStatus(grants, 200, 'GET /v1/compliance/export/grants');
      const grant = ((grants.body as { grants?: Array<{ grantId: string; status?: string }> }).grants ?? []).find(
        (g) => g.grantId === issued.grantId,
      );
      // Say what was seen: a grant that is there but revoked (e.g. by anomaly detection) is not a missing grant.
      expectThat(grant !== undefined, 'the grant export lacks the run’s grant', issued.grantId, 'not listed');
      expectThat(
        grant?.status === (await currentStatus(ctx, issued.grantId)),
        'the grant export shows the run’s grant in another status than GET /v1/grants/{id}',
        `${issued.grantId} with the status the grant has`,
        show(grant),
      );

      const audit = await session.request(dev, { method: 'GET', path: '/v1/compliance/export/audit' });
      expectStatus(audit, 200, 'GET /v1/compliance/export/audit');
      const entries =
        (audit.body as { entries?: Array<{ entryId: string; hash: string; prevHash: string | null }> }).entries ?? [];
      expectThat(
        entries.some((entry) => entry.entryId === entryId),
        'the audit export lacks the run’s entry',
        entryId,
        `${entries.length} entries without it`,
      );
      for (let i = 1; i < entries.length; i++) {
        expectThat(
          entries[i]!.prevHash === entries[i - 1]!.hash,
          'the audit export is not in chain order',
          `entry ${i} links to entry ${i - 1}`,
          show(entries[i]),
        );
      }

      const pack = await session.request(dev, {
        method: 'GET',
        path: '/v1/compliance/evidence-pack',
        query: { framework: 'soc2' },
      });
      expectStatus(pack, 200, 'GET /v1/compliance/evidence-pack');
      const integrity = (pack.body as { chainIntegrity?: { valid?: boolean } }).chainIntegrity;
      expectThat(
        integrity?.valid === true,
        'the evidence pack reports a broken audit chain',
        'chainIntegrity.valid true',
        show(integrity),
      );
    },
  },
];
