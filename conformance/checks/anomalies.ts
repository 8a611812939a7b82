/**
 * @module checks/anomalies
 * SPEC §13 anomaly detection: detection runs on demand and returns findings
 * of the documented types and severities; stored anomalies are listed and can
 * be acknowledged; an unknown anomaly is 404. Detection may revoke grants of
 * the developer's agents: the recorder sends it only as a developer this run
 * created (or the --event-api-key one), see side-effects.ts.
 */
import { expectThat, show, type Check } from '../engine/check.js';
import { expectStatus } from '../engine/session/expect.js';

export const anomalyChecks: Check[] = [
  {
    id: 'anomalies.detect',
    area: 'anomalies',
    clause: 'SPEC §13.2–13.5 detection, types, severities and acknowledgement',
    level: 'MUST',
    title: 'POST /v1/anomalies/detect returns findings; they are listed; one can be acknowledged; an unknown id is 404',
    extension: 'anomalies',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      // A new principal and a burst of failures give the detector something to find.
      const agent = await session.agent(dev);
      const issued = await session.issue(dev, { agent, scopes: ['calendar:read'] });
      for (let i = 0; i < 6; i++) {
        const logged = await session.request(dev, {
          method: 'POST',
          path: '/v1/audit/log',
          json: {
            agentId: agent.agentId,
            agentDid: agent.did,
            grantId: issued.grantId,
            principalId: issued.principalId,
            action: 'anomaly.probe',
            status: 'failure',
            metadata: { run: session.runId },
          },
        });
        expectStatus(logged, 201, 'POST /v1/audit/log');
      }
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
];
