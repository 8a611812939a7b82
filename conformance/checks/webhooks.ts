/**
 * @module checks/webhooks
 * Webhooks extension: the suite hosts a receiver on 127.0.0.1, registers it,
 * triggers grant and token events, and checks each delivery: both signatures
 * (with this package's `verifyWebhook`), timestamp freshness and the payload
 * shape from the spec. When the server cannot reach the receiver the check
 * says so instead of failing.
 */
import { CheckFailure, expectThat, show, type Check } from '../engine/check.js';
import type { CheckContext } from '../engine/context.js';
import { GrantexWebhookError, verifyWebhook, verifyWebhookSignature } from '../engine/integrity.js';
import { WebhookReceiver, type Delivery } from '../doubles/receiver.js';
import { expectStatus } from '../engine/session/expect.js';
import type { Session } from '../engine/session/session.js';

const EVENTS = ['grant.created', 'grant.revoked', 'token.issued'] as const;
/**
 * How far a delivery's X-Grantex-Timestamp may be from its receipt. SPEC.md
 * gives no figure; the bundled spec tells receivers to refuse timestamps more
 * than 300 s from now (webhooks/events.yaml), which verifyWebhook defaults to.
 */
const FRESHNESS_S = 300;
const receivers = new WeakMap<Session, WebhookReceiver>();
let hookCounter = 0;

async function receiver(session: Session): Promise<WebhookReceiver> {
  let known = receivers.get(session);
  if (!known) {
    known = await WebhookReceiver.start();
    receivers.set(session, known);
    const started = known;
    session.onClose(() => started.close());
  }
  return known;
}

/** Registers a fresh receiver path; skips when the server refuses the URL (e.g. production servers refuse loopback http). */
async function register(
  ctx: CheckContext,
  events: readonly string[],
): Promise<{ id: string; secret: string; path: string; url: string }> {
  const { session } = ctx;
  const dev = session.devA;
  const hooks = await receiver(session);
  const path = `/hooks/${session.runId}/${++hookCounter}`;
  const url = `http://${session.options.receiverHost}:${hooks.port}${path}`;
  const created = await session.request(dev, { method: 'POST', path: '/v1/webhooks', json: { url, events } });
  if (created.status === 400)
    ctx.skip(
      `the server refuses the receiver URL ${url} (${show(created.body, 160)}); run where it may call the suite, or set --receiver-host`,
    );
  expectStatus(created, 201, 'POST /v1/webhooks');
  const body = created.body as { id: string; secret: string };
  session.track(`webhook ${body.id}`, () =>
    session.request(dev, { method: 'DELETE', path: `/v1/webhooks/${body.id}` }),
  );
  return { id: body.id, secret: body.secret, path, url };
}

