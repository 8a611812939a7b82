/**
 * @module routes/webhooks
 * Webhook endpoints and their delivery records. Loopback and plain-http URLs
 * are allowed: this is a local development server.
 */
import type { components } from '../../../generated/schema.js';
import type { Handlers } from '../context.js';
import { checkQuota, iso } from '../domain/rules.js';
import { badRequest, notFound } from '../http/http-error.js';
import { newId, randomHex } from '../domain/ids.js';
import type { DeliveryRecord, WebhookRecord } from '../domain/store.js';

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('Invalid webhook URL: not an absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw badRequest('Invalid webhook URL: URL protocol must be one of: https:, http:');
  }
  if (parsed.hostname === '') throw badRequest('Invalid webhook URL: a host name is required');
  if (parsed.username !== '' || parsed.password !== '')
    throw badRequest('Invalid webhook URL: credentials are not allowed');
}

function presentDelivery(d: DeliveryRecord): components['schemas']['WebhookDelivery'] {
  return {
    id: d.id,
    webhookId: d.webhookId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    maxAttempts: d.maxAttempts,
    url: d.url,
    lastError: d.lastError,
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt,
  };
}

export const webhookHandlers = {
  webhooksCreate: ({ env, tenant, body }) => {
    checkUrl(body.url);
    checkQuota(tenant, 'webhooks', tenant.webhooks.size);
    const webhook: WebhookRecord = {
      id: newId('wh', env.now()),
      url: body.url,
      events: [...new Set(body.events)],
      secret: randomHex(24),
      createdAt: iso(env.now()),
    };
    tenant.webhooks.set(webhook.id, webhook);
    return {
      status: 201,
      body: {
        id: webhook.id,
        url: webhook.url,
        events: [...webhook.events],
        secret: webhook.secret,
        createdAt: webhook.createdAt,
      },
    };
  },

  webhooksList: ({ env, tenant }) => ({
    status: 200,
    body: {
      webhooks: env.variants
        .order([...tenant.webhooks.values()].reverse())
        .map((w) => ({ id: w.id, url: w.url, events: [...w.events], createdAt: w.createdAt })),
    },
  }),

  webhooksDelete: ({ env, tenant, params }) => {
    if (!tenant.webhooks.has(params.webhookId)) throw notFound('Webhook not found');
    env.webhooks.forget(params.webhookId, tenant);
    tenant.webhooks.delete(params.webhookId);
    for (let i = tenant.deliveries.length - 1; i >= 0; i--) {
      if (tenant.deliveries[i]?.webhookId === params.webhookId) tenant.deliveries.splice(i, 1);
    }
    return { status: 204 };
  },

  webhooksListDeliveries: ({ tenant, params, query }) => {
    if (!tenant.webhooks.has(params.webhookId)) throw notFound('Webhook not found');
    const page = query.page ?? 1;
    const pageSize = Math.min(100, query.pageSize ?? 20);
    const all = tenant.deliveries
      .filter((d) => d.webhookId === params.webhookId && (query.status === undefined || d.status === query.status))
      .reverse();
    const deliveries = all.slice((page - 1) * pageSize, page * pageSize).map(presentDelivery);
    return { status: 200, body: { deliveries, total: all.length, page, pageSize } };
  },
} satisfies Partial<Handlers>;
