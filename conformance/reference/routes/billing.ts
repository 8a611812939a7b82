/**
 * @module routes/billing
 * A local stand-in for the payment provider: checkout and portal sessions
 * are pages on this server (see routes/pages.ts) that change the
 * developer's subscription when completed.
 */
import type { Handlers } from '../context.js';
import { badRequest, HttpError } from '../http/http-error.js';
import { newId } from '../domain/ids.js';

export const billingHandlers = {
  billingStatus: ({ tenant }) => {
    const { plan, status, currentPeriodEnd } = tenant.subscription;
    return { status: 200, body: { plan, status, currentPeriodEnd } };
  },

  billingCheckout: ({ env, tenant, body }) => {
    const id = newId('cs', env.now());
    env.store.checkoutSessions.set(id, {
      id,
      developerId: tenant.developer.id,
      plan: body.plan,
      successUrl: body.successUrl,
      cancelUrl: body.cancelUrl,
      completed: false,
    });
    return { status: 201, body: { checkoutUrl: `${env.settings.baseUrl}/_billing/checkout/${id}` } };
  },

  billingPortal: ({ env, tenant, body }) => {
    if (tenant.subscription.customerId === null)
      throw badRequest('No active subscription found. Complete a checkout first.');
    const id = newId('bps', env.now());
    env.store.portalSessions.set(id, { developerId: tenant.developer.id, returnUrl: body.returnUrl });
    return { status: 201, body: { portalUrl: `${env.settings.baseUrl}/_billing/portal/${id}` } };
  },
} satisfies Partial<Handlers>;

// The payment provider's callback: this server has no payment provider, so, like a
// server without billing configured, it answers 503 and changes nothing.
export const billingWebhookHandlers = {
  billingWebhook: () => {
    throw new HttpError(503, 'SERVICE_UNAVAILABLE', 'Billing not configured');
  },
} satisfies Partial<Handlers>;