function header(delivery: Delivery, name: string): string | undefined {
  const value = delivery.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function eventOf(delivery: Delivery): { id?: string; type?: string; data?: Record<string, unknown> } {
  try {
    return JSON.parse(delivery.rawBody) as { id?: string; type?: string; data?: Record<string, unknown> };
  } catch {
    return {};
  }
}

export const webhookChecks: Check[] = [
  {
    id: 'webhooks.delivery',
    area: 'webhooks',
    clause: 'SPEC §10.2 webhooks; OpenAPI webhooks (X-Grantex-Signature, -Timestamp, -Signature-V2, payloads)',
    level: 'MUST',
    title:
      'grant.created, token.issued and grant.revoked are delivered, signed (legacy and V2) with the endpoint secret, fresh, and shaped as specified',
    extension: 'webhooks',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const hook = await register(ctx, EVENTS);
      const hooks = await receiver(session);
      const agent = await session.agent(dev);
      const issued = await session.issue(dev, { agent, scopes: ['calendar:read'] });
      const refreshed = await session.refresh(dev, issued.refreshToken, agent.agentId);
      expectStatus(refreshed, 201, 'POST /v1/token/refresh');
      expectStatus(await session.revokeGrant(dev, issued.grantId), 204, 'DELETE /v1/grants/{id}');
      const ours = () =>
        hooks.to(hook.path).filter((delivery) => eventOf(delivery).data?.['grantId'] === issued.grantId);
      const want = { 'grant.created': 1, 'token.issued': 2, 'grant.revoked': 1 } as const;
      const complete = () =>
        Object.entries(want).every(([type, count]) => ours().filter((d) => eventOf(d).type === type).length >= count);
      await hooks.waitFor(complete, session.options.webhookWaitMs);
      const received = ours();
      if (received.length === 0) {
        const records = await session.request(dev, { method: 'GET', path: `/v1/webhooks/${hook.id}/deliveries` });
        const list =
          (records.body as { deliveries?: Array<{ lastError?: string | null; attempts?: number }> } | undefined)
            ?.deliveries ?? [];
        if (list.some((record) => (record.attempts ?? 0) > 0 && record.lastError)) {
          ctx.skip(
            `the server cannot reach the suite's receiver at ${hook.url} (delivery error: ${list.find((r) => r.lastError)?.lastError}); set --receiver-host to an address the server can reach`,
          );
        }
        if (list.length > 0)
          ctx.skip(
            `no delivery arrived within ${session.options.webhookWaitMs} ms; ${list.length} queued on the server (raise --webhook-wait)`,
          );
        throw new CheckFailure(
          'no webhook delivery was made or queued for the events the run triggered',
          'grant.created, token.issued ×2, grant.revoked',
          'no deliveries and no delivery records',
        );
      }
      for (const [type, count] of Object.entries(want)) {
        const got = received.filter((d) => eventOf(d).type === type).length;
        expectThat(
          got >= count,
          `missing ${type} deliveries`,
          `${count} ${type}`,
          `${got} ${type} (received: ${received.map((d) => eventOf(d).type).join(', ')})`,
        );
      }
      for (const delivery of received) {
        const event = eventOf(delivery);
        expectThat(delivery.method === 'POST', 'a delivery is not a POST', 'POST', delivery.method);
        const legacy = header(delivery, 'x-grantex-signature');
        const legacyOk = legacy !== undefined && (await verifyWebhookSignature(delivery.rawBody, legacy, hook.secret));
        expectThat(
          legacyOk,
          `the X-Grantex-Signature of a ${event.type} delivery does not verify`,
          'sha256=HMAC-SHA256(secret, raw body)',
          show(legacy ?? null),
        );
        try {
          await verifyWebhook({
            payload: delivery.rawBody,
            headers: delivery.headers,
            secret: hook.secret,
            now: new Date(delivery.receivedAt),
            toleranceSeconds: FRESHNESS_S,
          });
        } catch (error) {
          const code = error instanceof GrantexWebhookError ? error.code : 'error';
          throw new CheckFailure(
            `a ${event.type} delivery fails V2 verification (${code})`,
            'X-Grantex-Signature-V2 = sha256=HMAC-SHA256(secret, "<X-Grantex-Timestamp>.<raw body>"), timestamp within 300 s',
            `${error instanceof Error ? error.message : String(error)} (timestamp ${show(header(delivery, 'x-grantex-timestamp') ?? null)}, V2 ${show(header(delivery, 'x-grantex-signature-v2') ?? null)})`,
          );
        }
        const timestamp = Number(header(delivery, 'x-grantex-timestamp'));
        expectThat(
          Math.abs(delivery.receivedAt / 1000 - timestamp) <= FRESHNESS_S,
          'a delivery timestamp is not fresh',
          `within ${FRESHNESS_S}s of receipt`,
          String(header(delivery, 'x-grantex-timestamp')),
        );
        const violations = session.contract.validateWebhook(String(event.type), event);
        expectThat(
          violations.length === 0,
          `a ${event.type} payload does not match the spec`,
          `the schema of webhooks.${String(event.type)}`,
          `${violations.join('; ')} in ${show(event)}`,
        );
      }
      const ids = received.map((d) => eventOf(d).id);
      expectThat(
        new Set(ids).size === ids.length,
        'two different deliveries share an event id',
        'one id per event',
        show(ids),
      );
    },
  },
  {
    id: 'webhooks.crud',
    area: 'webhooks',
    clause: 'SPEC §10.2 webhooks extension as specified; OpenAPI webhooksCreate / webhooksList / webhooksDelete',
    level: 'MUST',
    title:
      'an endpoint is registered with a one-time secret, listed without it, and deleted; unknown events and bad URLs answer 400',
    extension: 'webhooks',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const badEvent = await session.request(dev, {
        method: 'POST',
        path: '/v1/webhooks',
        json: { url: 'https://hooks.example.com/x', events: ['grant.exploded'] },
      });
      expectStatus(badEvent, 400, 'registering an unknown event type');
      const badUrl = await session.request(dev, {
        method: 'POST',
        path: '/v1/webhooks',
        json: { url: 'not a url', events: ['grant.created'] },
      });
      expectStatus(badUrl, 400, 'registering an invalid URL');
      const created = await session.request(dev, {
        method: 'POST',
        path: '/v1/webhooks',
        json: { url: `https://hooks.example.com/${session.runId}`, events: ['grant.revoked'] },
      });
      expectStatus(created, 201, 'POST /v1/webhooks');
      const body = created.body as { id: string; secret: string };
      let deleted = false;
      session.track(`webhook ${body.id}`, async () =>
        deleted ? undefined : session.request(dev, { method: 'DELETE', path: `/v1/webhooks/${body.id}` }),
      );
      expectThat(
        typeof body.secret === 'string' && body.secret.length > 0,
        'no signing secret was returned',
        'a secret',
        show(body),
      );
      const list = await session.request(dev, { method: 'GET', path: '/v1/webhooks' });
      expectStatus(list, 200, 'GET /v1/webhooks');
      expectThat(
        !list.responseText.includes(body.secret),
        'the webhook list reveals the secret',
        'no secrets',
        'the secret is listed',
      );
      expectThat(
        ((list.body as { webhooks?: Array<{ id: string }> }).webhooks ?? []).some((w) => w.id === body.id),
        'the endpoint is not listed',
        body.id,
        show(list.body, 200),
      );
      expectStatus(
        await session.request(dev, { method: 'DELETE', path: `/v1/webhooks/${body.id}` }),
        204,
        'DELETE /v1/webhooks/{id}',
      );
      deleted = true;
      expectStatus(
        await session.request(dev, { method: 'DELETE', path: `/v1/webhooks/${body.id}` }),
        404,
        'deleting the endpoint twice',
      );
    },
  },
];
