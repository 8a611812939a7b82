/**
 * @module checks/anomalies
 * SPEC §13 anomaly detection: detection runs on demand and returns findings
 * of the documented types and severities; stored anomalies are listed and can
 * be acknowledged; an unknown anomaly is 404. SPEC §13.2 and §14: detection
 * never blocks token issuance, even for an agent it flagged. Detection may
 * revoke grants of the developer's agents: the recorder sends it only as a
 * developer this run created (or the --event-api-key one), see
 * side-effects.ts, and this area runs after every check that reads a shared
 * grant (checks/index.ts).
 */
import { expectThat, show, type Check } from '../engine/check.js';
import type { CheckContext } from '../engine/context.js';
import { expectStatus } from '../engine/session/expect.js';
import type { Agent, Developer } from '../engine/session/types.js';

/** Six failed actions of `agent`: more than the detector's failure-rate threshold. */
async function failures(ctx: CheckContext, dev: Developer, agent: Agent, grantId: string, principalId: string) {
  for (let i = 0; i < 6; i++) {
    const logged = await ctx.session.logAudit(
      dev,
      { agent, grantId, principalId },
      { action: 'anomaly.probe', status: 'failure', metadata: { run: ctx.session.runId } },
    );
    expectStatus(logged, 201, 'POST /v1/audit/log');
  }
}

export const anomalyChecks: Check[] = [
  {
    id: 'anomalies.detect',
    area: 'anomalies',
    clause: 'SPEC §13.3 anomaly types, §13.4 severities, §13.5 acknowledgement; §10.2 anomaly extension',
    level: 'MUST',
    title: 'POST /v1/anomalies/detect returns findings; they are listed; one can be acknowledged; an unknown id is 404',
    extension: 'anomalies',
    async run(ctx) {
      const { session } = ctx;
      // Detection revokes grants developer-wide: a developer of its own where one can be created.
      const dev = (await session.devC()) ?? session.devA;
      // A new principal and a burst of failures give the detector something to find.
      const agent = await session.agent(dev, 'anomalies');
      const issued = await session.issue(dev, { agent, scopes: ['calendar:read'] });
      await failures(ctx, dev, agent, issued.grantId, issued.principalId);
      const detected = await session.request(dev, { method: 'POST', path: '/v1/anomalies/detect', json: {} });
      expectStatus(detected, 200, 'POST /v1/anomalies/detect');
      const findings = (detected.body as { anomalies?: Array<{ id: string }> }).anomalies ?? [];
      const list = await session.request(dev, { method: 'GET', path: '/v1/anomalies' });
      expectStatus(list, 200, 'GET /v1/anomalies');
      const stored =
        (list.body as { anomalies?: Array<{ id: string; acknowledgedAt?: string | null }> }).anomalies ?? [];
      for (const finding of findings) {
        expectThat(
          stored.some((anomaly) => anomaly.id === finding.id),
          'a detected anomaly is not listed',
          finding.id,
          show(
            stored.map((a) => a.id),
            200,
          ),
        );
      }
      const target = findings[0];
      if (target) {
        const acknowledged = await session.request(dev, {
          method: 'PATCH',
          path: `/v1/anomalies/${target.id}/acknowledge`,
          json: {},
        });
        expectStatus(acknowledged, 200, 'PATCH /v1/anomalies/{id}/acknowledge');
        expectThat(
          typeof (acknowledged.body as { acknowledgedAt?: unknown }).acknowledgedAt === 'string',
          'the acknowledged anomaly has no acknowledgedAt',
          'acknowledgedAt set',
          show(acknowledged.body),
        );
        const open = await session.request(dev, {
          method: 'GET',
          path: '/v1/anomalies',
          query: { unacknowledged: 'true' },
        });
        expectStatus(open, 200, 'GET /v1/anomalies?unacknowledged=true');
        const still = ((open.body as { anomalies?: Array<{ id: string }> }).anomalies ?? []).some(
          (anomaly) => anomaly.id === target.id,
        );
        expectThat(
          !still,
          'an acknowledged anomaly is listed as unacknowledged',
          `no ${target.id}`,
          `${target.id} listed`,
        );
      } else {
        ctx.note('detection found nothing to acknowledge');
      }
      const unknown = await session.request(dev, {
        method: 'PATCH',
        path: '/v1/anomalies/anm_00000000000000000000000000/acknowledge',
        json: {},
      });
      expectStatus(unknown, 404, 'acknowledging an unknown anomaly');
    },
  },
  {
    id: 'anomalies.issuance-not-blocked',
    area: 'anomalies',
    clause: 'SPEC §13.2 anomaly detection MUST NOT block token issuance; §14 anomaly signals never block issuance',
    level: 'MUST',
    title:
      'after detection flagged an agent (a burst of failures), a new grant for that agent is still issued and valid',
    extension: 'anomalies',
    async run(ctx) {
      const { session } = ctx;
      // Detection revokes grants developer-wide: a developer of its own where one can be created.
      const dev = (await session.devC()) ?? session.devA;
      const agent = await session.agent(dev, 'flagged');
      const first = await session.issue(dev, { agent, scopes: ['calendar:read'] });
      await failures(ctx, dev, agent, first.grantId, first.principalId);
      const detected = await session.request(dev, { method: 'POST', path: '/v1/anomalies/detect', json: {} });
      expectStatus(detected, 200, 'POST /v1/anomalies/detect');
      const flagged = ((detected.body as { anomalies?: Array<{ agentId?: string | null }> }).anomalies ?? []).some(
        (anomaly) => anomaly.agentId === agent.agentId,
      );
      if (!flagged) ctx.note('detection did not flag the agent; issuance is judged all the same');
      const again = await session.issue(dev, { agent, scopes: ['calendar:read'] });
      expectThat(
        await session.isValidOnline(dev, again.grantToken),
        'the token issued after detection does not verify',
        'valid: true',
        'valid: false',
      );
    },
  },
];
